"""Gather a version's answers in bulk and hand them to the pure psychometrics module."""

from collections import defaultdict

from orientation.outline import questionnaire_content

from .models import Answer, Assessment
from .psychometrics import scale_report

# The latest attempts are plenty to judge items, and keep the report fast at any scale.
SAMPLE_SIZE = 5000


def version_quality(version):
    content = questionnaire_content(version)
    attempts = (
        Assessment.objects.completed()
        .filter(version=version)
        .order_by("-completed_at")
        .values("pk")[:SAMPLE_SIZE]
    )
    reverse = {item.pk: item.reverse_keyed for item in content.items}
    codes = {item.pk: item.code for item in content.items}
    keyed = defaultdict(dict)
    for attempt, item, value in Answer.objects.filter(assessment__in=attempts).values_list(
        "assessment_id", "item_id", "value"
    ):
        keyed[attempt][codes[item]] = 6 - value if reverse[item] else value

    def report(code, item_codes):
        rows = [
            [answers[c] for c in item_codes]
            for answers in keyed.values()
            if all(c in answers for c in item_codes)
        ]
        return scale_report(code, item_codes, rows)

    items_of = defaultdict(list)
    for item in content.items:
        if item.expectation:
            items_of[item.expectation].append(item.code)
    return {
        "respondents": len(keyed),
        "sample_size": SAMPLE_SIZE,
        "expectations": [
            (expectation, report(expectation.code, items_of[expectation.code]))
            for expectation in content.expectations
        ],
        "categories": [
            (step, report(step.code, [i.code for i in step.items]))
            for step in content.steps
            if step.kind == "expectations"
        ],
        "statements": {item.code: item.statement for item in content.items},
    }
