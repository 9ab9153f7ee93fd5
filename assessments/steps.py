"""What a step page needs to know about an attempt, read in one query.

Every step page, shown or posted, starts here: the attempt behind the private link and the
answers it holds. The state is a frozen value, not a model instance, so nothing loads later
behind the caller's back (a deferred field would cost a query of its own when a step
completes the questionnaire).
"""

from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.utils import timezone

from .models import Answer, Assessment, digest


@dataclass(frozen=True)
class StepState:
    attempt_id: int
    version_id: int
    started_at: datetime
    updated_at: datetime  # moved by every save: unchanged, nothing was written since the read
    cohort_id: int | None  # completion counts a class's questionnaire in its blocks
    previous_id: int | None  # …in the blocks of retakes when it follows another attempt
    completed: bool
    saved: dict  # item pk → stored answer

    @property
    def pk(self):
        # services.save_step takes an Assessment or this state: both answer to pk.
        return self.attempt_id


def load_step_state(token):
    """The attempt behind a private link with its saved answers, or None (unknown token)."""
    rows = _step_rows(digest(token))
    if not rows:
        return None
    attempt_id, version_id, started_at, updated_at, cohort_id, previous_id, completed = rows[0][:7]
    return StepState(
        attempt_id=attempt_id,
        version_id=version_id,
        started_at=_aware(started_at),
        updated_at=_aware(updated_at),
        cohort_id=cohort_id,
        previous_id=previous_id,
        completed=bool(completed),
        saved={item: value for *_attempt, item, value in rows if item is not None},
    )


# The one hand-written query of the student side. The same query built through the ORM
# (values_list over the join) costs ten times as much Python as the database takes to answer
# it, on every step shown or posted (docs/benchmarks.md). One row per saved answer, one row
# with no answer before the first save: the attempt's columns repeat, cheaper than a second
# round trip.
STEP_SQL = (
    "SELECT a.id, a.version_id, a.started_at, a.updated_at, a.cohort_id, a.previous_id, "
    "a.completed_at IS NOT NULL, n.item_id, n.value "
    f"FROM {Assessment._meta.db_table} a "
    f"LEFT JOIN {Answer._meta.db_table} n ON n.assessment_id = a.id "
    "WHERE a.token_digest = %s"
)


def _aware(moment):
    # SQLite's driver hands back the stored UTC time without its zone.
    return moment.replace(tzinfo=UTC) if timezone.is_naive(moment) else moment


def _step_rows(token_digest):
    # The step's query is the connection's health check. Django's check is a SELECT 1 before
    # the first query of each request on a reused connection: a round trip on every step, for
    # a server that is almost always there. Here the step's query goes first; if the connection
    # turns out dead (the database restarted since the last request), it is opened again and
    # the query, a read, is sent once more, which is what the check would have done.
    db = connections[DEFAULT_DB_ALIAS]
    unchecked = db.connection is not None and db.health_check_enabled and not db.health_check_done
    if unchecked:
        db.health_check_done = True
    try:
        return _fetch(db, token_digest)
    except (OperationalError, InterfaceError):
        if not unchecked or db.in_atomic_block:
            raise
        db.close()
        return _fetch(db, token_digest)


def _fetch(db, token_digest):
    """The step's rows, through a statement PostgreSQL keeps parsed and planned where it may.

    Parsing and planning the query took twice as long as running it (docs/benchmarks.md).
    psycopg prepares it on the server the first time it is sent on a connection, unless the
    connection prepares nothing (behind a transaction pooler, settings.TRANSACTION_POOLER).
    Django's cursors bind on the client and cannot prepare, so psycopg's own cursor sends it;
    Django's wrapper, which counts queries, is added only when queries are counted (tests,
    DEBUG): it costs a third of the query's Python time."""
    db.ensure_connection()
    if db.vendor != "postgresql" or db.connection.prepare_threshold is None:
        with db.cursor() as cursor:
            cursor.execute(STEP_SQL, [token_digest])
            return cursor.fetchall()
    with db.wrap_database_errors, psycopg.Cursor(db.connection) as raw:
        cursor = db.make_debug_cursor(raw) if db.queries_logged else raw
        cursor.execute(STEP_SQL, [token_digest])
        return cursor.fetchall()
