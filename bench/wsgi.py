"""gunicorn's entry point for `make bench`: the app as deployed (config/wsgi.py), and beside
it, at BARE_PATH, a bare WSGI function returning the step page's bytes.

The bare function is the ceiling of what gunicorn and wrk can do on this machine with a page
of that size; the step page's throughput is read as a share of it (QUALITY.md P7). It serves
the bytes of BENCH_BARE_BODY, the step page the runner saved after starting the server.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from config.wsgi import application as app  # noqa: E402

BARE_PATH = "/bench/bare/"
_body = []


def bare(environ, start_response):
    if not _body:
        with open(os.environ["BENCH_BARE_BODY"], "rb") as saved:
            _body.append(saved.read())
    body = _body[0]
    start_response(
        "200 OK",
        [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
    )
    return [body]


def application(environ, start_response):
    if environ.get("PATH_INFO") == BARE_PATH:
        return bare(environ, start_response)
    return app(environ, start_response)
