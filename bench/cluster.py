"""make bench-cluster: the national topology run for real on one machine, one instance killed.

It starts, each in a temporary folder and on its own ports:
- a PostgreSQL primary and a streaming replica made from it with pg_basebackup;
- PgBouncer in transaction mode in front of both (deploy/pgbouncer.ini, addresses set here);
- two gunicorn instances (deploy/gunicorn.conf.py) with DEBUG off, reading the primary and the
  replica through PgBouncer, sharing Redis for their cache and rate limits;
- HAProxy (deploy/haproxy.cfg) in front of the instances, checking /healthz.

Then it plays BENCH_CLUSTER_JOURNEYS whole student journeys (default 5,000) at
BENCH_CLUSTER_CLIENTS concurrent clients (default 64) through the balancer, the same journeys
as `make bench-load`. When a third of them are done it kills one app instance outright
(SIGKILL to its master and workers, as a crash or an OOM kill would) and restarts it a few
seconds later. After the run an adviser reads the class dashboard through the balancer, which
must be served by the replica and show every completed questionnaire.

It passes only when the stored completed questionnaires equal the journeys the client saw
succeed, none lost, no 5xx seen through the balancer, every completed questionnaire holds its
answers and results, the restarted instance served requests again, and the replica answered the
dashboard with the primary's figures. Needs PostgreSQL's server binaries, PgBouncer, HAProxy and
Redis on this machine (Debian: postgresql, pgbouncer, haproxy, redis-server).
"""

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
JOURNEYS = int(os.environ.get("BENCH_CLUSTER_JOURNEYS", "5000"))
CLIENTS = int(os.environ.get("BENCH_CLUSTER_CLIENTS", "64"))
WORKERS_PER_INSTANCE = int(os.environ.get("BENCH_CLUSTER_WORKERS", "2"))
REDIS_URL = os.environ.get("BENCH_CLUSTER_REDIS_URL", "redis://127.0.0.1:6379/9")
PG_USER = "postgres"  # PostgreSQL and PgBouncer refuse to run as root


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PORTS = {
    name: free_port() for name in ("primary", "replica", "pgbouncer", "app1", "app2", "balancer")
}
# The load client (bench/load.py) talks to the balancer.
os.environ["BENCH_PORT"] = str(PORTS["balancer"])

from load import Statuses, journey, run_class, stored  # noqa: E402
from run import configure, cpu_model, install_app, save  # noqa: E402


def pg_bin(name):
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for folder in versions:
        if (folder / name).exists():
            return str(folder / name)
    raise SystemExit(f"make bench-cluster needs PostgreSQL's {name} (apt-get install postgresql)")


def as_postgres(command, **kwargs):
    """Run a command as the postgres user when this process is root."""
    if os.geteuid() == 0:
        command = ["runuser", "-u", PG_USER, "--", *command]
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)


def popen_as_postgres(command, log):
    if os.geteuid() == 0:
        command = ["runuser", "-u", PG_USER, "--", *command]
    return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def start_primary(folder):
    data = folder / "primary"
    as_postgres(
        [
            pg_bin("initdb"),
            "-D",
            str(data),
            "-U",
            PG_USER,
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
        ]
    )
    settings = {
        "port": PORTS["primary"],
        "listen_addresses": "'127.0.0.1'",
        "unix_socket_directories": f"'{folder}'",
        "max_connections": 100,
        "shared_buffers": "'256MB'",
        "wal_level": "replica",
        "max_wal_senders": 4,
        "hot_standby": "on",
        # The database speaks UTC, as Django asks, so no connection needs a SET TIME ZONE that
        # PgBouncer's transaction mode would have to carry from one server connection to another.
        "timezone": "'UTC'",
    }
    with (data / "postgresql.conf").open("a") as conf:
        conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
    as_postgres(
        [pg_bin("pg_ctl"), "-D", str(data), "-l", str(folder / "primary.log"), "-w", "start"]
    )
    as_postgres([pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(PORTS["primary"]), "reperes"])
    return data


def start_replica(folder):
    """A hot standby streaming from the primary, made as an operator would (pg_basebackup -R)."""
    data = folder / "replica"
    as_postgres(
        [
            pg_bin("pg_basebackup"),
            *("-h", "127.0.0.1", "-p", str(PORTS["primary"]), "-U", PG_USER),
            *("-D", str(data), "-R", "-X", "stream", "--checkpoint=fast"),
        ]
    )
    with (data / "postgresql.conf").open("a") as conf:
        conf.write(f"port = {PORTS['replica']}\n")
    as_postgres(
        [pg_bin("pg_ctl"), "-D", str(data), "-l", str(folder / "replica.log"), "-w", "start"]
    )
    return data


def start_pgbouncer(folder, log):
    """deploy/pgbouncer.ini as shipped, with this run's addresses, paths and auth put in."""
    (folder / "userlist.txt").write_text(f'"{PG_USER}" ""\n')
    databases = {
        "reperes": f"host=127.0.0.1 port={PORTS['primary']} dbname=reperes",
        "reperes_replica": f"host=127.0.0.1 port={PORTS['replica']} dbname=reperes",
    }
    settings = {
        "listen_port": PORTS["pgbouncer"],
        "unix_socket_dir": folder,
        "auth_type": "trust",
        "auth_file": folder / "userlist.txt",
        "pidfile": folder / "pgbouncer.pid",
    }
    config = override_ini((ROOT / "deploy" / "pgbouncer.ini").read_text(), databases, settings)
    (folder / "pgbouncer.ini").write_text(config)
    process = popen_as_postgres(["pgbouncer", str(folder / "pgbouncer.ini")], log)
    wait_for_port(PORTS["pgbouncer"], "PgBouncer", process)
    return process


def override_ini(text, databases, settings):
    """The file with the [databases] entries and [pgbouncer] keys given replaced (PgBouncer's
    %include cannot override a key of the included file)."""
    out, section, pending = [], None, dict(settings)
    for line in text.splitlines():
        header = re.match(r"\[(\w+)\]", line)
        if header:
            section = header.group(1)
        key = line.split("=", 1)[0].strip() if "=" in line and line[:1] not in ";#" else None
        if section == "databases" and key in databases:
            line = f"{key} = {databases[key]}"
        elif section == "pgbouncer" and key in pending:
            line = f"{key} = {pending.pop(key)}"
        out.append(line)
    out += [f"{key} = {value}" for key, value in pending.items()]  # [pgbouncer] comes last
    return "\n".join(out) + "\n"


def wait_for_port(port, name, process, seconds=30):
    for _ in range(seconds * 10):
        if process.poll() is not None:
            raise SystemExit(f"{name} stopped at start (exit {process.returncode})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{name} did not start on port {port}")


def app_env(env):
    bouncer = f"postgres://{PG_USER}@127.0.0.1:{PORTS['pgbouncer']}"
    return {
        **os.environ,
        **env,
        "DATABASE_URL": f"{bouncer}/reperes",
        "DATABASE_REPLICA_URL": f"{bouncer}/reperes_replica",
        "DATABASE_TRANSACTION_POOLER": "1",
        "REDIS_URL": REDIS_URL,
        "GUNICORN_WORKERS": str(WORKERS_PER_INSTANCE),
    }


def start_instance(name, env, log):
    """One app instance as deploy/systemd/reperes@.service starts it."""
    command = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "config.wsgi"]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{PORTS[name]}"},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: killed with its workers
    )
    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit(f"{name} stopped at start (exit {process.returncode})")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORTS[name]}/healthz", timeout=1):
                return process
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{name} did not answer /healthz")


def start_balancer(folder, log):
    env = {
        **os.environ,
        "REPERES_LISTEN": f"127.0.0.1:{PORTS['balancer']}",
        "REPERES_APP1": f"127.0.0.1:{PORTS['app1']}",
        "REPERES_APP2": f"127.0.0.1:{PORTS['app2']}",
        "REPERES_STATS_SOCKET": str(folder / "haproxy.sock"),
        "REPERES_APP_MAXCONN": str(WORKERS_PER_INSTANCE),
    }
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    process = subprocess.Popen(
        [haproxy, "-db", "-f", str(ROOT / "deploy" / "haproxy.cfg")],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_for_port(PORTS["balancer"], "HAProxy", process)
    # Both instances up in HAProxy's eyes (health checks every second, two to rise).
    for _ in range(100):
        if all(row["status"] == "UP" for row in balancer_servers(folder).values()):
            return process
        time.sleep(0.1)
    raise SystemExit("HAProxy never saw both instances up")


def balancer_servers(folder):
    """Per-server figures from HAProxy's admin socket (`show stat`)."""
    with socket.socket(socket.AF_UNIX) as admin:
        admin.connect(str(folder / "haproxy.sock"))
        admin.sendall(b"show stat\n")
        text = b""
        while chunk := admin.recv(65536):
            text += chunk
    lines = text.decode().strip().splitlines()
    header = lines[0].lstrip("# ").split(",")
    rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:]]
    return {
        row["svname"]: row
        for row in rows
        if row["pxname"] == "reperes_app" and row["svname"] not in ("FRONTEND", "BACKEND")
    }


def kill_instance(process):
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def stop(process, seconds=30):
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=seconds)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def session_cookie(user):
    """A signed-in browser's cookie for `user`, past the second factor when it has a device."""
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    return f"sessionid={session.session_key}"


def fetch(path, cookie):
    """(status, body) of a GET through the balancer."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORTS['balancer']}{path}",
        headers={"Cookie": cookie, "Host": "127.0.0.1"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode("utf-8-sig")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()[:2000]


def read_on_replica(path, cookie):
    """(status, body, transactions the replica committed meanwhile)."""
    before = replica_transactions()
    status, body = fetch(path, cookie)
    # A backend reports its counts to pg_stat_database within seconds of going idle.
    for _ in range(150):
        if replica_transactions() > before:
            break
        time.sleep(0.1)
    return status, body, replica_transactions() - before


def completed_shown(page):
    shown = re.search(r'<strong class="figure">([^<]+)</strong> terminés', page)
    return int(re.sub(r"\D", "", shown.group(1))) if shown else None


def replica_transactions():
    out = as_postgres(
        [
            pg_bin("psql"),
            # From another database, so that asking does not count itself.
            *("-h", "127.0.0.1", "-p", str(PORTS["replica"]), "-U", PG_USER, "-d", "postgres"),
            "-tAc",
            "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'reperes'",
        ]
    ).stdout
    return int(out.strip())


def replay_caught_up():
    query = "SELECT pg_last_wal_replay_lsn() >= %s"
    primary_lsn = as_postgres(
        [
            pg_bin("psql"),
            *("-h", "127.0.0.1", "-p", str(PORTS["primary"]), "-U", PG_USER, "-d", "reperes"),
            "-tAc",
            "SELECT pg_current_wal_lsn()",
        ]
    ).stdout.strip()
    for _ in range(100):
        done = as_postgres(
            [
                pg_bin("psql"),
                *("-h", "127.0.0.1", "-p", str(PORTS["replica"]), "-U", PG_USER, "-d", "reperes"),
                "-tAc",
                query % f"'{primary_lsn}'::pg_lsn",
            ]
        ).stdout.strip()
        if done == "t":
            return True
        time.sleep(0.1)
    return False


def run_journeys(code, statuses, on_progress):
    durations, failures = [], []
    lock = threading.Lock()

    def one(seed):
        try:
            took = journey(code, seed, statuses)
            with lock:
                durations.append(took)
                done = len(durations) + len(failures)
        except Exception as failure:  # noqa: BLE001 — any failure is counted, none stops the run
            with lock:
                failures.append(f"{type(failure).__name__}: {failure}")
                done = len(durations) + len(failures)
        on_progress(done)

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        list(pool.map(one, range(JOURNEYS)))
    return durations, failures, time.perf_counter() - began


def main():
    folder = Path(tempfile.mkdtemp(prefix="reperes-cluster-"))
    os.chmod(folder, 0o755)
    if os.geteuid() == 0:
        shutil.chown(folder, PG_USER)
    os.environ["DATABASE_URL"] = f"postgres://{PG_USER}@127.0.0.1:{PORTS['primary']}/reperes"
    logs = {
        name: (folder / f"{name}.log").open("w")
        for name in ("pgbouncer", "app1", "app2", "haproxy")
    }
    primary = replica = bouncer = balancer = None
    instances = {}
    try:
        primary = start_primary(folder)
        env = configure(folder)
        # Schema, static files and the shipped questionnaire, straight on the primary.
        version = install_app()
        replica = start_replica(folder)
        bouncer = start_pgbouncer(folder, logs["pgbouncer"])
        subprocess.run(
            [sys.executable, "-c", f"import redis; redis.Redis.from_url('{REDIS_URL}').flushdb()"],
            check=True,
        )
        environment = app_env(env)
        for name in ("app1", "app2"):
            instances[name] = start_instance(name, environment, logs[name])
        balancer = start_balancer(folder, logs["haproxy"])
        return exercise(folder, version, environment, instances, logs)
    finally:
        stop(balancer)
        for process in instances.values():
            stop(process)
        stop(bouncer)
        for data in (replica, primary):
            if data is not None:
                subprocess.run(
                    [
                        "runuser",
                        "-u",
                        PG_USER,
                        "--",
                        pg_bin("pg_ctl"),
                        "-D",
                        str(data),
                        "-m",
                        "fast",
                        "stop",
                    ]
                    if os.geteuid() == 0
                    else [pg_bin("pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
                    capture_output=True,
                )
        for log in logs.values():
            log.close()
        if os.environ.get("BENCH_CLUSTER_KEEP"):
            print(f"Kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def keep_logs(folder):
    """A failed run's logs, kept beside its figures for whoever reads them."""
    kept = ROOT / "bench-results" / f"{folder.name}-logs"
    kept.mkdir(parents=True, exist_ok=True)
    for log in folder.glob("*.log"):
        shutil.copy(log, kept / log.name)
    return kept


def exercise(folder, version, environment, instances, logs):
    items, attendus, adviser, cohort = run_class(version, "cluster", "Grappe sans perte")
    print(
        f"Repères — make bench-cluster — HAProxy → 2 gunicorn instances × "
        f"{WORKERS_PER_INSTANCE} workers → PgBouncer (transaction) → PostgreSQL primary + "
        f"streaming replica; Redis cache; {JOURNEYS} journeys at {CLIENTS} clients; "
        f"{os.cpu_count()} cores ({cpu_model()}); logs in {folder}",
        flush=True,
    )
    statuses = Statuses()
    events = {}
    kill_at = JOURNEYS // 3

    once = threading.Lock()

    def on_progress(done):
        if done >= kill_at and once.acquire(blocking=False):
            events["killed"] = time.perf_counter()
            events["thread"] = threading.Thread(target=crash_and_restart, daemon=True)
            events["thread"].start()

    def crash_and_restart():
        kill_instance(instances["app1"])
        print(f"  app1 killed (SIGKILL) after {kill_at} journeys", flush=True)
        time.sleep(5)
        try:
            instances["app1"] = start_instance("app1", environment, logs["app1"])
        except SystemExit as failure:
            print(f"  app1 could not be restarted: {failure}", flush=True)
            return
        events["restarted"] = time.perf_counter()
        print("  app1 restarted and healthy", flush=True)

    began = time.perf_counter()
    served_before = {name: int(row["stot"]) for name, row in balancer_servers(folder).items()}
    durations, failures, elapsed = run_journeys(cohort.code, statuses, on_progress)
    if "thread" in events:
        events["thread"].join()  # a short run can end before the instance is back
    servers = balancer_servers(folder)
    succeeded = len(durations)
    counts = stored(cohort)
    caught_up = replay_caught_up()
    status, page, replica_queries = read_on_replica(
        f"/conseiller/groupes/{cohort.pk}/", session_cookie(adviser)
    )
    shown = completed_shown(page) if status == 200 else None
    # The nightly job, as the timer runs it on an app machine: through PgBouncer.
    nightly = subprocess.run(
        [sys.executable, "manage.py", "purge"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    print(f"nightly job (manage.py purge): exit {nightly.returncode}; {nightly.stdout.strip()}")
    # One row per questionnaire (administrators only): it streams through a cursor, which
    # behind PgBouncer in transaction mode must not be a server-side one.
    export_status, export, export_replica_queries = read_on_replica(
        "/conseiller/tableau-de-bord/reponses.csv", session_cookie(administrator())
    )
    exported = len(export.splitlines()) - 1 if export_status == 200 else None
    server_errors = sum(n for status, n in statuses.counts.items() if str(status)[0] == "5")
    app1_after_restart = restarted_instance_served(folder)
    checks = {
        "stored completed questionnaires equal the client's successful journeys": (
            counts["completed"] == succeeded
        ),
        "no journey lost: every journey succeeded": succeeded == JOURNEYS,
        "no 5xx seen through the balancer": server_errors == 0,
        "every completed questionnaire holds all its answers": (
            counts["answers_of_completed"] == counts["completed"] * items
        ),
        "every completed questionnaire has its stored results": (
            counts["completed_without_results"] == 0
            and counts["attendu_scores"] == counts["completed"] * attendus
        ),
        "the killed instance was restarted and served requests again": app1_after_restart > 0,
        "the replica caught up with the primary": caught_up,
        "the class dashboard was read on the replica": replica_queries > 0,
        "the dashboard shows every completed questionnaire": shown == counts["completed"],
        "the nightly job ran through PgBouncer": nightly.returncode == 0,
        "the one-row-per-questionnaire CSV streamed from the replica, every row in it": (
            exported == counts["completed"] and export_replica_queries > 0
        ),
    }
    retries = {name: int(row.get("wretr") or 0) for name, row in servers.items()}
    redispatches = {name: int(row.get("wredis") or 0) for name, row in servers.items()}
    requests = {
        name: int(row["stot"]) - served_before.get(name, 0) for name, row in servers.items()
    }
    print(
        f"\n{succeeded} of {JOURNEYS} journeys in {elapsed:.1f} s "
        f"({succeeded / elapsed:.1f} journeys/s); failures: {failures[:5]}"
    )
    print(f"responses by status: {dict(sorted(statuses.counts.items(), key=str))}")
    print(f"requests per instance: {requests}; retries {retries}; redispatches {redispatches}")
    print(f"app1 requests after its restart: {app1_after_restart}")
    print(f"stored for the run's class: {counts}")
    print(f"dashboard: {shown} completed shown; replica transactions meanwhile: {replica_queries}")
    print(f"CSV export: {exported} rows; replica transactions meanwhile: {export_replica_queries}")
    for check, held in checks.items():
        print(f"  {'ok  ' if held else 'FAIL'} {check}")
    if shown is None:
        print(page[:2000])
    if exported != counts["completed"]:
        print(re.findall(r"class=\"messages\">(.*?)</div>", export, re.S)[:1] or export[:1500])
    durations.sort()
    path = save(
        "cluster",
        {
            "cores": os.cpu_count(),
            "cpu": cpu_model(),
            "instances": 2,
            "workers_per_instance": WORKERS_PER_INSTANCE,
            "journeys": JOURNEYS,
            "clients": CLIENTS,
            "seconds": round(elapsed, 1),
            "journeys_per_s": round(succeeded / elapsed, 1),
            "journey_p50_s": round(durations[len(durations) // 2], 3) if durations else None,
            "journey_p95_s": round(durations[int(len(durations) * 0.95)], 3) if durations else None,
            "statuses": {str(k): v for k, v in statuses.counts.items()},
            "requests_per_instance": requests,
            "retries": retries,
            "redispatches": redispatches,
            "app1_requests_after_restart": app1_after_restart,
            "killed_after_s": round(events["killed"] - began, 1) if "killed" in events else None,
            "restarted_after_s": (
                round(events["restarted"] - began, 1) if "restarted" in events else None
            ),
            "stored": counts,
            "checks": checks,
        },
    )
    print(f"\nSaved {path.relative_to(ROOT)}")
    if all(checks.values()):
        return 0
    print(f"Logs kept in {keep_logs(folder).relative_to(ROOT)}")
    return 1


def administrator():
    """A superuser past the second factor, as the rows export requires."""
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = get_user_model().objects.create_superuser(
        "cluster-admin-" + secrets.token_hex(3), password=secrets.token_urlsafe(16) + "Aa1!"
    )
    TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    return user


def restarted_instance_served(folder):
    """Requests the restarted app1 answered, read from its access log after the restart line."""
    text = (folder / "app1.log").read_text()
    # gunicorn writes "Starting gunicorn" at each start; count access lines after the last one.
    tail = text.rsplit("Starting gunicorn", 1)[-1]
    return sum(1 for line in tail.splitlines() if '" 200 ' in line or '" 302 ' in line)


if __name__ == "__main__":
    sys.exit(main())
