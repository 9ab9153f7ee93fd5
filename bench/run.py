"""make bench: the app as production runs it, measured with wrk beside two floors.

It prepares a database (SQLite file in a temporary folder, or DATABASE_URL — use a scratch
database: it gets benchmark data), starts gunicorn with DEBUG off and plain HTTP on localhost,
then drives each page with wrk, ROUNDS times interleaved (every page once, then again), and
prints the median requests/s, p50, p95, p99 and errors of each page, with its ratio to the two
floors measured in the same run: a bare WSGI function returning the step page's bytes
(bench/wsgi.py), and the step's template rendered from constant data (bench/floor.py). The
figures are also saved as JSON in bench-results/.
"""

import json
import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
PORT = int(os.environ.get("BENCH_PORT", "8765"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
THREADS = 2
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
DURATION = int(os.environ.get("BENCH_SECONDS", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
# Each round completes attempts of its own; a round takes at most this many.
COMPLETIONS = int(os.environ.get("BENCH_COMPLETIONS", "4000"))


def configure(workdir):
    env = {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "benchmark-only-" + secrets.token_urlsafe(20),
        "DJANGO_HTTPS": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Thousands of journeys come from one address and a few clients: no rate limit here.
        "THROTTLE_SCALE": "1000000",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{workdir}/bench.sqlite3",
        # The production settings with the floor's URL (bench/settings.py).
        "DJANGO_SETTINGS_MODULE": "bench.settings",
    }
    os.environ.update(env)
    return env


def install_app():
    """Django set up in this process on the configured database: schema, static files and the
    shipped questionnaire, as a deployment has them. Returns the published version."""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.core.management import call_command

    from orientation.loading import load_all

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    ((_first, _created), (version, _created_too)) = load_all()
    return version


def prepare():
    """Data for every scenario, written with the app's own services."""
    version = install_app()
    from django.contrib.sessions.backends.db import SessionStore

    from assessments.accounts import create_adviser
    from assessments.models import Answer, Assessment, Cohort, digest
    from assessments.services import save_step, start_assessment
    from orientation.outline import questionnaire_content

    content = questionnaire_content(version)

    def value(item):
        # « Plutôt d'accord », or « vrai » for a knowledge question: on every question's scale.
        return 1 if item.is_knowledge else 4

    def answers(step):
        return {item.code: value(item) for item in step.items}

    _attempt, step_token = start_assessment()
    done, results_token = start_assessment()
    save_step(done, {item.pk: value(item) for item in content.items})

    # Attempts with every step but the last answered, for the completion scenario.
    tokens = [Assessment.new_token() for _ in range(COMPLETIONS * ROUNDS)]
    Assessment.objects.bulk_create(
        Assessment(token_digest=digest(t), version=version) for t in tokens
    )
    attempts = Assessment.objects.filter(token_digest__in=[digest(t) for t in tokens])
    all_but_last = [item for step in content.steps[:-1] for item in step.items]
    Answer.objects.bulk_create(
        Answer(assessment=a, item_id=item.pk, value=value(item))
        for a in attempts
        for item in all_but_last
    )

    name = "bench-" + secrets.token_hex(3)
    adviser = create_adviser(username=name, password=secrets.token_urlsafe(16) + "Aa1!")
    cohort = Cohort.objects.create(
        owner=adviser, name="Classe de mesure", code=Cohort.objects.free_code()
    )
    for _n in range(30):
        attempt, _token = start_assessment(cohort=cohort)
        save_step(
            attempt,
            {item.pk: 1 + (item.pk + _n) % len(item.values) for item in content.items},
        )
    session = SessionStore()
    session["_auth_user_id"] = str(adviser.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = adviser.get_session_auth_hash()
    session.create()

    csrf = secrets.token_hex(16)  # 32 characters: a valid unmasked CSRF secret
    return {
        "step_token": step_token,
        "results_token": results_token,
        "completion_tokens": tokens,
        "cohort": cohort.pk,
        "session": session.session_key,
        "csrf": csrf,
        "step1_body": urlencode({"csrfmiddlewaretoken": csrf, **answers(content.steps[0])}),
        "last_step": len(content.steps),
        "last_body": urlencode({"csrfmiddlewaretoken": csrf, **answers(content.steps[-1])}),
        "items_per_step": [len(step.items) for step in content.steps],
    }


def start_server(env, log=None, workers=WORKERS):
    """gunicorn as production runs it; its log goes to `log` (a file) when given."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "bench.wsgi",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{PORT}",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stderr=log)
    for _attempt in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/bench/floor/", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src|img[^>]+src)="(/[^"]+)"')


def fetch(path, compressed=True):
    """(bytes on the wire, bytes of content) of one GET, as a browser asks for it."""
    headers = {"Accept-Encoding": "br, gzip"} if compressed else {}
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
    return len(body), body


def page_weight(data):
    """QUALITY.md P5: a step's HTML, and what a first visit to the home page transfers; and the
    step's HTML itself, for the bare WSGI row."""
    step_size, step_html = fetch(f"/q/{data['step_token']}/etape/1/", compressed=False)
    home_wire, home = fetch("/")
    _plain, home_html = fetch("/", compressed=False)
    assets = sorted(set(ASSET.findall(home_html.decode())))
    first_visit = home_wire + sum(fetch(asset)[0] for asset in assets)
    return {
        "step_html_kb": step_size / 1024,
        "first_visit_kb": first_visit / 1024,
        "first_visit_files": 1 + len(assets),
    }, step_html


def wrk(name, path, script, extra_env):
    env = {**os.environ, "BENCH_DIR": str(BENCH), "BENCH_THREADS": str(THREADS), **extra_env}
    command = [
        "wrk",
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{DURATION}s",
        # A slow answer is a latency, not an error: wrk's default 2 s would count it as both.
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(BENCH / script),
        f"http://127.0.0.1:{PORT}{path}",
    ]
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCHJSON "))
    figures = json.loads(line.removeprefix("BENCHJSON "))
    figures["name"] = name
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def scenarios(data, workdir, round_number):
    """(name, path, script, environment) of each row, in the order they run."""
    cookie = f"csrftoken={data['csrf']}"
    return [
        ("bare WSGI (same bytes)", "/bench/bare/", "get.lua", {}),
        ("floor (constant step, no DB)", "/bench/floor/", "get.lua", {}),
        ("step GET", f"/q/{data['step_token']}/etape/1/", "get.lua", {}),
        (
            "step save POST",
            f"/q/{data['step_token']}/etape/1/",
            "post.lua",
            {"BENCH_BODY": data["step1_body"], "BENCH_COOKIE": cookie},
        ),
        (
            "completion POST (scoring)",
            "/",
            "complete.lua",
            {
                "BENCH_BODY": data["last_body"],
                "BENCH_LAST": str(data["last_step"]),
                "BENCH_COOKIE": cookie,
                "BENCH_TOKENS": str(workdir / "tokens.txt"),
                # Each round completes attempts no earlier round touched.
                "BENCH_FIRST": str(round_number * COMPLETIONS),
            },
        ),
        ("results GET", f"/q/{data['results_token']}/resultats/", "get.lua", {}),
        (
            "cohort dashboard GET",
            f"/conseiller/groupes/{data['cohort']}/",
            "get.lua",
            {"BENCH_COOKIE": f"sessionid={data['session']}"},
        ),
    ]


def median(values):
    return sorted(values)[len(values) // 2]


def median_row(runs):
    """The run of median throughput, with every run's requests/s beside it, and the median of
    its ratios to the floors, each ratio taken within one round (the machine is shared: two
    figures compare only when measured minutes apart)."""
    row = {**min(runs, key=lambda run: abs(run["rps"] - median([r["rps"] for r in runs])))}
    row["runs"] = [round(run["rps"]) for run in runs]
    for ratio in ("vs_bare", "vs_floor"):
        row[ratio] = median([run[ratio] for run in runs])
    return row


def main():
    if shutil.which("wrk") is None:
        raise SystemExit("make bench needs wrk: apt-get install -y wrk")
    workdir = Path(tempfile.mkdtemp(prefix="reperes-bench-"))
    env = configure(workdir)
    data = prepare()
    (workdir / "tokens.txt").write_text("\n".join(data["completion_tokens"]) + "\n")
    env["BENCH_BARE_BODY"] = str(workdir / "step.html")
    server = start_server(env)
    try:
        weight, step_html = page_weight(data)
        (workdir / "step.html").write_bytes(step_html)
        runs = {}
        for round_number in range(ROUNDS):
            found = [
                wrk(name, path, script, extra)
                for name, path, script, extra in scenarios(data, workdir, round_number)
            ]
            bare, floor = found[0]["rps"], found[1]["rps"]
            for row in found:
                row["vs_bare"], row["vs_floor"] = row["rps"] / bare, row["rps"] / floor
                runs.setdefault(row["name"], []).append(row)
    finally:
        server.terminate()
        server.wait(timeout=10)
    report([median_row(found) for found in runs.values()], env, data, weight)


def cpu_model():
    return next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )


def save(name, figures):
    """Write figures as JSON in bench-results/ and return the file's path."""
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = out / f"{name}-{stamp}.json"
    path.write_text(json.dumps({"date": stamp, **figures}, indent=2))
    return path


def report(rows, env, data, weight):
    database = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    cpu = cpu_model()
    print(
        f"\nRepères — make bench — {database}, gunicorn {WORKERS} sync workers, "
        f"wrk {THREADS} threads × {CONNECTIONS} connections, {DURATION} s a page, "
        f"median of {ROUNDS} interleaved rounds"
    )
    print(f"{os.cpu_count()} cores ({cpu}); load generator on the same host\n")
    columns = ("req/s", "p50 ms", "p95 ms", "p99 ms")
    header = (
        f"{'page':32} "
        + " ".join(f"{c:>8}" for c in columns)
        + f" {'errors':>7} {'vs bare':>8} {'vs floor':>9}   runs (req/s)"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['name']:32} {row['rps']:8.0f} {row['p50_us'] / 1000:8.1f} "
            f"{row['p95_us'] / 1000:8.1f} {row['p99_us'] / 1000:8.1f} {row['errors']:7d} "
            f"{row['vs_bare']:8.1%} {row['vs_floor']:9.0%}   "
            + ", ".join(str(rps) for rps in row["runs"])
        )
    print(
        f"\npage weight: a step is {weight['step_html_kb']:.1f} KB of HTML (target ≤ 60); "
        f"a first visit transfers {weight['first_visit_kb']:.1f} KB compressed in "
        f"{weight['first_visit_files']} files, CSS included (target ≤ 25, QUALITY.md P8)"
    )
    path = save(
        f"bench-{database.lower()}",
        {
            "database": database,
            "cores": os.cpu_count(),
            "cpu": cpu,
            "workers": WORKERS,
            "connections": CONNECTIONS,
            "seconds": DURATION,
            "rounds": ROUNDS,
            "load": os.getloadavg(),
            "items_per_step": data["items_per_step"],
            "page_weight": weight,
            "rows": rows,
        },
    )
    print(f"\nSaved {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
