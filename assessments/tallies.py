"""The national summary: daily tallies rebuilt by the scheduled job.

The national dashboard covers every attempt; reading a million attempts and their twenty
million stored scores on each visit cannot fit its budget (QUALITY.md P4). So the scheduled job
(`manage.py purge`, each night; `manage.py rebuild_tallies` at any time) counts every attempt
into DailyTally rows — per version, per day the attempt was started (the dashboards' date
filter), per key — and the page reads those, saying when they were counted (« chiffres du … »):

- « started »: attempts started that day; « completed »: those completed, with the sum of
  their overall scores;
- one key per figure of COUNTS (response-quality flags): completed attempts it counts;
- « track:<code> »: completed attempts whose first suggestion is that track;
- « category:<code> » and « expectation:<code> »: scores stored for that category or attendu,
  with their sum; « …:<code>:<band> »: how many of them fell in that band.

Content is counted by its code, which stays the same from one questionnaire version to the
next (an attendu's code is its official number), so the figures of several versions add up
code by code.

Nothing is counted in a student's transaction: the counts used to be kept up to date by each
start, completion and deletion, about 45 upserts on the same daily rows inside every
completion, which every completing student then waited on. A rebuild takes seconds at a
million attempts (docs/benchmarks.md), and runs in one transaction, so the page never sees a
half-counted summary. A class's figures never use it: they are read from its questionnaires
(assessments/stats.py).
"""

from collections import defaultdict

from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate, TruncWeek
from django.utils import timezone

from .models import Assessment, CategoryScore, DailyTally, ExpectationScore, SummaryBuild

# The figures counted among completed questionnaires, beside participation, formations and
# scores: name → which ones. Adding a figure takes a line here, its row on the dashboards
# (templates/adviser/includes/quality_signals.html) and its label in the exports
# (adviser_views._labels); class and national figures both read it from here.
COUNTS = {
    "straight_lining": Q(flag_straight_lining=True),
    "too_fast": Q(flag_too_fast=True),
    "contradictory": Q(flag_contradictory=True),
}
FLAGS = tuple(COUNTS)


def _add(counts, key, n=1, total=0):
    entry = counts[key]
    entry[0] += n
    entry[1] += total


def _new_counts():
    return defaultdict(lambda: [0, 0])


def of_attempts(attempts):
    """Counts of a queryset of attempts, computed in the database (four grouped queries)."""
    counts = defaultdict(_new_counts)
    attempts = attempts.order_by()
    done = attempts.filter(completed_at__isnull=False)
    for row in attempts.values("version_id", day=TruncDate("started_at")).annotate(n=Count("pk")):
        _add(counts[row["version_id"], row["day"]], "started", row["n"])
    for row in done.values("version_id", "top_track__code", day=TruncDate("started_at")).annotate(
        n=Count("pk"),
        total=Sum("overall_score"),
        **{name: Count("pk", filter=q) for name, q in COUNTS.items()},
    ):
        day = counts[row["version_id"], row["day"]]
        _add(day, "completed", row["n"], row["total"] or 0)
        if row["top_track__code"] is not None:
            _add(day, f"track:{row['top_track__code']}", row["n"])
        for name in COUNTS:
            if row[name]:
                _add(day, f"flag:{name}", row[name])
    for kind, model in (("category", CategoryScore), ("expectation", ExpectationScore)):
        scores = (
            model.objects.filter(assessment__in=done)
            .order_by()
            .values(
                "band",
                code=F(f"{kind}__code"),
                version_id=F("assessment__version_id"),
                day=TruncDate("assessment__started_at"),
            )
            .annotate(n=Count("pk"), total=Sum("score"))
        )
        for row in scores:
            key = (row["version_id"], row["day"])
            _add(counts[key], f"{kind}:{row['code']}", row["n"], row["total"])
            _add(counts[key], f"{kind}:{row['code']}:{row['band']}", row["n"])
    return counts


def apply(counts, sign=1):
    """Add (sign 1) or take away (sign −1) counts, in one statement per batch.

    An upsert that adds to existing rows; the rows are written in one fixed order, so two
    transactions counting on the same day would wait for each other instead of deadlocking.
    """
    rows = sorted(
        (version_id, day.isoformat(), code, sign * n, sign * total)
        for (version_id, day), entries in counts.items()
        for code, (n, total) in entries.items()
    )
    table = DailyTally._meta.db_table
    # Batches keep within the database's limit of parameters a statement (SQLite: 999).
    batch = (connection.features.max_query_params or 5000) // 5
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} (version_id, day, code, n, total) VALUES {values} "
                f"ON CONFLICT (version_id, day, code) DO UPDATE "
                f"SET n = {table}.n + excluded.n, total = {table}.total + excluded.total",
                [value for row in chunk for value in row],
            )


def rebuild(*, now=None):
    """Recount every tally from the stored attempts (one transaction is the caller's)."""
    now = now or timezone.now()
    DailyTally.objects.all().delete()
    apply(of_attempts(Assessment.objects.filter(started_at__lte=now)))
    SummaryBuild.objects.all().delete()
    return SummaryBuild.objects.create(built_at=now)


def built():
    """When the summary was last counted (None: never)."""
    return SummaryBuild.objects.values_list("built_at", flat=True).first()


def _in_range(version, date_from, date_to):
    rows = DailyTally.objects.all()
    if version is not None:
        rows = rows.filter(version=version)
    if date_from is not None:
        rows = rows.filter(day__gte=date_from)
    if date_to is not None:
        rows = rows.filter(day__lte=date_to)
    return rows.order_by()


def totals(version, *, date_from=None, date_to=None):
    """({code: (n, total)}, {version id: completed}) over a version (None: every version) and a
    range of start days: one query."""
    rows = _in_range(version, date_from, date_to).values_list("version_id", "code")
    found, versions = {}, {}
    for version_id, code, n, total in rows.annotate(n=Sum("n"), total=Sum("total")):
        before = found.get(code, (0, 0))
        found[code] = (before[0] + n, before[1] + total)
        if code == "completed" and n:
            versions[version_id] = n
    return found, versions


def weeks(version, *, date_from=None, date_to=None):
    """[(week, completed, sum of overall scores)] in week order: one query."""
    # A day whose attempts were all deleted keeps a row at 0: it is no week of activity.
    rows = _in_range(version, date_from, date_to).filter(code="completed", n__gt=0)
    return [
        (row["week"], row["n"], row["total"])
        for row in rows.values(week=TruncWeek("day"))
        .annotate(n=Sum("n"), total=Sum("total"))
        .order_by("week")
    ]
