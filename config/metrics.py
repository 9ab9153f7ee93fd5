"""Prometheus metrics, switched on by DJANGO_METRICS=1; off, nothing here runs.

Off (the default), the settings add no middleware and `count_completion` returns at once:
prometheus_client is never imported. On, MetricsMiddleware, outermost, counts and times every
request, labelled by the name of the URL pattern it matched, its method and its status, never
by its path: paths hold students' private links and share codes. It also answers GET /metrics
in Prometheus' text format to the addresses of METRICS_ALLOWED_IPS, judged on the connection's
own address (REMOTE_ADDR): Prometheus scrapes each instance on its own port, not through the
balancer, which never forwards /metrics (deploy/). For anyone else /metrics is not there: the
request goes on through the site like any unknown address and gets its ordinary 404.

gunicorn's workers are separate processes. With PROMETHEUS_MULTIPROC_DIR set, each worker
writes its values to files in that directory, and /metrics adds up every worker's
(deploy/gunicorn.conf.py empties it when the instance starts). prometheus_client reads the
variable when it is first imported, so it must be in the environment before gunicorn starts.
"""

import ipaddress
import os
import time
from functools import cache
from typing import Any, NamedTuple

from django.conf import settings
from django.http import HttpResponse

PATH = "/metrics"
# The label of a request that matched no URL pattern (an unknown address, or a request
# answered before its URL was read, such as the redirect to HTTPS).
UNMATCHED = "unmatched"
# Stylesheets and scripts, served by WhiteNoise before any URL is read.
STATIC = "static"
# Any other method a client makes up is counted as "other": a label takes few values.
METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))
# Seconds. Pages take 1–300 ms; edges fall on QUALITY.md's targets (a step's p95 100 ms, a
# save's p99 200 ms on PostgreSQL and 600 ms on SQLite, dashboards 50 and 300 ms).
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.6, 1.0, 2.5, 5.0, 10.0)


class Instruments(NamedTuple):
    requests: Any
    duration: Any
    completed: Any


@cache
def instruments():
    """The metrics of this process, made on first use: only a site with metrics on imports
    prometheus_client."""
    import prometheus_client
    from prometheus_client import Counter, Histogram

    # The "_created" series would double every series for a start time Prometheus does not use.
    prometheus_client.disable_created_metrics()
    return Instruments(
        requests=Counter(
            "reperes_http_requests_total",
            "Requests answered, by URL name, method and status.",
            ["view", "method", "status"],
        ),
        duration=Histogram(
            "reperes_http_request_duration_seconds",
            "Time to answer a request, by URL name (a streamed export: to its first byte).",
            ["view"],
            buckets=BUCKETS,
        ),
        completed=Counter(
            "reperes_questionnaires_completed_total", "Questionnaires completed and stored."
        ),
    )


def count_completion():
    """A questionnaire was completed (assessments/services.py); nothing when metrics are off."""
    if settings.METRICS:
        instruments().completed.inc()


def registry():
    """What /metrics reports: every worker's files in multiprocess mode, else this process."""
    import prometheus_client
    from prometheus_client.multiprocess import MultiProcessCollector

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # A fresh registry each time: the collector reads the files as they are now.
        fresh = prometheus_client.CollectorRegistry()
        MultiProcessCollector(fresh)
        return fresh
    return prometheus_client.REGISTRY


def scrape():
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    response = HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response


class MetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.scrapers = [ipaddress.ip_network(entry) for entry in settings.METRICS_ALLOWED_IPS]
        self.instruments = instruments()
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request):
        # Answered here, before the HTTPS redirect and the host check: Prometheus asks an
        # instance by its address, over plain HTTP. A scrape is not the site's traffic.
        if request.path_info == PATH and self.may_scrape(request):
            return scrape()
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        match = request.resolver_match
        if match is not None:
            view = match.view_name
        elif request.path_info.startswith(self.static_prefix):
            view = STATIC
        else:
            view = UNMATCHED
        method = request.method if request.method in METHODS else "other"
        self.instruments.requests.labels(view, method, str(response.status_code)).inc()
        self.instruments.duration.labels(view).observe(elapsed)
        return response

    def may_scrape(self, request):
        if request.method not in ("GET", "HEAD"):
            return False
        # A request that came through a proxy carries a forwarded header (nginx always sets
        # X-Forwarded-For): a front that forwarded /metrics, from an allowed address of its
        # own, still gets nothing.
        if "HTTP_X_FORWARDED_FOR" in request.META or "HTTP_FORWARDED" in request.META:
            return False
        try:
            address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
        except ValueError:
            return False
        if address.version == 6 and address.ipv4_mapped is not None:
            address = address.ipv4_mapped  # a dual-stack bind reports IPv4 clients this way
        return any(address in network for network in self.scrapers)
