"""make lighthouse: Lighthouse scores of the student pages as production serves them (P8).

The same production server as `make bench` (gunicorn, DEBUG off, plain HTTP on localhost, a
scratch SQLite file unless DATABASE_URL is set), then Lighthouse with its default mobile
emulation (a mid-range phone, simulated slow 4G) on the home page, a questionnaire step and a
results page. Prints each page's performance and accessibility scores, its metrics, the audits
that lost points, and the bytes a first visit transfers; saves them in bench-results/.

Needs Node and a Chromium: LIGHTHOUSE (default `npx --yes lighthouse@12.8.2`), CHROME_PATH
(default /usr/bin/chromium) and LIGHTHOUSE_RUNS (default 3, the median reported) change them.
Not part of CI: the scores move with the machine's load.
"""

import json
import os
import shlex
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

# bench/ is a folder of scripts run as `python bench/<name>.py`: run.py sits beside this one.
from run import ASSET, PORT, ROOT, configure, cpu_model, fetch, install_app, save, start_server

LIGHTHOUSE = os.environ.get("LIGHTHOUSE", "npx --yes lighthouse@12.8.2")
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
RUNS = int(os.environ.get("LIGHTHOUSE_RUNS", "3"))
METRICS = {
    "first-contentful-paint": "FCP",
    "largest-contentful-paint": "LCP",
    "total-blocking-time": "TBT",
    "cumulative-layout-shift": "CLS",
    "speed-index": "SI",
}


def prepare():
    """An attempt at its first step and a completed one with answers that vary (so the results
    page shows strengths, things to work on and suggestions, as a real one does)."""
    version = install_app()
    from assessments.services import save_step, start_assessment
    from orientation.outline import questionnaire_content

    content = questionnaire_content(version)
    _attempt, step_token = start_assessment()
    done, results_token = start_assessment()
    save_step(done, {item.pk: 1 + item.pk % len(item.scale) for item in content.items})
    return {
        "home": "/",
        "step": f"/q/{step_token}/etape/1/",
        "results": f"/q/{results_token}/resultats/",
    }


def first_visit():
    """Bytes on the wire for the home page and everything it links, as a browser asks."""
    _plain, html = fetch("/", compressed=False)
    assets = sorted(set(ASSET.findall(html.decode())))
    total = fetch("/")[0] + sum(fetch(asset)[0] for asset in assets)
    return {"first_visit_kb": total / 1024, "first_visit_files": 1 + len(assets)}


def lighthouse(url, workdir):
    """One Lighthouse run of one page: its two scores, its metrics, what cost points."""
    report = workdir / "report.json"
    command = [
        *shlex.split(LIGHTHOUSE),
        url,
        "--quiet",
        "--form-factor=mobile",
        "--only-categories=performance,accessibility",
        "--chrome-flags=--headless=new --no-sandbox",
        "--output=json",
        f"--output-path={report}",
    ]
    # On a busy machine Chromium sometimes loses the trace (NO_NAVSTART): Lighthouse's own
    # advice is to run it again.
    for attempt in range(3):
        done = subprocess.run(command, env={**os.environ, "CHROME_PATH": CHROME})
        if done.returncode == 0:
            break
        print(f"Lighthouse failed on {url} (attempt {attempt + 1} of 3)", file=sys.stderr)
    done.check_returncode()
    data = json.loads(report.read_text())
    audits = data["audits"]
    weighted = [
        ref["id"]
        for category in data["categories"].values()
        for ref in category["auditRefs"]
        if ref["weight"] > 0
    ]
    return {
        "performance": round(data["categories"]["performance"]["score"] * 100),
        "accessibility": round(data["categories"]["accessibility"]["score"] * 100),
        "metrics": {short: audits[key]["displayValue"] for key, short in METRICS.items()},
        # The audits that count in a score and are not full marks.
        "lost": sorted(key for key in weighted if (audits[key].get("score") or 0) < 1),
        # Lighthouse's advice that would save time or bytes (it costs no points by itself).
        "advice": sorted(
            key
            for key, audit in audits.items()
            if audit.get("details", {}).get("type") == "opportunity"
            and (audit.get("score") or 0) < 1
        ),
        "lighthouse": data["lighthouseVersion"],
    }


def median_run(url, workdir):
    """Lighthouse's own advice: several runs, the median one (by performance score) reported."""
    runs = sorted(
        (lighthouse(url, workdir) for _run in range(RUNS)), key=lambda run: run["performance"]
    )
    return {**runs[len(runs) // 2], "runs": [run["performance"] for run in runs]}


def port_is_free():
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", PORT)) != 0


def main():
    # Another server on the port would answer in place of ours (its pages, its 404s).
    if not port_is_free():
        raise SystemExit(f"127.0.0.1:{PORT} is in use: set BENCH_PORT to a free port")
    workdir = Path(tempfile.mkdtemp(prefix="reperes-lighthouse-"))
    env = configure(workdir)
    paths = prepare()
    server = start_server(env)
    try:
        weight = first_visit()
        scores = {
            name: median_run(f"http://127.0.0.1:{PORT}{path}", workdir)
            for name, path in paths.items()
        }
    finally:
        server.terminate()
        server.wait(timeout=10)
    version = next(iter(scores.values()))["lighthouse"]
    print(
        f"\nRepères — make lighthouse — Lighthouse {version}, mobile emulation (simulated "
        f"slow 4G, 4× CPU slowdown), gunicorn with DEBUG off on localhost; median of {RUNS} runs"
    )
    load = ", ".join(f"{figure:.1f}" for figure in os.getloadavg())
    print(f"{os.cpu_count()} cores ({cpu_model()}), load average at the end {load}\n")
    print(f"{'page':10} {'perf.':>6} {'a11y':>6}  {'runs':12} metrics of the median run")
    for name, row in scores.items():
        metrics = ", ".join(f"{short} {value}" for short, value in row["metrics"].items())
        runs = " ".join(str(score) for score in row["runs"])
        print(f"{name:10} {row['performance']:6d} {row['accessibility']:6d}  {runs:12} {metrics}")
        if row["lost"]:
            print(f"{'':12}points lost on: {', '.join(row['lost'])}")
        if row["advice"]:
            print(f"{'':12}advice: {', '.join(row['advice'])}")
    print(
        f"\nfirst visit: {weight['first_visit_kb']:.1f} KB compressed in "
        f"{weight['first_visit_files']} files (target ≤ 25)"
    )
    path = save(
        "lighthouse",
        {"cores": os.cpu_count(), "runs": RUNS, "scores": scores, "page_weight": weight},
    )
    print(f"\nSaved {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
