"""The admin is the content editor: every page renders, frozen versions are read-only."""

import re

import pytest
from django.urls import reverse

from orientation.models import (
    Category,
    Expectation,
    Item,
    QuestionnaireVersion,
    ScoreBand,
    Track,
    TrackWeight,
)
from orientation.services import clone_version
from tests.assessments.journey import answer_step, start, step_url
from tests.utils import text

MODELS = [QuestionnaireVersion, Category, Expectation, Item, Track, ScoreBand]


def admin_url(obj_or_model, view, *args):
    meta = obj_or_model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


@pytest.fixture
def draft(version):
    return clone_version(version, code="2026-2")


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_each_changelist_and_add_page_renders(admin_client, version, model):
    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    assert admin_client.get(admin_url(model, "changelist"), {"q": "CG1"}).status_code == 200
    assert admin_client.get(admin_url(model, "add")).status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_each_change_page_of_a_draft_renders_as_a_form(admin_client, draft, model):
    obj = draft if model is QuestionnaireVersion else model.objects.filter(version=draft).first()
    response = admin_client.get(admin_url(model, "change", obj.pk))
    assert response.status_code == 200
    assert b'name="_save"' in response.content


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_published_content_pages_are_read_only(admin_client, version, model):
    obj = (
        version if model is QuestionnaireVersion else model.objects.filter(version=version).first()
    )
    url = admin_url(model, "change", obj.pk)
    response = admin_client.get(url)
    assert response.status_code == 200
    assert b'name="_save"' not in response.content
    assert "cette page est en lecture seule" in text(response)
    assert admin_client.post(url, {}).status_code == 403


def test_the_preview_shows_the_whole_questionnaire_in_order(admin_client, version):
    response = admin_client.get(reverse("admin:orientation_version_preview", args=[version.pk]))
    assert response.status_code == 200
    html = text(response)
    statements = [
        item.statement
        for item in Item.objects.filter(version=version).order_by("category__position", "position")
    ]
    positions = [html.index(statement) for statement in statements]
    assert positions == sorted(positions)
    assert "Étape 4 sur 4" in html
    assert "Tout à fait d'accord" in html
    assert "Avoir la volonté de s'engager" in html


def _questions(html):
    """Each question's fieldset, by item code, with the spacing between tags left out."""
    found = re.findall(r'(<fieldset class="likert" id="q-([^"]+)">.*?</fieldset>)', html, re.S)
    return {code: re.sub(r">\s+<", "><", fieldset.strip()) for fieldset, code in found}


def test_the_preview_shows_each_question_exactly_as_the_student_sees_it(
    admin_client, client, second_version
):
    url = reverse("admin:orientation_version_preview", args=[second_version.pk])
    previewed = _questions(admin_client.get(url).content.decode())
    token = start(client)
    seen = {}
    for number in range(1, Category.objects.filter(version=second_version).count() + 1):
        seen |= _questions(client.get(step_url(token, number)).content.decode())
        answer_step(client, token, number)  # the next step opens once this one is answered
    assert len(seen) == Item.objects.filter(version=second_version).count()
    # True/false questions and agreement statements alike: the same legend, the same radios.
    assert Item.objects.filter(version=second_version, kind="knowledge").exists()
    assert previewed == seen


def _inline_choices(response, model, field):
    formset = next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is model
    )
    return formset.empty_form.fields[field].queryset


def test_inline_rows_point_only_to_a_drafts_content_of_the_right_kind(admin_client, draft):
    track = Track.objects.filter(version=draft).first()
    items = _inline_choices(
        admin_client.get(admin_url(Track, "change", track.pk)), TrackWeight, "item"
    )
    assert items.exists()
    assert {(i.version.status, i.category.kind) for i in items} == {("draft", "interests")}
    expectation = Expectation.objects.filter(version=draft).first()
    response = admin_client.get(admin_url(Expectation, "change", expectation.pk))
    categories = _inline_choices(response, Item, "category")
    assert {(c.version.status, c.kind) for c in categories} == {("draft", "expectations")}


def test_editing_an_item_in_a_draft_saves_it(admin_client, draft):
    item = Item.objects.get(version=draft, code="CG1-a")
    response = admin_client.post(
        admin_url(Item, "change", item.pk),
        {
            "version": draft.pk,
            "category": item.category_id,
            "expectation": item.expectation_id,
            "code": "CG1-a",
            "position": item.position,
            "kind": "agreement",
            "statement": "Je relis chaque copie avant de la rendre.",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.statement == "Je relis chaque copie avant de la rendre."
    assert item.reverse_keyed is False


def test_a_duplicate_code_in_an_inline_is_a_form_error_not_a_crash(admin_client, draft):
    expectation = Expectation.objects.get(version=draft, code="CG7")
    items = list(expectation.items.all())
    data = {
        "version": draft.pk,
        "category": expectation.category_id,
        "code": expectation.code,
        "label": expectation.label,
        "position": expectation.position,
        "official_wording": expectation.official_wording,
        "advice": expectation.advice,
        "items-TOTAL_FORMS": len(items) + 1,
        "items-INITIAL_FORMS": len(items),
        "items-MIN_NUM_FORMS": 0,
        "items-MAX_NUM_FORMS": 1000,
        # The workshop activities inline, empty (2026-1 has none).
        "workshops-TOTAL_FORMS": 0,
        "workshops-INITIAL_FORMS": 0,
        "workshops-MIN_NUM_FORMS": 0,
        "workshops-MAX_NUM_FORMS": 1000,
    }
    for index, item in enumerate(items):
        data |= {
            f"items-{index}-id": item.pk,
            f"items-{index}-expectation": expectation.pk,
            f"items-{index}-position": item.position,
            f"items-{index}-code": item.code,
            f"items-{index}-statement": item.statement,
            f"items-{index}-category": item.category_id,
        }
        if item.reverse_keyed:
            data[f"items-{index}-reverse_keyed"] = "on"
    new = len(items)
    data |= {
        f"items-{new}-expectation": expectation.pk,
        f"items-{new}-position": 9,
        f"items-{new}-code": "CG1-a",
        f"items-{new}-statement": "Un doublon de code",
        f"items-{new}-category": expectation.category_id,
    }
    response = admin_client.post(admin_url(Expectation, "change", expectation.pk), data)
    assert response.status_code == 200
    assert "Ce code d'affirmation existe déjà dans cette version." in text(response)
    assert not Item.objects.filter(version=draft, statement="Un doublon de code").exists()

    data[f"items-{new}-code"] = "CG7-d"
    response = admin_client.post(admin_url(Expectation, "change", expectation.pk), data)
    assert response.status_code == 302
    added = Item.objects.get(version=draft, code="CG7-d")
    assert added.version == draft and added.expectation == expectation


def test_the_publish_action_publishes_a_draft_and_archives_the_current(
    admin_client, version, draft
):
    response = admin_client.post(
        admin_url(QuestionnaireVersion, "changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert "La version « 2026-2 » est publiée" in text(response)
    draft.refresh_from_db()
    version.refresh_from_db()
    assert draft.is_current and version.status == QuestionnaireVersion.Status.ARCHIVED


def test_the_publish_action_explains_why_a_draft_is_incomplete(admin_client, version, draft):
    Item.objects.filter(version=draft, expectation__code="QH2").delete()
    response = admin_client.post(
        admin_url(QuestionnaireVersion, "changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert "L'attendu QH2 n'a aucune affirmation." in text(response)
    draft.refresh_from_db()
    assert draft.is_draft


def test_the_clone_action_creates_a_draft(admin_client, version):
    response = admin_client.post(
        admin_url(QuestionnaireVersion, "changelist"),
        {"action": "clone_as_draft", "_selected_action": [version.pk]},
        follow=True,
    )
    assert "Brouillon créé : 2026-2" in text(response)
    clone = QuestionnaireVersion.objects.get(code="2026-2")
    assert clone.is_draft
    assert (
        Item.objects.filter(version=clone).count() == Item.objects.filter(version=version).count()
    )


def test_anonymous_visitors_are_sent_to_the_admin_login(client, version):
    response = client.get(admin_url(QuestionnaireVersion, "changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
    response = client.get(reverse("admin:orientation_version_preview", args=[version.pk]))
    assert response.status_code == 302
