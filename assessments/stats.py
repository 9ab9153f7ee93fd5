"""Class and national aggregates, computed in the database.

Every figure group is one query (an aggregate or a grouped annotate over stored scores), so a
dashboard costs the same number of queries for ten attempts or a million. A class or an
adviser's classes are read from their attempts, by blocks (BlockFigures); an administrator's
view of every attempt reads the daily tallies instead (TalliedFigures), whose cost does not
grow with the number of attempts at all; LiveFigures reads any set of attempts as it is, and the
tests prove it gives the same figures as the tallies. Nothing is computed
over fewer completed attempts than settings.MIN_GROUP_SIZE: below it, the dashboard says so and
shows only how many started and finished.

Figures are read across questionnaire versions, code by code: an attendu, a category or a
formation keeps its code from one version to the next, so a class whose students took 2026-1
and 2026-2 is one class of all its students, and publishing a version never empties a
dashboard. The labels are those of the version chosen (the current one by default); where the
statements of an attendu differ between the versions counted, its row says so. Choosing a
version narrows the figures to it (for a class: to the blocks that hold questionnaires of it).

A class's figures cannot be picked apart (BlockFigures): they add up closed class blocks
(assessments/blocks.py), each of at least MIN_GROUP_SIZE completed first questionnaires, whose
membership never changes once closed. A date or version filter takes every block it touches,
whole; an adviser's view of all their classes is the union of each class's blocks. Any two
figures an adviser can see therefore differ by whole blocks or not at all.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import NamedTuple

from django.conf import settings
from django.db.models import Avg, BooleanField, Count, ExpressionWrapper, F, Q, Sum, Value
from django.db.models.functions import TruncWeek
from django.utils import timezone

from orientation.models import QuestionnaireVersion
from orientation.outline import questionnaire_content, version_content

from . import scoring, tallies
from .charts import bar_chart, stacked_chart
from .models import Assessment, CategoryScore, Cohort, ExpectationScore

DONE = Q(completed_at__isnull=False)
WEAKEST_COUNT = 3
BUT_TRACK = "BUT-AS"  # the formation Repères is about
# A formation suggested first to fewer students than this joins « other formations »: in a
# class of 10 to 35, a row of one or two students could point at someone's interests.
TRACK_MINIMUM = 3


WEEK, DAY = timedelta(days=7), timedelta(days=1)


def scoped_assessments(user, *, cohort=None, version=None, date_from=None, date_to=None):
    """Attempts an adviser may aggregate: their cohorts' (or one cohort's); admins: all."""
    attempts = Assessment.objects.all()
    if cohort is not None:
        attempts = attempts.filter(cohort=cohort)
    elif not user.is_superuser:
        # The ids themselves, not a subquery: « owned or invited to » as a subquery made
        # PostgreSQL expect half the classes and scan every questionnaire, where the index on
        # the class finds a list of ids directly (docs/benchmarks.md, adviser overview).
        mine = Cohort.objects.for_user(user).values_list("pk", flat=True)
        attempts = attempts.filter(cohort__in=list(mine))
    if version is not None:
        attempts = attempts.filter(version=version)
    if date_from is not None:
        attempts = attempts.filter(started_at__date__gte=date_from)
    if date_to is not None:
        attempts = attempts.filter(started_at__date__lte=date_to)
    return attempts


@dataclass(frozen=True)
class Catalogue:
    """Every published version's content as a dashboard reads it: by stable code.

    `first` gives the labels (the version chosen, or the current one); a code only older
    versions have keeps its last label. `codes` turns stored row ids into codes."""

    first: object  # orientation.outline.Questionnaire
    codes: dict  # (kind, pk) → code, kind: "category", "expectation" or "track"
    categories: dict  # code → ContentStep
    expectations: dict  # code → ContentExpectation
    tracks: dict  # code → ContentTrack
    statements: dict  # (attendu code, version id) → its statements, in French
    version_codes: dict  # version id → version code
    version_rules: dict  # version id → its scoring rules


def catalogue(first, versions=None):
    """The catalogue with `first`'s labels first, over the published and archived `versions`
    (read in one query if not given); their content is cached per process
    (orientation/outline.py)."""
    if versions is None:
        versions = QuestionnaireVersion.objects.exclude(status=QuestionnaireVersion.Status.DRAFT)
    contents = [first] + [
        questionnaire_content(version)
        for version in sorted(versions, key=lambda version: -version.pk)
        if version.pk != first.version_id
    ]
    codes, categories, expectations, tracks, statements = {}, {}, {}, {}, {}
    for content in contents:
        for kind, rows, found in (
            ("category", content.steps, categories),
            ("expectation", content.expectations, expectations),
            ("track", content.tracks, tracks),
        ):
            for row in rows:
                codes[kind, row.pk] = row.code
                found.setdefault(row.code, row)
        # Statements compare in French, the language every version is written in.
        for item in version_content(content.version_id, "fr").items:
            if item.expectation is not None:
                key = (item.expectation, content.version_id)
                statements[key] = (*statements.get(key, ()), str(item.statement))
    return Catalogue(
        first=first,
        codes=codes,
        categories=categories,
        expectations=expectations,
        tracks=tracks,
        statements=statements,
        version_codes={content.version_id: content.version_code for content in contents},
        version_rules={content.version_id: content.rules for content in contents},
    )


@dataclass
class Distribution:
    code: str
    label: str
    n: int
    mean: float
    band: object
    shares: list  # (band, percent) in band order, highest band first
    # The standard deviation of the scores: read from questionnaires only, never from tallies.
    sd: float | None = field(default=None, compare=False)
    workshops: tuple = ()  # activities for teachers (orientation.outline.ContentWorkshop)
    changed_between: tuple = ()  # version codes whose statements for it differ


@dataclass
class Dashboard:
    started: int
    completed: int
    min_group_size: int
    suppressed: bool
    counted: int = 0  # completed questionnaires inside published blocks (all, nationally)
    students: int | None = None  # students who completed (first questionnaires), for a class
    period: tuple | None = None  # (first, last) day the published blocks cover, when filtered
    versions: tuple = ()  # codes of the questionnaire versions counted
    # Read from the national summary, counted at `as_of` (where, not what: not compared).
    national: bool = field(default=False, compare=False)
    as_of: object = field(default=None, compare=False)
    categories: list = field(default_factory=list)
    expectations: list = field(default_factory=list)
    weakest: list = field(default_factory=list)
    tracks: list = field(default_factory=list)
    flags: dict = field(default_factory=dict)  # name → percent of the counted questionnaires
    flag_counts: dict = field(default_factory=dict)
    but_caveat: str = ""
    other_tracks: tuple = (0, 0)  # (students, percent) of formations under TRACK_MINIMUM
    undecided: tuple = (0, 0)  # (students, percent) with no formation first (flat or tied)
    track_minimum: int = TRACK_MINIMUM
    first_rules_counted: bool = False  # a version scored by rules 1 is among those counted
    weeks: list = field(default_factory=list)
    category_chart: dict | None = None
    expectation_chart: dict | None = None
    category_spread: dict | None = None
    expectation_spread: dict | None = None

    @property
    def completion_rate(self):
        return round(100 * self.completed / self.started) if self.started else 0

    @property
    def held_back(self):
        """Completed first questionnaires not yet in a block shown (too few in their class);
        retakes are never held back: they are never counted."""
        done = self.completed if self.students is None else self.students
        return max(0, done - self.counted)


def _grouped(model, key, kind, attempts):
    return (
        model.objects.filter(assessment__in=attempts.filter(DONE))
        .values(key, "band")
        .annotate(
            kind=Value(kind),
            n=Count("pk"),
            total=Sum("score"),
            squares=Sum(F("score") * F("score")),
        )
        .values_list("kind", key, "band", "n", "total", "squares")
        .order_by()
    )


def _score_rows(attempts, bands, codes):
    """Per category and per attendu code: n, mean and per-band counts, from one UNION ALL
    query grouped by category or attendu and band (at most versions × 21 × 5 rows, whatever
    the attempts), summed here code by code. Per-band counts written as filtered aggregates
    cost the ORM more to build than the database to run."""
    categories = _grouped(CategoryScore, "category_id", "category", attempts)
    expectations = _grouped(ExpectationScore, "expectation_id", "expectation", attempts)
    column = {band.code: f"band_{i}" for i, band in enumerate(bands)}
    rows = {"category": {}, "expectation": {}}
    for kind, pk, band, n, total, squares in categories.union(expectations, all=True):
        code = codes[kind, pk]
        row = rows[kind].setdefault(
            code, dict.fromkeys(["n", "total", "squares", *column.values()], 0)
        )
        row["n"] += n
        row["total"] += total
        row["squares"] += squares
        if band in column:
            row[column[band]] += n
    for by_code in rows.values():
        for row in by_code.values():
            row["mean"] = row["total"] / row["n"]
            if row["n"] > 1:
                row["sd"] = max(0, (row["squares"] - row["total"] ** 2 / row["n"]) / (row["n"] - 1))
                row["sd"] **= 0.5
    return rows


def _changed_between(code, catalogue, version_ids):
    """The versions counted whose statements for this attendu differ, or ()."""
    counted = [pk for pk in sorted(version_ids) if (code, pk) in catalogue.statements]
    if len({catalogue.statements[code, pk] for pk in counted}) < 2:
        return ()
    return tuple(catalogue.version_codes[pk] for pk in counted)


def _distributions(by_code, bands, labels, changed=lambda code: ()):
    result = []
    for code, (label, workshops) in labels.items():
        row = by_code.get(code)
        if row is None:
            continue
        shares = [(band, round(100 * row[f"band_{i}"] / row["n"])) for i, band in enumerate(bands)]
        result.append(
            Distribution(
                code=code,
                label=label,
                n=row["n"],
                mean=round(row["mean"], 1),
                band=scoring.band_for(row["mean"], bands),
                shares=shares,
                sd=row.get("sd"),
                workshops=workshops,
                changed_between=changed(code),
            )
        )
    return result


def _counts():
    """The figures of tallies.COUNTS as filtered counts of a grouped query."""
    return {name: Count("pk", filter=DONE & q) for name, q in tallies.COUNTS.items()}


def _new_overview(catalogue, *names):
    overview = dict.fromkeys((*names, *tallies.COUNTS), 0)
    overview.update((f"track:{code}", 0) for code in catalogue.tracks)
    overview["versions"] = set()
    return overview


class LiveFigures:
    """Figures read from the attempts themselves: any set of attempts, as it is."""

    def __init__(self, attempts):
        self.attempts = attempts

    def overview(self, catalogue):
        """Participation, quality flags and the first suggestion per formation: one grouped
        query, summed here. Its groups (finished or not × version × formation × flags) are
        bounded by the content, not by the number of attempts; a count per formation and flag
        written as filtered aggregates cost the ORM a hundred times more to build than the
        query takes to run (docs/benchmarks.md)."""
        groups = (
            self.attempts.annotate(done=ExpressionWrapper(DONE, output_field=BooleanField()))
            .values_list("done", "version_id", "top_track_id")
            .annotate(n=Count("pk"), **_counts())
            .order_by()
        )
        overview = _new_overview(catalogue, "started", "completed")
        for done, version_id, top_track_id, n, *counts in groups:
            overview["started"] += n
            if not done:
                continue
            overview["completed"] += n
            overview["versions"].add(version_id)
            for name, count in zip(tallies.COUNTS, counts, strict=True):
                overview[name] += count
            if top_track_id is not None:
                overview[f"track:{catalogue.codes['track', top_track_id]}"] += n
        return overview

    def score_rows(self, catalogue, bands):
        return _score_rows(self.attempts, bands, catalogue.codes)

    def period(self):
        return None

    def weeks(self):
        """(first day, last day, completed, mean overall score) per week the attempts were
        started: one query."""
        rows = (
            self.attempts.filter(DONE)
            .annotate(week=TruncWeek("started_at"))
            .values("week")
            .annotate(n=Count("pk"), mean=Avg("overall_score"))
            .order_by("week")
        )
        return [
            (
                timezone.localdate(row["week"]),
                timezone.localdate(row["week"]) + WEEK - DAY,
                row["n"],
                row["mean"],
            )
            for row in rows
        ]


@dataclass(frozen=True)
class PublishedBlock:
    """A closed class block (assessments/blocks.py) as a dashboard shows it: its completed
    questionnaires now, and the weeks and versions they were started in."""

    pk: int
    first_week: date  # Monday of the first week one of its questionnaires was started
    last_week: date
    completed: int
    total: int  # sum of the overall scores
    versions: frozenset = frozenset()

    @property
    def last_day(self):
        return self.last_week + WEEK - DAY

    def touches(self, date_from, date_to, version_id=None):
        return (
            (date_from is None or self.last_day >= date_from)
            and (date_to is None or self.first_week <= date_to)
            and (version_id is None or version_id in self.versions)
        )


class Group(NamedTuple):
    """One group of a class's questionnaires, as BlockFigures reads them."""

    block_id: int | None
    closed: bool
    week: object
    version_id: int
    done: bool
    first: bool  # a first questionnaire, not a retake
    track_id: int | None
    n: int
    total: int | None  # sum of the overall scores
    counts: tuple  # how many each figure of tallies.COUNTS counts


class BlockFigures:
    """A class's figures (or an adviser's classes'), built from whole closed blocks only: of
    first questionnaires, or of retakes (`retake`) for a before/after comparison.

    One grouped query (block × closed × week × version × finished × first × first formation ×
    flags: bounded by the blocks, weeks and content, not by the number of attempts) gives the
    blocks, the participation, the flags, the formations and the trend; the score
    distributions are read from the questionnaires of the blocks shown."""

    def __init__(
        self, attempts, *, version=None, date_from=None, date_to=None, min_size, retake=False
    ):
        self.scope, self.date_from, self.date_to = attempts, date_from, date_to
        self.version_id = None if version is None else version.pk
        self.min_size, self.retake = min_size, retake

    @cached_property
    def groups(self):
        rows = (
            self.scope.annotate(
                done=ExpressionWrapper(DONE, output_field=BooleanField()),
                first=ExpressionWrapper(Q(previous__isnull=True), output_field=BooleanField()),
                closed=ExpressionWrapper(
                    Q(block__closed_at__isnull=False), output_field=BooleanField()
                ),
                week=TruncWeek("started_at"),
            )
            .values_list(
                "block_id",
                "closed",
                "week",
                "version_id",
                "done",
                "first",
                "top_track_id",
            )
            .annotate(n=Count("pk"), total=Sum("overall_score"), **_counts())
            .order_by()
        )
        return [Group(*row[:9], tuple(row[9:])) for row in rows]

    @cached_property
    def blocks(self):
        """The blocks shown: closed, still holding MIN_GROUP_SIZE, of first questionnaires (or
        of retakes), touching the filters."""
        found = {}
        for group in self.groups:
            if group.block_id is None or not group.closed or not group.done:
                continue
            if group.first == self.retake:
                continue
            monday = timezone.localdate(group.week)
            first, last, count, sum_, versions = found.get(
                group.block_id, (monday, monday, 0, 0, frozenset())
            )
            found[group.block_id] = (
                min(first, monday),
                max(last, monday),
                count + group.n,
                sum_ + (group.total or 0),
                versions | {group.version_id},
            )
        every = [PublishedBlock(pk, *values) for pk, values in found.items()]
        return {
            block.pk: block
            for block in every
            if block.completed >= self.min_size
            and block.touches(self.date_from, self.date_to, self.version_id)
        }

    def _in_filters(self, monday, version_id):
        return (
            (self.date_from is None or monday + WEEK - DAY >= self.date_from)
            and (self.date_to is None or monday <= self.date_to)
            and (self.version_id is None or version_id == self.version_id)
        )

    def overview(self, catalogue):
        overview = _new_overview(catalogue, "started", "completed", "counted", "students")
        for group in self.groups:
            shown, n = group.block_id in self.blocks, group.n
            if shown or self._in_filters(timezone.localdate(group.week), group.version_id):
                # Participation counts whole weeks, and the whole of every block shown.
                overview["started"] += n
                overview["completed"] += n if group.done else 0
                overview["students"] += n if group.done and group.first else 0
            if not group.done or not shown:
                continue
            overview["counted"] += n
            overview["versions"].add(group.version_id)
            for name, count in zip(tallies.COUNTS, group.counts, strict=True):
                overview[name] += count
            if group.track_id is not None:
                overview[f"track:{catalogue.codes['track', group.track_id]}"] += n
        return overview

    def published(self):
        return self.scope.filter(block_id__in=list(self.blocks))

    def score_rows(self, catalogue, bands):
        return _score_rows(self.published(), bands, catalogue.codes)

    def weeks(self):
        """The trend per block shown: (first day, last day, completed, mean overall score)."""
        ordered = sorted(self.blocks.values(), key=lambda block: (block.first_week, block.pk))
        return [
            (block.first_week, block.last_day, block.completed, block.total / block.completed)
            for block in ordered
        ]

    def period(self):
        if not self.blocks or (self.date_from is None and self.date_to is None):
            return None
        return (
            min(block.first_week for block in self.blocks.values()),
            max(block.last_day for block in self.blocks.values()),
        )


class TalliedFigures:
    """The same figures read from the daily tallies: every attempt (or a version's),
    nationally, in two queries whatever their number (assessments/tallies.py)."""

    def __init__(self, version=None, *, date_from=None, date_to=None):
        self.version, self.date_from, self.date_to = version, date_from, date_to

    def period(self):
        return None

    def as_of(self):
        return tallies.built()

    @cached_property
    def _totals(self):
        return tallies.totals(self.version, date_from=self.date_from, date_to=self.date_to)

    def _count(self, code):
        return self._totals[0].get(code, (0, 0))

    def overview(self, catalogue):
        overview = _new_overview(catalogue)
        overview.update(
            started=self._count("started")[0],
            completed=self._count("completed")[0],
            versions=set(self._totals[1]),
            **{name: self._count(f"flag:{name}")[0] for name in tallies.COUNTS},
        )
        for code in catalogue.tracks:
            overview[f"track:{code}"] = self._count(f"track:{code}")[0]
        return overview

    def score_rows(self, catalogue, bands):
        rows = {"category": {}, "expectation": {}}
        keys = [("category", code) for code in catalogue.categories] + [
            ("expectation", code) for code in catalogue.expectations
        ]
        for kind, code in keys:
            n, total = self._count(f"{kind}:{code}")
            if n:
                rows[kind][code] = {
                    "n": n,
                    "mean": total / n,
                    **{
                        f"band_{i}": self._count(f"{kind}:{code}:{band.code}")[0]
                        for i, band in enumerate(bands)
                    },
                }
        return rows

    def weeks(self):
        return [
            (week, week + WEEK - DAY, n, total / n)
            for week, n, total in tallies.weeks(
                self.version, date_from=self.date_from, date_to=self.date_to
            )
        ]


def figures_for(user, *, cohort=None, version=None, date_from=None, date_to=None):
    """Where a dashboard's figures come from: an administrator's view of everything reads the
    tallies; a class or an adviser's classes are read from their attempts, by whole blocks."""
    if cohort is None and user.is_superuser:
        return TalliedFigures(version, date_from=date_from, date_to=date_to)
    return BlockFigures(
        scoped_assessments(user, cohort=cohort),
        version=version,
        date_from=date_from,
        date_to=date_to,
        min_size=settings.MIN_GROUP_SIZE,
    )


def dashboard(figures, content, versions=None):
    """All figures of a dashboard, across versions; `content` (a version's) gives the labels;
    `versions`, the published and archived versions, if already read."""
    min_size = settings.MIN_GROUP_SIZE
    catalogue_ = catalogue(content, versions)
    overview = figures.overview(catalogue_)
    counted = overview.get("counted", overview["completed"])
    versions = overview["versions"]
    board = Dashboard(
        started=overview["started"],
        completed=overview["completed"],
        min_group_size=min_size,
        suppressed=counted < min_size,
        counted=counted,
        students=overview.get("students"),
        national=isinstance(figures, TalliedFigures),
        as_of=figures.as_of() if isinstance(figures, TalliedFigures) else None,
        period=figures.period(),
        versions=tuple(catalogue_.version_codes[pk] for pk in sorted(versions)),
    )
    if board.suppressed:
        return board

    bands = list(content.bands)  # highest first
    board.flag_counts = {name: overview[name] for name in tallies.COUNTS}
    board.flags = {name: round(100 * n / counted) for name, n in board.flag_counts.items()}
    scores = figures.score_rows(catalogue_, bands)
    board.categories = _distributions(
        scores["category"],
        bands,
        {code: (step.name, ()) for code, step in catalogue_.categories.items()},
    )
    board.expectations = _distributions(
        scores["expectation"],
        bands,
        {code: (e.label, e.workshops) for code, e in catalogue_.expectations.items()},
        changed=lambda code: _changed_between(code, catalogue_, versions),
    )
    board.weakest = sorted(board.expectations, key=lambda d: d.mean)[:WEAKEST_COUNT]
    # The class report reminds teachers what the BUT is not (DOMAIN.md): its caveat, if any.
    board.but_caveat = getattr(catalogue_.tracks.get(BUT_TRACK), "caveat_lead", "")
    per_track = [(track, overview[f"track:{code}"]) for code, track in catalogue_.tracks.items()]
    board.tracks = sorted(
        (
            (track, n, round(100 * n / board.counted))
            for track, n in per_track
            if n >= TRACK_MINIMUM
        ),
        key=lambda row: -row[1],
    )
    others = sum(n for _track, n in per_track if 0 < n < TRACK_MINIMUM)
    undecided = board.counted - sum(n for _track, n in per_track)
    board.other_tracks = (others, round(100 * others / board.counted))
    board.undecided = (undecided, round(100 * undecided / board.counted))
    board.first_rules_counted = any(
        catalogue_.version_rules.get(pk) == QuestionnaireVersion.Rules.FIRST for pk in versions
    )
    # A period with too few respondents shows its count only, like a small group.
    board.weeks = [
        (first, last, n, round(mean) if n >= min_size else None)
        for first, last, n, mean in figures.weeks()
    ]
    board.category_chart = bar_chart(
        [(d.label, round(d.mean), d.band) for d in board.categories], bands
    )
    board.expectation_chart = bar_chart(
        [(f"{d.code} {d.label}", round(d.mean), d.band) for d in board.expectations], bands
    )
    board.category_spread = stacked_chart(board.categories, bands)
    board.expectation_spread = stacked_chart(board.expectations, bands)
    return board


@dataclass(frozen=True)
class Change:
    """An attendu's (or a category's) class mean before and after, and how to read the gap."""

    code: str
    label: str
    before: float
    after: float
    margin: float | None  # the gap a change must exceed to be more than measurement noise

    @property
    def difference(self):
        return round(self.after - self.before, 1)

    @property
    def reading(self):
        if self.margin is None or abs(self.difference) <= self.margin:
            return "stable"
        return "up" if self.difference > 0 else "down"


def changes(before, after):
    """Distributions of two boards (a class at two periods, or its first questionnaires and
    its retakes) set side by side, code by code.

    The reliable-change reading for a group: a gap counts when it exceeds 1.96 standard errors
    of the difference between two means, sqrt(sd_a²/n_a + sd_b²/n_b), the 95 % margin. Read
    as two independent groups; when the same students answered twice the true margin is
    smaller, so this reading errs on the side of « no clear change »."""
    earlier = {row.code: row for row in before}
    found = []
    for row in after:
        old = earlier.get(row.code)
        if old is None:
            continue
        margin = None
        if old.sd is not None and row.sd is not None:
            margin = round(1.96 * (old.sd**2 / old.n + row.sd**2 / row.n) ** 0.5, 1)
        found.append(Change(row.code, row.label, old.mean, row.mean, margin))
    return found
