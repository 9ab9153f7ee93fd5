"""Gather a version's answers in bulk and hand them to the pure psychometrics module.

The sets judged: each attendu, each category of attendus (a statement weighing what it weighs
in the category's score), and each interest dimension. Answers are keyed as the scores count
them: a reverse-keyed statement 6 − answer, a knowledge question 1 when right and 0 otherwise.
The measured reliability is then kept for the result pages (reliability.store).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import partial

from django.urls import reverse

from orientation.outline import questionnaire_content

from . import reliability
from .models import Answer, Assessment
from .psychometrics import SMALL_N, ItemReport, ScaleReport, scale_report

# The latest attempts are plenty to judge items, and keep the report fast at any scale.
SAMPLE_SIZE = 5000


@dataclass(frozen=True)
class Line:
    """A statement as the report shows it."""

    stats: ItemReport
    statement: str
    edit_url: str


@dataclass(frozen=True)
class Table:
    """A set of statements as the report shows it."""

    subject: object  # ContentExpectation, ContentStep or ContentDimension
    scale: ScaleReport
    lines: tuple


def keyed(item, value):
    if item.is_knowledge:
        return 1 if value == item.correct else 0
    return 6 - value if item.reverse_keyed else value


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


def _table(subject, codes, weights=None, *, answers, items):
    """One set of statements: its figures, with each statement's text and admin link."""
    rows = [
        [given[code] for code in codes]
        for given in answers.values()
        if all(code in given for code in codes)
    ]
    knowledge = {code for code in codes if items[code].is_knowledge}
    scale = scale_report(subject.code, codes, rows, knowledge=knowledge, weights=weights)
    lines = tuple(
        Line(
            stats=stats,
            statement=items[stats.code].statement,
            edit_url=reverse("admin:orientation_item_change", args=[items[stats.code].pk]),
        )
        for stats in scale.items
    )
    return Table(subject=subject, scale=scale, lines=lines)


def version_quality(version):
    """The report of the module docstring; keeps the measured reliability on the way."""
    content = questionnaire_content(version)
    items = {item.code: item for item in content.items}
    answers = _keyed_answers(version, {item.pk: item for item in content.items})
    table = partial(_table, answers=answers, items=items)
    tables = {
        "expectations": [
            table(e, [i.code for i in content.items if i.expectation == e.code])
            for e in content.expectations
        ],
        "categories": [
            table(step, *_category_weights(step))
            for step in content.steps
            if step.kind == "expectations"
        ],
        "dimensions": [table(d, list(d.items)) for d in content.dimensions if d.items],
    }
    sizes = [t.scale.n for group in tables.values() for t in group]
    report = {
        "respondents": len(answers),
        "sample_size": SAMPLE_SIZE,
        "tables": tables,
        "fewest": min(sizes, default=0),
        "small_n": SMALL_N,
        # (subject, scale) pairs, what reliability.store and other readers need.
        **{kind: [(t.subject, t.scale) for t in group] for kind, group in tables.items()},
    }
    report["stored"] = reliability.store(version.pk, report)
    return report


def _category_weights(step):
    """A category's score is the mean of its attendus' scores: each statement weighs one over
    its attendu's number of statements."""
    codes = [item.code for item in step.items if item.expectation]
    per_expectation = Counter(item.expectation for item in step.items if item.expectation)
    return codes, [1 / per_expectation[item.expectation] for item in step.items if item.expectation]
