"""Prometheus metrics (config/metrics.py): off unless asked, labelled by URL name and never by
path, served only to the allowed addresses, added up over gunicorn's workers."""

import os
import re
import runpy
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.assessments.journey import start, step_url, take
from tests.utils import plain

ROOT = Path(__file__).resolve().parent.parent
MIDDLEWARE = "config.metrics.MetricsMiddleware"


@pytest.fixture
def metrics_on(settings):
    """What DJANGO_METRICS=1 changes in the settings (config/settings.py)."""
    settings.METRICS = True
    settings.MIDDLEWARE = [MIDDLEWARE, *settings.MIDDLEWARE]


def scrape(client, **extra):
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain; version=")
    return response.content.decode()


def sample(text, name, **labels):
    """The value of one sample in a scrape; 0 when it is not there yet."""
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and found.labels == labels:
                return found.value
    return 0


def requests_of(text, view, method="GET", status="200"):
    return sample(text, "reperes_http_requests_total", view=view, method=method, status=status)


def test_a_step_page_is_counted_by_its_url_name_never_its_path(client, version, metrics_on):
    token = start(client)
    before = scrape(client)
    assert client.get(step_url(token, 1)).status_code == 200
    after = scrape(client)
    assert requests_of(after, "assessments:step") == requests_of(before, "assessments:step") + 1
    timed = "reperes_http_request_duration_seconds_count"
    assert sample(after, timed, view="assessments:step") == (
        sample(before, timed, view="assessments:step") + 1
    )
    assert token not in after and "/q/" not in after


def test_an_address_that_matches_nothing_is_counted_as_unmatched(client, db, metrics_on):
    secret = "x" * 43
    before = scrape(client)
    assert client.get(f"/nulle-part/{secret}/").status_code == 404
    after = scrape(client)
    assert requests_of(after, "unmatched", status="404") == (
        requests_of(before, "unmatched", status="404") + 1
    )
    assert secret not in after


def test_static_files_are_counted_apart_from_unknown_addresses(client, db, metrics_on):
    before = scrape(client)
    response = client.get("/static/css/reperes.css")
    response.close()  # a file served by WhiteNoise
    status = str(response.status_code)
    after = scrape(client)
    assert requests_of(after, "static", status=status) == (
        requests_of(before, "static", status=status) + 1
    )
    assert requests_of(after, "unmatched", status=status) == (
        requests_of(before, "unmatched", status=status)
    )


def test_a_made_up_method_does_not_become_a_label(client, db, metrics_on):
    client.generic("BREW", "/")
    after = scrape(client)
    assert "BREW" not in after
    assert 'method="other"' in after


def test_a_completed_questionnaire_is_counted_once_stored(
    client, version, metrics_on, django_capture_on_commit_callbacks
):
    completed = "reperes_questionnaires_completed_total"
    before = sample(scrape(client), completed)
    with django_capture_on_commit_callbacks(execute=True):
        take(client)  # five steps saved, the last one completes
    assert sample(scrape(client), completed) == before + 1


def test_completions_are_not_counted_when_metrics_are_off(settings):
    from prometheus_client import REGISTRY

    from config import metrics

    def completed():
        return REGISTRY.get_sample_value("reperes_questionnaires_completed_total")

    settings.METRICS = True
    metrics.count_completion()
    before = completed()
    settings.METRICS = False
    metrics.count_completion()
    assert before >= 1 and completed() == before


def test_another_address_gets_the_ordinary_not_found_page(client, db, metrics_on):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 404
    assert "Page introuvable" in plain(response)
    assert "reperes_" not in response.content.decode()


def test_a_request_forwarded_by_a_proxy_is_refused_even_from_an_allowed_address(
    client, db, metrics_on
):
    # The balancer on the same machine reaches the app from 127.0.0.1.
    response = client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert response.status_code == 404
    assert "reperes_" not in response.content.decode()


def test_only_reading_is_served(client, db, metrics_on):
    response = client.post("/metrics", {})
    assert response.status_code == 404
    assert "reperes_" not in response.content.decode()


def test_allowed_addresses_can_be_networks(client, db, metrics_on, settings):
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/24", "::1"]
    assert "reperes_http_requests_total" in scrape(client, REMOTE_ADDR="10.0.0.7")
    assert "reperes_http_requests_total" in scrape(client, REMOTE_ADDR="::ffff:10.0.0.8")
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="10.0.1.7").status_code == 404


def test_without_metrics_the_address_does_not_exist(client, db):
    response = client.get("/metrics")
    assert response.status_code == 404
    assert "reperes_" not in response.content.decode()


# --- Settings, read in a fresh interpreter as production reads them ----------------------------


def fresh_interpreter(code, cwd=ROOT, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_METRICS", "METRICS_ALLOWED_IPS", "PROMETHEUS_MULTIPROC_DIR")
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="x" * 50,
        PYTHONPATH=str(ROOT),
    )
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, cwd=cwd
    )


# The application as gunicorn loads it (settings, middleware, URLs), and the services.
LOADED = (
    "import sys; import config.wsgi, config.urls, assessments.services;"
    "from django.conf import settings;"
    "print(settings.MIDDLEWARE[0], 'prometheus_client' in sys.modules)"
)


def test_metrics_are_off_and_not_even_imported_unless_asked():
    result = fresh_interpreter(LOADED)
    assert result.returncode == 0, result.stderr
    first_middleware, imported = result.stdout.split()
    assert first_middleware != MIDDLEWARE and imported == "False"
    result = fresh_interpreter(LOADED, DJANGO_METRICS="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [MIDDLEWARE, "True"]


def test_malformed_metrics_settings_stop_the_start(tmp_path):
    result = fresh_interpreter(
        "import config.settings", DJANGO_METRICS="1", METRICS_ALLOWED_IPS="127.0.0.1,prometheus"
    )
    assert result.returncode != 0 and "METRICS_ALLOWED_IPS" in result.stderr
    missing = tmp_path / "absent"
    result = fresh_interpreter(
        "import config.settings", DJANGO_METRICS="1", PROMETHEUS_MULTIPROC_DIR=str(missing)
    )
    assert result.returncode != 0 and "PROMETHEUS_MULTIPROC_DIR" in result.stderr


def test_an_empty_multiprocess_directory_means_one_process(tmp_path):
    # prometheus_client would take it for the current directory and write its files there.
    code = f"{LOADED}; import os; print('PROMETHEUS_MULTIPROC_DIR' in os.environ)"
    result = fresh_interpreter(code, tmp_path, DJANGO_METRICS="1", PROMETHEUS_MULTIPROC_DIR="")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [MIDDLEWARE, "True", "False"]
    assert list(tmp_path.iterdir()) == []


# --- gunicorn's workers: multiprocess mode -----------------------------------------------------


def test_in_multiprocess_mode_a_scrape_adds_up_every_workers_files(
    client, db, metrics_on, tmp_path, monkeypatch
):
    from prometheus_client import Counter, values

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    written = []
    for pid, completions in ((1001, 2), (1002, 3)):
        # What two workers write: the value class prometheus_client picks when the variable is
        # set at start-up, each with its own process id.
        monkeypatch.setattr(values, "ValueClass", values.MultiProcessValue(lambda pid=pid: pid))
        worker = Counter("reperes_questionnaires_completed_total", "Completed.", registry=None)
        worker.inc(completions)
        written.append(values.ValueClass)
    try:
        text = scrape(client)
    finally:
        for value_class in written:
            value_class.close_all_files()
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "counter_1001.db",
        "counter_1002.db",
    ]
    assert sample(text, "reperes_questionnaires_completed_total") == 5
    # Only the files: this process's own registry (its interpreter, its other counts) is not read.
    assert "python_info" not in text and "reperes_http_requests_total" not in text


def test_a_single_process_scrape_reads_its_own_registry(client, db, metrics_on):
    text = scrape(client)
    assert "python_info" in text and "reperes_http_request_duration_seconds" in text


def gunicorn_hooks(monkeypatch, directory):
    if directory is None:
        monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    else:
        monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))
    return runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))


class Worker:
    def __init__(self, pid):
        self.pid = pid


def test_an_instance_starts_its_counts_from_zero(tmp_path, monkeypatch):
    for name in ("counter_41.db", "histogram_41.db", "README"):
        (tmp_path / name).write_text("")
    gunicorn_hooks(monkeypatch, tmp_path)["on_starting"](server=None)
    assert [path.name for path in tmp_path.iterdir()] == ["README"]


def test_a_dead_workers_counts_stay_and_its_live_gauges_go(tmp_path, monkeypatch):
    for name in ("counter_41.db", "gauge_livesum_41.db", "gauge_livesum_42.db"):
        (tmp_path / name).write_text("")
    gunicorn_hooks(monkeypatch, tmp_path)["child_exit"](server=None, worker=Worker(41))
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "counter_41.db",
        "gauge_livesum_42.db",
    ]


def test_without_the_directory_gunicorns_hooks_do_nothing(tmp_path, monkeypatch):
    (tmp_path / "counter_41.db").write_text("")
    hooks = gunicorn_hooks(monkeypatch, None)
    hooks["on_starting"](server=None)
    hooks["child_exit"](server=None, worker=Worker(41))
    assert (tmp_path / "counter_41.db").exists()


# --- The public front never forwards /metrics -------------------------------------------------


def test_nginx_answers_metrics_itself():
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    rule = re.search(r"location = /metrics \{\s*return 404;\s*\}", conf)
    assert rule is not None
    assert rule.start() < conf.index("location / {")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class App(BaseHTTPRequestHandler):
    """An instance that answers 200 to everything and notes the paths it was asked."""

    seen = []

    def do_GET(self):
        App.seen.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def status_of(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except urllib.error.URLError:
        return None  # not listening yet


HAPROXY = shutil.which("haproxy") or (
    "/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None
)


@pytest.mark.skipif(
    HAPROXY is None and os.environ.get("REQUIRE_HAPROXY") != "1",
    reason="HAProxy is not installed (apt-get install haproxy; CI sets REQUIRE_HAPROXY=1)",
)
def test_the_balancer_never_forwards_metrics(tmp_path):
    assert HAPROXY, "REQUIRE_HAPROXY=1 but HAProxy is not installed"
    app = ThreadingHTTPServer(("127.0.0.1", 0), App)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    listen = f"127.0.0.1:{free_port()}"
    environment = {
        **os.environ,
        "REPERES_LISTEN": listen,
        "REPERES_APP1": f"127.0.0.1:{app.server_port}",
        "REPERES_APP2": f"127.0.0.1:{app.server_port}",
        "REPERES_APP_MAXCONN": "4",
        "REPERES_STATS_SOCKET": str(tmp_path / "haproxy.sock"),
    }
    balancer = subprocess.Popen(
        [HAPROXY, "-db", "-f", str(ROOT / "deploy" / "haproxy.cfg")],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while status_of(f"http://{listen}/") != 200:
            assert time.monotonic() < deadline, "HAProxy did not forward to the instance"
            time.sleep(0.1)
        for path in ("/metrics", "/%6detrics", "/metrics?format=text"):
            assert status_of(f"http://{listen}{path}") == 404, path
        assert status_of(f"http://{listen}/metriques") == 200
    finally:
        balancer.terminate()
        balancer.wait(timeout=10)
        app.shutdown()
        app.server_close()
    assert not [path for path in App.seen if "etrics" in path]
