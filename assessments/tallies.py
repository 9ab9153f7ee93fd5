"""Running counts behind the national dashboard.

The national dashboard covers every attempt of a version; reading a million attempts and their
twenty million stored scores on each visit cannot fit its budget (QUALITY.md P4). So each
attempt is also counted in DailyTally rows — per version, per day the attempt was started
(the dashboards' date filter), per key — in the same transaction as the attempt itself:

- « started »: attempts started that day; « completed »: those completed, with the sum of
  their overall scores;
- « flag:<name> »: completed attempts with that response-quality flag;
- « track:<code> »: completed attempts whose first suggestion is that track;
- « category:<code> » and « expectation:<code> »: scores stored for that category or attendu,
  with their sum; « …:<code>:<band> »: how many of them fell in that band.

Content is counted by its code, which stays the same from one questionnaire version to the
next (an attendu's code is its official number), so the figures of several versions add up
code by code.

Starting an attempt adds to « started »; completing it adds the rest; deleting attempts (the
student, or the retention purge) takes away what they had added, so a figure never counts
data that no longer exists. `rebuild` recounts everything from the stored attempts (after a
restore, or to check); the tests prove the counts equal the attempts at every step.
"""

from collections import defaultdict

from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate, TruncWeek
from django.utils import timezone

from .models import Assessment, CategoryScore, DailyTally, ExpectationScore

FLAGS = ("straight_lining", "too_fast", "contradictory")


def _add(counts, key, n=1, total=0):
    entry = counts[key]
    entry[0] += n
    entry[1] += total


def _new_counts():
    return defaultdict(lambda: [0, 0])


def started(assessment):
    """Counts of an attempt just started."""
    counts = _new_counts()
    _add(counts, "started")
    return {(assessment.version_id, timezone.localdate(assessment.started_at)): counts}


def completed(assessment, *, overall, flags, top_track, category_scores, expectation_scores):
    """Counts of an attempt just completed; the scores are (code, score, band) triples."""
    counts = _new_counts()
    _add(counts, "completed", total=overall)
    for name in FLAGS:
        if flags[name]:
            _add(counts, f"flag:{name}")
    if top_track is not None:
        _add(counts, f"track:{top_track}")
    for kind, scores in (("category", category_scores), ("expectation", expectation_scores)):
        for code, score, band in scores:
            _add(counts, f"{kind}:{code}", total=score)
            _add(counts, f"{kind}:{code}:{band}")
    return {(assessment.version_id, timezone.localdate(assessment.started_at)): counts}


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
        **{name: Count("pk", filter=Q(**{f"flag_{name}": True})) for name in FLAGS},
    ):
        day = counts[row["version_id"], row["day"]]
        _add(day, "completed", row["n"], row["total"] or 0)
        if row["top_track__code"] is not None:
            _add(day, f"track:{row['top_track__code']}", row["n"])
        for name in FLAGS:
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
    """Add (sign 1) or take away (sign −1) counts, in one statement.

    An upsert that adds to existing rows; the rows are written in one fixed order, so two
    transactions counting on the same day wait for each other instead of deadlocking.
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


def rebuild():
    """Recount every tally from the stored attempts (one transaction is the caller's)."""
    DailyTally.objects.all().delete()
    apply(of_attempts(Assessment.objects.all()))


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
