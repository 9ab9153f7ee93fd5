"""The benchmark's floor: the step page from constant data, with no database and no session.

Mounted by bench/urls.py, for `make bench` only. The real step is measured against it: what
the step costs beyond rendering the same HTML is the project's own.
"""

from django.shortcuts import render

from assessments.views import questions_html
from orientation.content import ContentItem, ContentStep, Questionnaire
from orientation.services import MAX_ITEMS_PER_STEP

ITEMS = tuple(
    ContentItem(
        pk=n,
        code=f"F-{n}",
        statement=f"Affirmation de référence numéro {n}, d'une longueur comparable aux vraies.",
        reverse_keyed=False,
        step="F",
        expectation="F1",
        simple_statement=f"La même, dite plus simplement, numéro {n}.",
    )
    for n in range(1, MAX_ITEMS_PER_STEP + 1)
)
STEP = ContentStep(
    pk=1, number=1, code="F", name="Étape de référence", intro="", kind="expectations", items=ITEMS
)
CONTENT = Questionnaire(
    version_id=0,
    version_code="floor",
    rules="2",
    close_margin=5,
    content_date=None,
    steps=(STEP,) * 5,
    expectations=(),
    tracks=(),
    weights=(),
    bands=(),
)


def floor(request):
    context = {
        "content": CONTENT,
        "step": STEP,
        "questions": questions_html(ITEMS, {}),
        "errors": None,
        "non_field_errors": None,
        "missing": [],
        "nothing_answered": False,
        "progress": 0,
        "private_link": "http://127.0.0.1/q/constant-private-link-for-the-floor-view/",
        "is_last": False,
    }
    return render(request, "assessments/step.html", context)
