"""No secret in any log (QUALITY.md S7): bad requests on a live private link and a working
password-reset link leave neither in Django's log nor in gunicorn's access and error logs."""

import io
import logging
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from config.redaction import REDACTED, redact
from tests.utils import FormClient

from .assessments.journey import content_for, start, step_data, step_url

ROOT = Path(__file__).resolve().parent.parent


def app_log_handlers():
    """The stream handlers of the root, django and django.server loggers, each once."""
    handlers = {}
    for name in (None, "django", "django.server"):
        for handler in logging.getLogger(name).handlers:
            # The project's handlers, not pytest's capture (also a StreamHandler).
            if type(handler) is logging.StreamHandler:
                handlers[id(handler)] = handler
    return list(handlers.values())


@pytest.fixture
def app_log():
    """Everything the project's configured log handlers write, filters included."""
    stream = io.StringIO()
    handlers = app_log_handlers()
    assert handlers, "the project configures console handlers"
    previous = [handler.setStream(stream) for handler in handlers]
    yield stream
    for handler, old in zip(handlers, previous, strict=True):
        handler.setStream(old)


def reset_link(client, user):
    client.post(reverse("password_reset"), {"email": user.email})
    return re.search(r"https?://\S+/reset/\S+/", mail.outbox[-1].body)[0]


def test_bad_requests_on_a_live_token_leave_no_token_in_the_log(version, app_log):
    browser = FormClient()
    token = start(browser)
    tampered = step_data(content_for(token).step(1)) | {"ZZ-9": "3"}
    assert browser.post(step_url(token, 1), tampered).status_code == 400
    assert browser.get(reverse("assessments:share", args=[token])).status_code == 405
    assert FormClient(enforce_csrf_checks=True).post(step_url(token, 1), {}).status_code == 403
    assert browser.get(f"/q/{token}x!/").status_code == 404
    assert browser.get(step_url(token, 9)).status_code == 404
    assert browser.get(f"/nulle-part/?next=/q/{token}/").status_code == 404
    user = get_user_model().objects.create_user("prof", "prof@example.org", "x-long-pass-2026")
    link = reset_link(browser, user)
    reset_path = link.split("://", 1)[1].split("/", 1)[1]
    assert FormClient().post("/" + reset_path, {}).status_code in (200, 302, 400)
    logged = app_log.getvalue()
    assert "Bad Request" in logged and "Not Found" in logged and "Forbidden" in logged
    assert REDACTED in logged
    assert token not in logged
    assert reset_path.rstrip("/").split("/")[-1] not in logged


def test_redaction_blanks_tokens_wherever_they_appear():
    token = secrets.token_urlsafe(32)
    for line in (
        f"GET /q/{token}/etape/1/ HTTP/1.1",
        f'"https://reperes.example.org/q/{token}/resultats/"',
        f"next=%2Fq%2F{token}%2Fresultats",
        f"Not Found: /q/{token[:20]}/",
        f"token={token}",
        # Found by an attacker: a few characters percent-encoded still open the link.
        "GET /q/" + "".join(f"%{ord(ch):02X}" if i % 7 == 0 else ch for i, ch in enumerate(token)),
        f"GET /%71/{token}/ HTTP/1.1",
        f"next=%252Fq%252F{token}",
        f"GET /Q/{token}/ HTTP/1.1",
    ):
        assert token[:20] not in redact(line), line
    assert redact("GET /conseiller/reset/MQ/cn4z1a-0123456789abcdef0123456789abcdef/ HTTP") == (
        f"GET /conseiller/reset/{REDACTED}/{REDACTED}/ HTTP"
    )
    assert redact("GET /c/ABC234/ HTTP/1.1") == "GET /c/ABC234/ HTTP/1.1"
    # A decoded newline never starts a forged log line; real line breaks stay.
    assert redact("GET /x%0AFAKE HTTP/1.1") == "GET /x\\x0aFAKE HTTP/1.1"
    assert redact("Traceback:\n  line") == "Traceback:\n  line"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """A browser against the live server: cookies, CSRF token, no redirects followed."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), self._NoRedirect
        )

    def request(self, path, data=None, headers=None):
        body = urlencode(data).encode() if isinstance(data, dict) else data
        request = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        try:
            response = self.opener.open(request, timeout=10)
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode(errors="replace")
        return response.status, response.headers, response.read().decode(errors="replace")

    def csrf(self, path):
        _status, _headers, page = self.request(path)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]


# Half a minute: a real gunicorn on its own SQLite file, migrated and with its static files,
# whatever database the suite runs on.
@pytest.mark.slow
def test_gunicorn_as_deployed_writes_no_token_in_its_logs(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "logs-test-" + secrets.token_urlsafe(20),
        "DJANGO_HTTPS": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "DJANGO_LOG_LEVEL": "INFO",
    }
    env.pop("DJANGO_EMAIL_BACKEND", None)
    manage = [sys.executable, "manage.py"]
    for command in (
        ["migrate", "--noinput"],
        ["load_questionnaire"],
        ["collectstatic", "--noinput"],
    ):
        subprocess.run(manage + command, cwd=ROOT, env=env, check=True, capture_output=True)
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "deploy/gunicorn.conf.py",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _attempt in range(100):
            try:
                urllib.request.urlopen(base + "/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        browser = Browser(base)
        csrf = browser.csrf("/")
        status, headers, _page = browser.request(
            "/commencer/", {"csrfmiddlewaretoken": csrf, "class_code": ""}
        )
        assert status == 302, status
        token = re.search(r"/q/([A-Za-z0-9_-]+)/", headers["Location"])[1]
        step = f"/q/{token}/etape/1/"
        assert browser.request(step)[0] == 200
        referer = {"Referer": base + step}
        assert browser.request(step, {"csrfmiddlewaretoken": csrf, "ZZ-9": "3"}, referer)[0] == 400
        assert browser.request(f"/q/{token}/partager/", headers=referer)[0] == 405
        assert Browser(base).request(step, {"x": "1"})[0] == 403
        assert browser.request(f"/q/{token}x!/")[0] == 404
        encoded = "".join(f"%{ord(ch):02X}" if i % 5 == 0 else ch for i, ch in enumerate(token))
        assert browser.request(f"/q/{encoded}/resultats/")[0] == 302  # the server decodes it
        latin1 = {"Content-Type": "application/x-www-form-urlencoded; charset=latin-1"}
        assert browser.request(step, b"x=%E9", latin1)[0] == 400
        # A Content-Type Django cannot even parse (found by an attacker): 400, not a bare 500.
        bogus = {"Content-Type": "text/plain; a*=bogus''%41"}
        status, headers, _page = browser.request("/", b"x", bogus)
        assert status == 400 and "Content-Security-Policy" in headers
        assert browser.request(f"/q/{token}/", None, bogus)[0] == 400
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
    logged = (tmp_path / "server.log").read_text()
    assert f"GET /q/{REDACTED}/etape/1/" in logged  # the access log is on, and redacted
    assert "Bad Request" in logged and "Not Found" in logged
    assert token not in logged
    assert "Traceback" not in logged


def nginx_map():
    """The (regex, replacement) lines of deploy/nginx.conf's map, in nginx's order."""
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    block = conf[conf.index("map $uri $reperes_loggable_uri") :]
    block = block[: block.index("\n}")]
    return [
        (re.compile(pattern.replace("(?<", "(?P<")), replacement)
        for pattern, replacement in re.findall(r'"~(.+?)"\s+"(.+?)";', block)
    ]


def nginx_log(uri):
    for pattern, replacement in nginx_map():
        found = pattern.match(uri)
        if found:  # nginx: the first regex that matches gives the value
            value = replacement
            for name, text in found.groupdict(default="").items():
                value = value.replace("${" + name + "}", text)
            return value
    return uri


def test_the_recommended_proxy_logs_no_secret():
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    log_format = conf[conf.index("log_format reperes") : conf.index(";", conf.index("log_format"))]
    for leaky in ("$request ", "$request_uri", "$args", "$query_string", "$http_referer", "$uri "):
        assert leaky not in log_format + " ", leaky
    assert "$reperes_loggable_uri" in log_format
    token = secrets.token_urlsafe(32)
    for uri in (
        f"/q/{token}/etape/1/",
        f"/q/{token}",
        f"/q/{token[:25]}x/",
        "/conseiller/reset/MQ/cn4z1a-0123456789abcdef0123456789abcdef/",
        f"/nulle-part/{token}",
    ):
        logged = nginx_log(uri)
        assert token[:20] not in logged and "0123456789abcdef0123" not in logged, logged
        assert REDACTED in logged
    assert nginx_log("/c/ABC234/") == "/c/ABC234/"
    size = re.search(r"client_max_body_size (\d+)k;", conf)[1]
    from django.conf import settings

    assert int(size) * 1024 == settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def test_a_refused_request_is_one_line_without_a_traceback(client, version, app_log):
    from tests.assessments.factories import adviser

    client.force_login(adviser())
    assert client.get(reverse("assessments:overview-export-rows")).status_code == 403
    logged = app_log.getvalue()
    assert "Forbidden (Permission denied)" in logged and "Traceback" not in logged


def test_json_logs_are_one_object_a_line_and_still_redacted(version, app_log):
    import json

    from config.redaction import JsonLines

    handlers = app_log_handlers()
    previous = [handler.formatter for handler in handlers]
    for handler in handlers:
        handler.setFormatter(JsonLines())
    try:
        browser = FormClient()
        token = start(browser)
        assert browser.get(f"/q/{token}x!/").status_code == 404
        assert browser.get(step_url(token, 9)).status_code == 404
    finally:
        for handler, formatter in zip(handlers, previous, strict=True):
            handler.setFormatter(formatter)
    lines = [line for line in app_log.getvalue().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert any(e["status"] == 404 and e["message"].startswith("Not Found") for e in entries)
    assert all({"time", "level", "logger", "message"} <= e.keys() for e in entries)
    assert token not in app_log.getvalue() and REDACTED in app_log.getvalue()


def test_the_json_format_is_chosen_from_the_environment():
    code = "import config.settings as s; print(s.LOGGING['handlers']['console'].get('formatter'))"
    environment = dict(os.environ, DJANGO_LOG_FORMAT="json", DJANGO_DEBUG="1")
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert result.stdout.strip() == "json"
