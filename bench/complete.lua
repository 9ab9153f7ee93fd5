-- Each request completes a different prepared attempt: its last step, scored on the spot.
dofile(os.getenv("BENCH_DIR") .. "/report.lua")
local tokens = {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do tokens[#tokens + 1] = line end
local threads = tonumber(os.getenv("BENCH_THREADS"))
local first = tonumber(os.getenv("BENCH_FIRST") or "0")  -- a round's own share of the tokens
local next_id = 0

function setup(thread)
  -- Runs in the main state: give each thread its own offset (a global in its state).
  thread:set("offset", next_id)
  next_id = next_id + 1
end

local counter
function request()
  counter = counter or (first + offset)  -- threads take interleaved tokens: none is completed twice
  local token = tokens[(counter % #tokens) + 1]
  counter = counter + threads
  return wrk.format("POST", "/q/" .. token .. "/etape/" .. os.getenv("BENCH_LAST") .. "/", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = os.getenv("BENCH_COOKIE"),
  }, os.getenv("BENCH_BODY"))
end
