"""Which database a query goes to when a streaming replica is configured.

Without DATABASE_REPLICA_URL there is one database and nothing here does anything. With it,
settings add a "replica" database, this router and the pinning middleware, and:

- every write, and every read by default, goes to the primary: a student's own answers, the
  sign-in, sessions, the admin, anything inside a transaction;
- only views marked `@reads_from_replica` (advisers' dashboards, class reports, comparisons and
  exports: heavy aggregates over many rows, read-only apart from their audit line) read the
  replica, which takes that load off the primary;
- read-after-write: a browser that has just sent a POST (changed a class, invited a colleague)
  carries for REPLICA_PIN_SECONDS a cookie that keeps its reads on the primary, so the page it is
  redirected to shows the change even when the replica is a moment behind.

The replica is a hot standby fed by streaming replication (docs/deployment.md); on one machine
its lag is milliseconds, across a network usually well under a second, hence the default pin.
"""

import contextvars
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
PIN_COOKIE = "reperes_primary"

_replica_allowed = contextvars.ContextVar("replica_allowed", default=False)


def replica_configured():
    return REPLICA in settings.DATABASES


def in_transaction():
    return connections[DEFAULT_DB_ALIAS].in_atomic_block


def read_alias():
    """The database a read issued now goes to; exports that stream after their view has
    returned build their queryset `.using()` this, chosen while the view runs."""
    if _replica_allowed.get() and not in_transaction():
        return REPLICA
    return DEFAULT_DB_ALIAS


def reads_from_replica(view):
    """Let the view's reads go to the replica, unless this browser has just written."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not replica_configured() or PIN_COOKIE in request.COOKIES:
            return view(request, *args, **kwargs)
        token = _replica_allowed.set(True)
        try:
            return view(request, *args, **kwargs)
        finally:
            _replica_allowed.reset(token)

    return wrapper


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica is a copy of the primary: an object read from either may point at one
        # read from the other.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # A hot standby is read-only: it receives the schema through replication.
        return db == DEFAULT_DB_ALIAS


def pin_after_write(get_response):
    """After a POST, pin this browser's reads to the primary for a few seconds."""

    def middleware(request):
        response = get_response(request)
        if request.method == "POST":
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    return middleware
