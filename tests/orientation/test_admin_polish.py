"""The admin as a content editor reads it: drafts named as drafts, lists of the version in use,
filters named for what they filter, frozen versions explained in the admin's own look."""

import re

import pytest
from django.urls import reverse

from orientation.models import (
    Category,
    Expectation,
    InterestDimension,
    Item,
    QuestionnaireVersion,
    ScoreBand,
    Track,
)
from orientation.services import clone_version
from tests.utils import plain, text

VERSIONED = [Category, Expectation, InterestDimension, Item, Track, ScoreBand]
ALL_MODELS = [QuestionnaireVersion, *VERSIONED]


def admin_url(obj_or_model, view, *args):
    meta = obj_or_model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


def listed_versions(response):
    """The versions of the rows a changelist lists, over all its pages."""
    return set(response.context["cl"].queryset.values_list("version__code", flat=True))


def messages_of(response, level):
    """The texts of the admin messages shown with this level's style (warning, error…)."""
    return [
        " ".join(re.sub(r"<[^>]+>", " ", message).split())
        for message in re.findall(rf'<li class="{level}">(.*?)</li>', text(response), re.S)
    ]


def sidebar(response):
    """The filters as the sidebar shows them: {heading: {label: (selected, href)}}."""
    filters = {}
    for block in re.findall(r"<details data-filter-title=.*?</details>", text(response), re.S):
        heading = " ".join(re.search(r"<summary>(.*?)</summary>", block, re.S)[1].split())
        filters[heading] = {
            label.strip(): (bool(selected), href)
            for selected, href, label in re.findall(
                r'<li( class="selected")?>\s*<a href="([^"]*)">([^<]*)</a>', block
            )
        }
    return filters


def version_choices(response):
    return sidebar(response)["Par version"]


@pytest.fixture
def draft(version):
    return clone_version(version, code="2026-2")


# --- 1. A clone is named as a draft -------------------------------------------------------------


def test_a_clone_is_titled_as_a_draft_of_the_version_it_copies(version):
    clone = clone_version(version, code="2026-2")
    assert clone.title == f"Brouillon de 2026-1 — {version.title}"
    assert clone.title != version.title


def test_a_title_given_to_the_clone_is_kept(version):
    clone = clone_version(version, code="2026-2", title="Rentrée 2027")
    assert clone.title == "Rentrée 2027"


def test_a_draft_title_never_exceeds_the_field(version):
    long = clone_version(version, code="long", title="x" * 200)
    clone = clone_version(long, code="long-2")
    assert len(clone.title) == 200
    assert clone.title.startswith("Brouillon de long — xxx") and clone.title.endswith("…")


def test_the_clone_action_lists_the_draft_under_its_draft_title(admin_client, version):
    response = admin_client.post(
        admin_url(QuestionnaireVersion, "changelist"),
        {"action": "clone_as_draft", "_selected_action": [version.pk]},
        follow=True,
    )
    assert f"Brouillon de 2026-1 — {version.title}" in text(response)


# --- 2. Content lists show the version in use ---------------------------------------------------


@pytest.fixture
def next_draft(second_version):
    """Three versions: 2026-1 archived, 2026-2 in use, and its draft 2026-3."""
    return clone_version(second_version, code="2026-3")


@pytest.mark.parametrize("model", VERSIONED, ids=lambda m: m.__name__)
def test_content_lists_show_the_current_version_by_default(
    admin_client, second_version, next_draft, model
):
    response = admin_client.get(admin_url(model, "changelist"))
    assert listed_versions(response) == {"2026-2"}
    in_use = model.objects.filter(version=second_version).count()
    assert response.context["cl"].result_count == in_use
    choices = version_choices(response)
    assert [label for label, (selected, _href) in choices.items() if selected] == [
        "2026-2 (en cours)"
    ]


@pytest.mark.parametrize("model", VERSIONED, ids=lambda m: m.__name__)
def test_each_version_filter_link_lists_what_it_says(
    admin_client, second_version, next_draft, model
):
    changelist = admin_url(model, "changelist")
    choices = version_choices(admin_client.get(changelist))
    assert list(choices) == [
        "Toutes les versions",
        "2026-3 (brouillon)",
        "2026-2 (en cours)",
        "2026-1 (archivée)",
    ]
    expected = {
        "Toutes les versions": {"2026-1", "2026-2", "2026-3"},
        "2026-3 (brouillon)": {"2026-3"},
        "2026-2 (en cours)": {"2026-2"},
        "2026-1 (archivée)": {"2026-1"},
    }
    if model is InterestDimension:  # the rules of 2026-1 had no interest areas
        expected = {label: codes - {"2026-1"} for label, codes in expected.items()}
    for label, (_selected, href) in choices.items():
        response = admin_client.get(changelist + href)
        assert listed_versions(response) == expected[label], label
        selected = [name for name, (chosen, _href) in version_choices(response).items() if chosen]
        assert selected == [label]
    every = admin_client.get(changelist + choices["Toutes les versions"][1])
    assert every.context["cl"].result_count == model.objects.count()


def test_the_sidebar_offers_every_version_and_all_of_them(admin_client, version, draft):
    choices = version_choices(admin_client.get(admin_url(Item, "changelist")))
    assert choices == {
        "Toutes les versions": (False, "?version=all"),
        "2026-2 (brouillon)": (False, f"?version={draft.pk}"),
        "2026-1 (en cours)": (True, f"?version={version.pk}"),
    }


def test_without_a_published_version_every_version_is_listed(admin_client, version, draft):
    version.status = QuestionnaireVersion.Status.ARCHIVED
    version.is_current = False
    version.save()
    response = admin_client.get(admin_url(Item, "changelist"))
    assert listed_versions(response) == {"2026-1", "2026-2"}
    assert version_choices(response)["Toutes les versions"][0] is True


def test_a_search_stays_within_the_version_listed(admin_client, version, draft):
    response = admin_client.get(admin_url(Item, "changelist"), {"q": "CG1-a"})
    assert listed_versions(response) == {"2026-1"}
    response = admin_client.get(admin_url(Item, "changelist"), {"q": "CG1-a", "version": "all"})
    assert listed_versions(response) == {"2026-1", "2026-2"}


def test_an_unknown_version_in_the_address_is_the_admins_invalid_filter_page(admin_client, version):
    response = admin_client.get(admin_url(Item, "changelist"), {"version": "abc"})
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_the_counts_of_each_filter_choice_can_be_shown(admin_client, version, draft):
    response = admin_client.get(admin_url(Item, "changelist"), {"_facets": "True"})
    assert response.status_code == 200
    n = Item.objects.filter(version=version).count()
    assert f"2026-1 (en cours) ({n})" in plain(response)
    assert f"Toutes les versions ({2 * n})" in plain(response)


# --- 3. Filters named for what they filter ------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "headings"),
    [
        (
            Item,
            [
                "Par version",
                "Par catégorie",
                "Par type de question",
                "Par affirmation formulée à l'envers",
                "Par domaine d'intérêt",
            ],
        ),
        (Expectation, ["Par version", "Par catégorie"]),
        (Category, ["Par version", "Par nature de la catégorie"]),
        (InterestDimension, ["Par version"]),
        (Track, ["Par version", "Par type de formation", "Par niveau (cadre national)"]),
        (ScoreBand, ["Par version"]),
        (QuestionnaireVersion, ["Par statut", "Par version en cours"]),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_each_filter_is_headed_by_what_it_filters(admin_client, second_version, model, headings):
    # Not « Par code » over categories, nor a bare « Par type » or « Par nature ».
    assert list(sidebar(admin_client.get(admin_url(model, "changelist")))) == headings


def test_the_category_filter_lists_the_version_s_categories_and_filters_by_them(
    admin_client, version, draft
):
    changelist = admin_url(Item, "changelist")
    categories = sidebar(admin_client.get(changelist))["Par catégorie"]
    assert list(categories) == [
        "Tout",
        *(f"{c.code} — {c.name}" for c in Category.objects.filter(version=version)),
    ]

    response = admin_client.get(changelist, {"category": "CG", "version": "all"})
    items = response.context["cl"].result_list
    assert {item.category.code for item in items} == {"CG"}
    assert {item.version.code for item in items} == {"2026-1", "2026-2"}
    expected = Item.objects.filter(category__code="CG").count()
    assert response.context["cl"].result_count == expected


def test_the_category_filter_offers_only_the_categories_of_the_version_listed(
    admin_client, version, second_version
):
    archived = sidebar(admin_client.get(admin_url(Item, "changelist"), {"version": version.pk}))
    current = sidebar(admin_client.get(admin_url(Item, "changelist")))
    only_old = set(Category.objects.filter(version=version).values_list("code", flat=True)) - set(
        Category.objects.filter(version=second_version).values_list("code", flat=True)
    )
    assert only_old, "the two shipped versions differ in their categories"
    for code in only_old:
        name = Category.objects.get(version=version, code=code).name
        assert f"{code} — {name}" in archived["Par catégorie"]
        assert f"{code} — {name}" not in current["Par catégorie"]


def test_the_interest_area_filter_filters_items_by_their_area(admin_client, second_version):
    dimension = InterestDimension.objects.filter(version=second_version).first()
    response = admin_client.get(admin_url(Item, "changelist"))
    areas = sidebar(response)["Par domaine d'intérêt"]
    selected, href = areas[f"{dimension.code} — {dimension.name}"]
    assert not selected
    response = admin_client.get(admin_url(Item, "changelist") + href)
    items = list(response.context["cl"].result_list)
    assert items and {item.dimension_id for item in items} == {dimension.pk}


# --- 4. Read-only notices are warnings ----------------------------------------------------------


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.__name__)
def test_a_frozen_objects_page_warns_that_it_is_read_only(admin_client, second_version, model):
    version = second_version
    obj = version if model is QuestionnaireVersion else model.objects.filter(version=version)[0]
    response = admin_client.get(admin_url(model, "change", obj.pk))
    warnings = messages_of(response, "warning")
    assert len(warnings) == 1 and "cette page est en lecture seule" in warnings[0]
    assert not messages_of(response, "success") and not messages_of(response, "info")


def test_a_drafts_page_has_no_read_only_notice(admin_client, draft):
    item = Item.objects.filter(version=draft).first()
    response = admin_client.get(admin_url(Item, "change", item.pk))
    assert "lecture seule" not in text(response)


# --- 6. Deleting frozen content: the admin's own refusal ----------------------------------------


@pytest.mark.parametrize("model", VERSIONED, ids=lambda m: m.__name__)
def test_deleting_frozen_content_returns_to_its_page_with_an_admin_error(
    admin_client, second_version, model
):
    obj = model.objects.filter(version=second_version).first()
    delete, change = admin_url(model, "delete", obj.pk), admin_url(model, "change", obj.pk)
    page = admin_client.get(delete, follow=True)
    assert page.redirect_chain == [(change, 302)]
    (error,) = messages_of(page, "error")
    assert f"« {obj} » ne peut pas être supprimé" in error
    assert "la version « 2026-2 » est publiée" in error and "Clonez-la en brouillon" in error
    assert "Tu n'as pas accès" not in text(page)
    assert 'id="content-main"' in text(page)  # the admin's page, not the site's

    response = admin_client.post(delete, {"post": "yes"})
    assert (response.status_code, response["Location"]) == (302, change)
    assert model.objects.filter(pk=obj.pk).exists()


def test_deleting_a_published_version_returns_to_its_page_with_an_admin_error(
    admin_client, version
):
    response = admin_client.get(admin_url(version, "delete", version.pk), follow=True)
    assert response.redirect_chain == [(admin_url(version, "change", version.pk), 302)]
    (error,) = messages_of(response, "error")
    assert "La version « 2026-1 » est publiée : elle ne peut pas être supprimée" in error
    assert QuestionnaireVersion.objects.filter(pk=version.pk).exists()


def test_the_refusal_keeps_the_lists_filters_for_the_way_back(admin_client, version):
    item = Item.objects.filter(version=version).first()
    filters = "_changelist_filters=version%3Dall"
    response = admin_client.get(f"{admin_url(Item, 'delete', item.pk)}?{filters}")
    assert response["Location"] == f"{admin_url(Item, 'change', item.pk)}?{filters}"


def test_content_of_a_draft_is_still_deleted_from_its_page(admin_client, draft):
    band = ScoreBand.objects.filter(version=draft).first()
    url = admin_url(ScoreBand, "delete", band.pk)
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not ScoreBand.objects.filter(pk=band.pk).exists()


def test_a_bulk_delete_of_frozen_rows_deletes_nothing_and_stays_in_the_admin(admin_client, version):
    items = list(Item.objects.filter(version=version).values_list("pk", flat=True)[:3])
    response = admin_client.post(
        admin_url(Item, "changelist"),
        {"action": "delete_selected", "_selected_action": items, "index": "0"},
        follow=True,
    )
    assert response.status_code == 200
    assert 'id="changelist"' in text(response)
    assert Item.objects.filter(pk__in=items).count() == 3


# --- The rows of a draft's inlines ---------------------------------------------------------------


def test_each_field_of_a_drafts_inline_rows_has_a_name(admin_client, draft):
    # A column heading is not a <label>: without a name, a screen reader reads « edit text ».
    expectation = Expectation.objects.filter(version=draft).first()
    page = text(admin_client.get(admin_url(Expectation, "change", expectation.pk)))
    for field in ["position", "code", "statement", "reverse_keyed", "category", "DELETE"]:
        tag = re.search(rf'<[^>]*\bid="id_items-0-{field}"[^>]*>', page)[0]
        assert 'aria-label="' in tag, field
    assert re.search(r'aria-label="Code"[^>]*id="id_items-0-code"', page)
