"""make bench-load: thousands of complete student journeys, and not one lost (QUALITY.md R1).

It starts the app as production runs it (gunicorn, DEBUG off, plain HTTP on localhost; SQLite
in a temporary folder, or DATABASE_URL — a scratch database: it gets the journeys' data), then
plays LOAD_JOURNEYS whole journeys through the real flow, as a browser does: the class link,
the start form (CSRF cookie and token), each step shown then answered, the results page. The
journeys run in three phases of 16, 32 and 64 concurrent clients (LOAD_CLIENTS changes them).

Then it compares the client's count with the database's. It passes only when the completed
attempts stored for the run's class equal the journeys the client saw succeed, exactly; every
completed attempt holds all its answers and its stored results; no request got a 5xx; and the
server's log holds no "database is locked". It exits non-zero otherwise.
"""

import http.client
import os
import random
import re
import secrets
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from run import PORT, configure, cpu_model, install_app, save, start_server

JOURNEYS = int(os.environ.get("LOAD_JOURNEYS", "5000"))
CLIENTS = [int(n) for n in os.environ.get("LOAD_CLIENTS", "16,32,64").split(",")]
# Journeys open and close connections: four workers, as the figures in docs/benchmarks.md had.
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RADIO = re.compile(r'<input type="radio" id="[^"]+" name="([^"]+)" value="([^"]+)"')


class JourneyFailed(Exception):
    pass


class Browser:
    """One student's browser: its own cookies, a new connection per request (gunicorn's sync
    workers close each one), redirects read rather than followed, as the flow checks them."""

    def __init__(self, statuses):
        self.cookies = {}
        self.statuses = statuses

    def request(self, method, path, fields=None):
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        headers = {"Host": f"127.0.0.1:{PORT}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://127.0.0.1:{PORT}"
            headers["Referer"] = f"http://127.0.0.1:{PORT}{path}"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        except OSError as error:
            self.statuses.add(type(error).__name__)
            raise JourneyFailed(f"{method} {path}: {error!r}") from error
        finally:
            connection.close()
        self.statuses.add(response.status)
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location", ""), text

    def expect(self, wanted, method, path, fields=None):
        status, location, text = self.request(method, path, fields)
        if status != wanted:
            raise JourneyFailed(f"{method} {path}: {status}, expected {wanted}")
        return urlsplit(location).path, text


def journey(code, seed, statuses):
    """A whole journey; returns its duration in seconds, or raises JourneyFailed."""
    rng = random.Random(seed)
    browser = Browser(statuses)
    began = time.perf_counter()
    _, page = browser.expect(200, "GET", f"/c/{code}/")
    token = CSRF_INPUT.search(page).group(1)
    path, _ = browser.expect(
        302, "POST", "/commencer/", {"csrfmiddlewaretoken": token, "class_code": code}
    )
    for _step in range(10):
        if not re.search(r"/etape/\d+/$", path):
            break
        _, page = browser.expect(200, "GET", path)
        # Each question offers its own answers (5 to agree, 3 for a knowledge question).
        offered = {}
        for name, value in RADIO.findall(page):
            offered.setdefault(name, []).append(value)
        fields = {name: rng.choice(values) for name, values in offered.items()}
        fields |= {"csrfmiddlewaretoken": CSRF_INPUT.search(page).group(1), "direction": "next"}
        path, _ = browser.expect(302, "POST", path, fields)
    if not path.endswith("/resultats/"):
        raise JourneyFailed(f"the last step led to {path}, not to the results")
    browser.expect(200, "GET", path)
    return time.perf_counter() - began


class Statuses:
    """Counts of response statuses (and connection errors) across the client's threads."""

    def __init__(self):
        self.counts = {}
        self.lock = threading.Lock()

    def add(self, status):
        with self.lock:
            self.counts[status] = self.counts.get(status, 0) + 1


def run_phase(code, clients, journeys, first_seed, statuses):
    durations, failures = [], []

    def one(seed):
        try:
            durations.append(journey(code, seed, statuses))
        except JourneyFailed as failure:
            failures.append(str(failure))

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(one, range(first_seed, first_seed + journeys)))
    elapsed = time.perf_counter() - began
    return {
        "clients": clients,
        "journeys": journeys,
        "succeeded": len(durations),
        "failed": len(failures),
        "first_failures": failures[:5],
        "seconds": round(elapsed, 1),
        "journeys_per_s": round(len(durations) / elapsed, 1),
        "journey_p50_s": round(statistics.median(durations), 3) if durations else None,
        "journey_p95_s": (
            round(statistics.quantiles(durations, n=20)[18], 3) if len(durations) > 1 else None
        ),
    }


def stored(cohort):
    """What the database holds for the run's class, counted in the database."""
    from django.db.models import Count, Q

    from assessments.models import Answer, Assessment, ExpectationScore

    attempts = Assessment.objects.filter(cohort=cohort)
    counts = attempts.aggregate(
        started=Count("pk"),
        completed=Count("pk", filter=Q(completed_at__isnull=False)),
        completed_without_results=Count(
            "pk", filter=Q(completed_at__isnull=False, overall_score__isnull=True)
        ),
    )
    counts["answers_of_completed"] = Answer.objects.filter(
        assessment__cohort=cohort, assessment__completed_at__isnull=False
    ).count()
    counts["attendu_scores"] = ExpectationScore.objects.filter(assessment__cohort=cohort).count()
    return counts


def run_class(version, prefix, name):
    """(statements, attendus, adviser, class) for a run: its own adviser and class, so that
    what the run stored is counted apart from anything else in the database."""
    from assessments.accounts import create_adviser
    from assessments.models import Cohort
    from orientation.outline import questionnaire_content

    content = questionnaire_content(version)
    adviser = create_adviser(
        username=f"{prefix}-{secrets.token_hex(3)}", password=secrets.token_urlsafe(16) + "Aa1!"
    )
    cohort = Cohort.objects.create(owner=adviser, name=name, code=Cohort.objects.free_code())
    return len(content.items), len(content.expectations), adviser, cohort


def main():
    workdir = Path(tempfile.mkdtemp(prefix="reperes-load-"))
    env = configure(workdir)
    version = install_app()
    items, attendus, _adviser, cohort = run_class(version, "load", "Charge sans perte")
    database = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    log_path = workdir / "gunicorn.log"
    statuses = Statuses()
    print(
        f"Repères — make bench-load — {database}, gunicorn {WORKERS} sync workers; "
        f"{JOURNEYS} journeys in phases of {', '.join(map(str, CLIENTS))} clients; "
        f"{os.cpu_count()} cores ({cpu_model()}); server log {log_path}",
        flush=True,
    )
    phases, seed = [], 0
    with log_path.open("w") as log:
        server = start_server(env, log=log, workers=WORKERS)
        try:
            for index, clients in enumerate(CLIENTS):
                share = JOURNEYS // len(CLIENTS) + (index < JOURNEYS % len(CLIENTS))
                phases.append(run_phase(cohort.code, clients, share, seed, statuses))
                seed += share
                print(phases[-1], flush=True)
        finally:
            server.terminate()
            server.wait(timeout=30)

    succeeded = sum(phase["succeeded"] for phase in phases)
    counts = stored(cohort)
    server_errors = sum(n for status, n in statuses.counts.items() if str(status)[0] == "5")
    locked = log_path.read_text().lower().count("database is locked")
    checks = {
        "stored completed attempts equal the client's successful journeys": (
            counts["completed"] == succeeded
        ),
        "every completed attempt holds all its answers": (
            counts["answers_of_completed"] == counts["completed"] * items
        ),
        "every completed attempt has its stored results": (
            counts["completed_without_results"] == 0
            and counts["attendu_scores"] == counts["completed"] * attendus
        ),
        "no server error (5xx)": server_errors == 0,
        'no "database is locked" in the server log': locked == 0,
        "every journey succeeded": succeeded == JOURNEYS,
    }
    print(
        f"\n{'phase':>8} {'journeys':>9} {'ok':>6} {'failed':>7} {'s':>7} "
        f"{'journeys/s':>11} {'p50 s':>7} {'p95 s':>7}"
    )
    for phase in phases:
        print(
            f"{phase['clients']:>5} cl. {phase['journeys']:>9} {phase['succeeded']:>6} "
            f"{phase['failed']:>7} {phase['seconds']:>7} {phase['journeys_per_s']:>11} "
            f"{phase['journey_p50_s']!s:>7} {phase['journey_p95_s']!s:>7}"
        )
    print(f"\nresponses by status: {dict(sorted(statuses.counts.items(), key=str))}")
    print(f"stored for the run's class: {counts}; client saw {succeeded} journeys succeed")
    for check, held in checks.items():
        print(f"  {'ok  ' if held else 'FAIL'} {check}")
    path = save(
        f"load-{database.lower()}",
        {
            "database": database,
            "cores": os.cpu_count(),
            "cpu": cpu_model(),
            "workers": WORKERS,
            "journeys": JOURNEYS,
            "items": items,
            "phases": phases,
            "statuses": {str(k): v for k, v in statuses.counts.items()},
            "stored": counts,
            "database_locked": locked,
            "checks": checks,
        },
    )
    print(f"\nSaved {path.relative_to(Path(__file__).resolve().parent.parent)}")
    if not all(checks.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
