"""make fuzz-live: malformed requests against the app as production runs it, then its log read.

It starts gunicorn with deploy/gunicorn.conf.py (DEBUG off, the redacting access log, SQLite in
a temporary folder unless DATABASE_URL is set), opens a live private link and an adviser session,
and sends FUZZ_REQUESTS requests (default 5,000) to every URL pattern of the site, with random
methods, content types (malformed charsets, multipart without a boundary, JSON, garbage), bodies
(empty, random bytes, over the size limit) and the CSRF token sometimes right. It fails unless
no response is a 5xx, the server's log holds no traceback, and no live token appears in it.
"""

import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("FUZZ_PORT", "8766"))
REQUESTS = int(os.environ.get("FUZZ_REQUESTS", "5000"))
BASE = f"http://127.0.0.1:{PORT}"

CONTENT_TYPES = [
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=latin-1",
    "application/x-www-form-urlencoded; charset=utf-16",
    "application/x-www-form-urlencoded; charset=nonsense",
    "multipart/form-data",
    "multipart/form-data; boundary=",
    "multipart/form-data; boundary=xyz",
    "application/json",
    "text/plain; charset=latin-1",
    "",
]


class Browser:
    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self):
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), self._NoRedirect
        )

    def send(self, method, path, body=None, headers=None):
        request = urllib.request.Request(BASE + path, data=body, method=method)
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def csrf(self, path="/"):
        _status, _headers, page = self.send("GET", path)
        return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1].decode()


def environment(workdir):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "fuzz-only-" + secrets.token_urlsafe(20),
        "DJANGO_HTTPS": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_LOG_LEVEL": "INFO",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{workdir}/fuzz.sqlite3",
        "THROTTLE_SCALE": "1000",
    }


def prepare(env):
    manage = [sys.executable, "manage.py"]
    for command in (
        ["migrate", "--noinput"],
        ["load_questionnaire"],
        ["collectstatic", "--noinput"],
    ):
        subprocess.run(manage + command, cwd=ROOT, env=env, check=True, capture_output=True)
    script = (
        "from assessments.accounts import create_adviser;"
        "create_adviser(username='fuzz', password='fuzz-adviser-2026-phrase')"
    )
    subprocess.run(manage + ["shell", "-c", script], cwd=ROOT, env=env, check=True)


def paths(token, code):
    routes = [
        "/",
        "/commencer/",
        f"/c/{code}/",
        f"/c/ZZ{code}/",
        "/i18n/setlang/",
        "/confidentialite/",
        "/accessibilite/",
        "/mentions-legales/",
        f"/q/{token}/",
        f"/q/{token}/etape/1/",
        f"/q/{token}/etape/4/",
        f"/q/{token}/resultats/",
        f"/q/{token}/partager/",
        f"/q/{token}/partager/desactiver/",
        f"/q/{token}/supprimer/",
        f"/q/{token}/refaire/",
        f"/q/{token}x/etape/1/",
        "/conseiller/",
        "/conseiller/login/",
        "/conseiller/logout/",
        "/conseiller/password_reset/",
        "/conseiller/reset/MQ/abc-def/",
        "/conseiller/password_change/",
        "/conseiller/tableau-de-bord/",
        "/conseiller/tableau-de-bord/agregats.csv",
        "/conseiller/tableau-de-bord/reponses.csv",
        "/conseiller/groupes/nouveau/",
        "/conseiller/groupes/1/",
        "/conseiller/groupes/1/renommer/",
        "/conseiller/groupes/1/archiver/",
        "/conseiller/groupes/1/projeter/",
        "/conseiller/groupes/1/agregats.csv",
        "/conseiller/resultats-partages/",
        "/conseiller/qualite/1/",
        "/conseiller/securite/",
        "/conseiller/securite/configurer/",
        "/conseiller/securite/code/",
        "/admin/",
        "/admin/login/",
        "/nulle-part/",
        "/static/inconnu.css",
    ]
    return routes


def body_for(rng, csrf):
    fields = {"csrfmiddlewaretoken": csrf if rng.random() < 0.7 else "x"}
    for _n in range(rng.randrange(6)):
        fields[rng.choice(["class_code", "code", "name", "email", "username", "CG1-a", "x"])] = (
            rng.choice(["", "3", "é", "\x00", "<script>", "A" * rng.randrange(100)])
        )
    kind = rng.random()
    if kind < 0.5:
        return urlencode(fields).encode()
    if kind < 0.6:
        return urlencode(fields).encode("latin-1", "replace") + b"&e=%E9\xe9"
    if kind < 0.8:
        return bytes(rng.randrange(256) for _n in range(rng.randrange(200)))
    if kind < 0.85:
        return b"a=" + b"x" * (300 * 1024)
    return b""


def main():
    workdir = Path(tempfile.mkdtemp(prefix="reperes-fuzz-"))
    env = environment(workdir)
    print(f"Repères — make fuzz-live — {REQUESTS} requests; preparing {workdir}")
    prepare(env)
    log_path = workdir / "server.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "deploy/gunicorn.conf.py",
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{PORT}",
                "--workers",
                "2",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            for _attempt in range(100):
                try:
                    urllib.request.urlopen(BASE + "/", timeout=1)
                    break
                except OSError:
                    time.sleep(0.2)
            student = Browser()
            csrf = student.csrf()
            _status, headers, _body = student.send(
                "POST",
                "/commencer/",
                urlencode({"csrfmiddlewaretoken": csrf}).encode(),
                {"Content-Type": "application/x-www-form-urlencoded"},
            )
            token = re.search(r"/q/([A-Za-z0-9_-]+)/", headers["Location"])[1]
            adviser = Browser()
            login_csrf = adviser.csrf("/conseiller/login/")
            adviser.send(
                "POST",
                "/conseiller/login/",
                urlencode(
                    {
                        "csrfmiddlewaretoken": login_csrf,
                        "username": "fuzz",
                        "password": "fuzz-adviser-2026-phrase",
                    }
                ).encode(),
                {"Content-Type": "application/x-www-form-urlencoded"},
            )
            rng = random.Random(int(os.environ.get("FUZZ_SEED", "2026")))
            statuses, server_errors = {}, []
            targets = paths(token, "ABCDEF")
            for _n in range(REQUESTS):
                browser = rng.choice([student, adviser, Browser()])
                method = rng.choice(["POST"] * 6 + ["GET", "PUT", "DELETE", "PATCH"])
                path = rng.choice(targets)
                headers = {"Content-Type": rng.choice(CONTENT_TYPES)}
                body = body_for(rng, csrf) if method != "GET" else None
                status, response_headers, _page = browser.send(method, path, body, headers)
                statuses[status] = statuses.get(status, 0) + 1
                if status >= 500:
                    server_errors.append((method, path, headers, status))
                elif "Content-Security-Policy" not in response_headers and not path.startswith(
                    "/static/"
                ):
                    server_errors.append((method, path, headers, "no security headers"))
        finally:
            server.terminate()
            server.wait(timeout=10)
    logged = log_path.read_text(errors="replace")
    tracebacks = logged.count("Traceback")
    print("statuses:", dict(sorted(statuses.items())))
    print(
        f"5xx or headerless responses: {len(server_errors)}; tracebacks in the log: {tracebacks};"
        f" live token in the log: {token in logged}"
    )
    for failure in server_errors[:10]:
        print("  ", failure)
    ok = not server_errors and not tracebacks and token not in logged
    print("ok" if ok else "FAILED", f"(log: {log_path})")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
