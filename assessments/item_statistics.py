"""Gather a version's answers in bulk and hand them to the pure psychometrics module.

The sets judged: each attendu, each category of attendus (a statement weighing what it weighs
in the category's score), each interest dimension, and the knowledge questions (an attendu made
of true-or-false questions only: KR-20, each question's share right and its discrimination).
Interest statements in no dimension (rules 1 reads interests one by one; the goal statements
of rules 2) form no scale: each is reported alone, on its spread only. Answers are keyed as the
scores count them: a reverse-keyed statement 6 − answer, a knowledge question 1 when right and
0 otherwise. The measured reliability is then kept for the result pages (reliability.store).

The figures hold no text, so one cache entry per published version serves every language: the
nightly `manage.py purge` refreshes them (refresh_reports), a page that finds none computes and
keeps them, and a draft's are computed at each visit (its content may change at any moment).
Statements, in the reader's language, and the admin links are added at each visit.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from orientation.content import keyed as content_keyed
from orientation.models import Item, QuestionnaireVersion
from orientation.outline import questionnaire_content

from . import reliability
from .models import Answer, Assessment
from .psychometrics import FLAG_MIN_N, ItemReport, ScaleReport, scale_report

# The latest attempts are plenty to judge items, and keep the report fast at any scale.
SAMPLE_SIZE = 5000
# Well past the nightly refresh, so a page never waits for it; if the job stops, the figures
# are at most this old before a visit recomputes them.
CACHE_SECONDS = 2 * 24 * 60 * 60


@dataclass(frozen=True)
class Figures:
    """What the report measures, without any text: what the cache keeps."""

    respondents: int
    computed_at: datetime
    scales: dict  # {(kind, subject code): ScaleReport}
    stored: dict = field(default_factory=dict)  # reliability.store's table


@dataclass(frozen=True)
class Line:
    """A statement as the report shows it. `edit` says where its link leads: « edit » (the
    version is a draft), « draft » (the same statement in a draft of the frozen version),
    « view » (the frozen statement, read-only), or "" (no link for this reader)."""

    stats: ItemReport
    statement: str
    edit_url: str = ""
    edit: str = ""


@dataclass(frozen=True)
class Table:
    """A set of statements as the report shows it."""

    subject: object  # ContentExpectation, ContentStep or ContentDimension
    scale: ScaleReport
    lines: tuple
    one_by_one: bool = False  # statements measured alone: no set figures


def keyed(item, value):
    if item.is_knowledge:
        return 1 if value == item.correct else 0
    return content_keyed(value, item.reverse_keyed)


def _keyed_answers(version, items_by_pk):
    """{attempt id: {item code: keyed answer}} for the latest completed attempts, one query."""
    attempts = (
        Assessment.objects.completed()
        .filter(version=version)
        .order_by("-completed_at")
        .values("pk")[:SAMPLE_SIZE]
    )
    answers = defaultdict(dict)
    for attempt, item_pk, value in Answer.objects.filter(assessment__in=attempts).values_list(
        "assessment_id", "item_id", "value"
    ):
        item = items_by_pk[item_pk]
        answers[attempt][item.code] = keyed(item, value)
    return answers


def _scale(code, codes, weights=None, *, answers, items):
    rows = [
        [given[code] for code in codes]
        for given in answers.values()
        if all(code in given for code in codes)
    ]
    knowledge = {code for code in codes if items[code].is_knowledge}
    return scale_report(code, codes, rows, knowledge=knowledge, weights=weights)


def _one_by_one(code, codes, *, answers, items):
    """Statements that form no scale: each one's spread, on its own respondents."""
    alone = [_scale(c, [c], answers=answers, items=items) for c in codes]
    return ScaleReport(
        code=code,
        n=min(scale.n for scale in alone),
        alpha=None,
        items=tuple(item for scale in alone for item in scale.items),
    )


def _category_weights(step):
    """A category's score is the mean of its attendus' scores: each statement weighs one over
    its attendu's number of statements."""
    codes = [item.code for item in step.items if item.expectation]
    per_expectation = Counter(item.expectation for item in step.items if item.expectation)
    return codes, [1 / per_expectation[item.expectation] for item in step.items if item.expectation]


def _loose(step):
    """A step's statements that belong to no attendu and no interest dimension."""
    return [item.code for item in step.items if not item.expectation and not item.dimension]


def measure(version):
    """The version's figures, computed now; the measured reliability is kept on the way."""
    content = questionnaire_content(version)
    items = {item.code: item for item in content.items}
    answers = _keyed_answers(version, {item.pk: item for item in content.items})
    scale = partial(_scale, answers=answers, items=items)
    scales = {}
    for e in content.expectations:
        scales["expectation", e.code] = scale(
            e.code, [i.code for i in content.items if i.expectation == e.code]
        )
    for step in content.steps:
        if step.kind == "expectations":
            scales["category", step.code] = scale(step.code, *_category_weights(step))
        if _loose(step):
            scales["loose", step.code] = _one_by_one(
                step.code, _loose(step), answers=answers, items=items
            )
    for d in content.dimensions:
        if d.items:
            scales["dimension", d.code] = scale(d.code, list(d.items))
    stored = reliability.store(
        version.pk,
        {
            "respondents": len(answers),
            "expectations": [(e, scales["expectation", e.code]) for e in content.expectations],
            "categories": [
                (step, scales["category", step.code])
                for step in content.steps
                if step.kind == "expectations"
            ],
        },
    )
    return Figures(
        respondents=len(answers), computed_at=timezone.now(), scales=scales, stored=stored
    )


def cache_key(version):
    # The figures are pickled: bump the number when Figures or the psychometrics reports
    # change shape, so that a deployment never reads entries of the previous shape.
    return f"item-quality:1:{version.pk}"


def refresh(version):
    """Measure a version now and, unless it is a draft, keep the figures for its report."""
    figures = measure(version)
    if not version.is_draft:
        cache.set(cache_key(version), figures, CACHE_SECONDS)
    return figures


def cached_figures(version):
    if version.is_draft:
        return measure(version)
    return cache.get(cache_key(version)) or refresh(version)


def refresh_reports():
    """The nightly refresh (manage.py purge): every published version's figures, measured
    after the purge so that they count only the attempts still kept."""
    published = QuestionnaireVersion.objects.filter(status=QuestionnaireVersion.Status.PUBLISHED)
    return [(version, refresh(version)) for version in published.order_by("pk")]


# --- The page ----------------------------------------------------------------------------------

ITEM_CHANGE = "admin:orientation_item_change"


def _draft_to_edit(version, codes):
    """(draft code, {item code: item id in it}): where a frozen version's statements are edited,
    the draft cloned from it first, otherwise the newest draft. One query."""
    rows = Item.objects.filter(
        version__status=QuestionnaireVersion.Status.DRAFT, code__in=codes
    ).values_list("version__code", "version__based_on_id", "version__created_at", "code", "pk")
    drafts = {(code, based_on == version.pk, created) for code, based_on, created, *_ in rows}
    if not drafts:
        return "", {}
    draft = max(drafts, key=lambda d: (d[1], d[2], d[0]))[0]
    return draft, {code: pk for version_code, *_, code, pk in rows if version_code == draft}


def _links(version, items):
    """{item code: (url, kind)} and the draft where a frozen version's statements are edited."""
    if version.is_draft:
        return {c: (reverse(ITEM_CHANGE, args=[i.pk]), "edit") for c, i in items.items()}, ""
    draft, in_draft = _draft_to_edit(version, list(items))
    links = {
        code: (
            (reverse(ITEM_CHANGE, args=[in_draft[code]]), "draft")
            if code in in_draft
            else (reverse(ITEM_CHANGE, args=[item.pk]), "view")
        )
        for code, item in items.items()
    }
    return links, draft


def _table(subject, scale, *, items, links, one_by_one=False):
    lines = tuple(
        Line(stats, items[stats.code].statement, *links.get(stats.code, ("", "")))
        for stats in scale.items
    )
    return Table(subject=subject, scale=scale, lines=lines, one_by_one=one_by_one)


def version_quality(version, *, cached=False, links=False):
    """The report of the module docstring, with each statement's text in the active language.

    cached: read the kept figures (a draft is always measured now); otherwise measure now and
    keep them. links: add each statement's admin link (one query for a frozen version)."""
    figures = cached_figures(version) if cached else refresh(version)
    content = questionnaire_content(version)
    items = {item.code: item for item in content.items}
    edit_links, draft = _links(version, items) if links else ({}, "")
    scales = figures.scales
    table = partial(_table, items=items, links=edit_links)
    expectations = [table(e, scales["expectation", e.code]) for e in content.expectations]
    tables = {
        "expectations": [t for t in expectations if not t.scale.binary],
        "knowledge": [t for t in expectations if t.scale.binary],
        "categories": [
            table(step, scales["category", step.code])
            for step in content.steps
            if ("category", step.code) in scales
        ],
        "dimensions": [
            table(d, scales["dimension", d.code])
            for d in content.dimensions
            if ("dimension", d.code) in scales
        ],
        "loose": [
            table(step, scales["loose", step.code], one_by_one=True)
            for step in content.steps
            if ("loose", step.code) in scales
        ],
    }
    sizes = [t.scale.n for group in tables.values() for t in group]
    return {
        "respondents": figures.respondents,
        "computed_at": figures.computed_at,
        "live": version.is_draft or not cached,
        "sample_size": SAMPLE_SIZE,
        "tables": tables,
        "fewest": min(sizes, default=0),
        "most": max(sizes, default=0),
        "flag_min_n": FLAG_MIN_N,
        "draft": draft,
        "clone_url": (
            ""
            if version.is_draft
            else reverse("admin:orientation_questionnaireversion_changelist")
            + f"?code__exact={version.code}"
        ),
        "stored": figures.stored,
        # (subject, scale) pairs, what other readers (reliability, the demo's test) need.
        "expectations": [(t.subject, t.scale) for t in expectations],
        "categories": [(t.subject, t.scale) for t in tables["categories"]],
        "dimensions": [(t.subject, t.scale) for t in tables["dimensions"]],
    }
