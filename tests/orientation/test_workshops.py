"""Workshop activities for teachers: shipped with 2026-2, required to publish, cloned, filled
into a version loaded before them."""

import pytest
from django.core.exceptions import ValidationError

from orientation.loading import SECOND_FIXTURE, fill_translations
from orientation.models import Expectation, WorkshopActivity
from orientation.outline import clear_content_cache, questionnaire_content
from orientation.services import clone_version, publication_problems, publish_version


def test_every_attendu_of_2026_2_has_two_activities_of_20_to_50_minutes(second_version):
    content = questionnaire_content(second_version)
    assert len(content.expectations) == 18
    for expectation in content.expectations:
        assert len(expectation.workshops) >= 2, expectation.code
        for workshop in expectation.workshops:
            assert 20 <= workshop.minutes <= 50
            assert workshop.title and workshop.preparation and workshop.outcome
            assert len(workshop.steps) >= 3


def test_activities_read_in_english_too(second_version):
    english = questionnaire_content(second_version, "en").expectation("CTS1").workshops[0]
    french = questionnaire_content(second_version, "fr").expectation("CTS1").workshops[0]
    assert english.title != french.title and english.title.lang == "en"


def test_a_clone_keeps_the_activities_and_a_draft_without_them_cannot_be_published(
    second_version,
):
    draft = clone_version(second_version, code="2026-9")
    assert WorkshopActivity.objects.filter(version=draft).count() == (
        WorkshopActivity.objects.filter(version=second_version).count()
    )
    expectation = Expectation.objects.get(version=draft, code="QH4")
    WorkshopActivity.objects.filter(expectation=expectation).delete()
    problems = publication_problems(draft)
    assert any("QH4 a 0 activités d'atelier" in problem for problem in problems)
    with pytest.raises(ValidationError):
        publish_version(draft)


def test_an_activity_lasts_20_to_50_minutes(second_version):
    draft = clone_version(second_version, code="2026-9")
    activity = WorkshopActivity.objects.filter(version=draft).first()
    activity.minutes = 90
    with pytest.raises(ValidationError) as refused:
        activity.full_clean()
    assert "minutes" in refused.value.message_dict


def test_a_version_loaded_before_the_activities_receives_them(second_version):
    WorkshopActivity.objects.filter(version=second_version)._raw_delete("default")
    clear_content_cache()
    assert not questionnaire_content(second_version).expectation("CG1").workshops
    filled = fill_translations(second_version, SECOND_FIXTURE)
    assert filled >= 36
    assert len(questionnaire_content(second_version).expectation("CG1").workshops) >= 2
    assert fill_translations(second_version, SECOND_FIXTURE) == 0  # never twice


def test_an_admin_edits_a_drafts_activities_beside_their_english(admin_client, second_version):
    from django.urls import reverse

    draft = clone_version(second_version, code="2026-9")
    expectation = Expectation.objects.get(version=draft, code="QH4")
    url = reverse("admin:orientation_expectation_change", args=[expectation.pk])
    page = admin_client.get(url).content.decode()
    assert "atelier pour les enseignants (bilan de la classe)" in page
    assert 'name="workshops-0-title_en"' in page and 'name="workshops-0-minutes"' in page
    frozen = Expectation.objects.get(version=second_version, code="QH4")
    page = admin_client.get(
        reverse("admin:orientation_expectation_change", args=[frozen.pk])
    ).content.decode()
    assert 'name="workshops-0-title"' not in page  # a published version's are read only
    assert frozen.workshops.first().title in page
