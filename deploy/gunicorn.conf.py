"""gunicorn as Repères runs in production: `gunicorn -c deploy/gunicorn.conf.py config.wsgi`.

Every value can be overridden on the command line (--bind, --workers…) or with
GUNICORN_CMD_ARGS. The access log is on, with every line redacted (config/redaction.py): it
never holds a student's private link, a password-reset link or a share code.
"""

import glob
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
accesslog = "-"
errorlog = "-"
logger_class = "config.redaction.RedactingGunicornLogger"
# Requests larger than the app accepts never reach it (DJANGO's own limit is 256 KiB of body;
# the request line and headers are capped here, the body by the proxy: see deploy/nginx.conf).
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
# A slow client cannot hold a sync worker for long.
timeout = 30
# gunicorn 27's control socket has one default path per user: two instances on one machine would
# take it from each other. Nothing here uses it (systemd and HAProxy manage the instances).
control_socket_disable = True

# Prometheus metrics (DJANGO_METRICS=1, config/metrics.py): each worker writes its counts to
# files in PROMETHEUS_MULTIPROC_DIR and /metrics adds up every worker's. The variable must be in
# the environment before gunicorn starts, and each instance needs a directory of its own
# (docs/deployment.md, Metrics: /run/reperes-<port> under systemd). Without it, nothing here runs.
PROMETHEUS_MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def on_starting(server):
    # The files of an earlier run would be added to this one's counts. Only the metrics'
    # own files are removed, should the variable name a directory shared with anything else.
    if PROMETHEUS_MULTIPROC_DIR:
        for path in glob.glob(os.path.join(PROMETHEUS_MULTIPROC_DIR, "*.db")):
            os.remove(path)


def child_exit(server, worker):
    # A dead worker's counters stay (a total must never go down); its live gauges go.
    if PROMETHEUS_MULTIPROC_DIR:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid, PROMETHEUS_MULTIPROC_DIR)
