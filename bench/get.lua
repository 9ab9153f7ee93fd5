dofile(os.getenv("BENCH_DIR") .. "/report.lua")
local cookie = os.getenv("BENCH_COOKIE")
if cookie and cookie ~= "" then wrk.headers["Cookie"] = cookie end
