"""/healthz, for a load balancer: 200 when this instance can serve, 503 when it cannot.

It can serve when its database answers and every migration of the code it runs is applied
(an instance started before `migrate` would otherwise serve pages whose tables do not exist
yet). Reading the migration files takes tens of milliseconds, so an instance that found them
applied does not read them again: migrations are never unapplied under a running instance.
The answer names no version, host or error text: it is public.
"""

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

_migrated = False


def _ask_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _pending_migrations():
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


@never_cache
@require_safe
def healthz(request):
    global _migrated
    try:
        _ask_database()
        if not _migrated:
            pending = _pending_migrations()
            if pending:
                return JsonResponse({"database": "ok", "migrations": "pending"}, status=503)
            _migrated = True
    except DatabaseError:
        return JsonResponse({"database": "unreachable"}, status=503)
    return JsonResponse({"database": "ok", "migrations": "applied"})
