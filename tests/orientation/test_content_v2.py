"""Content version 2026-2: what a Psy-EN checks before signing it (issue: trustworthy results)."""

import re

import pytest

from orientation.models import Category, Expectation, Item, QuestionnaireVersion, Track
from orientation.outline import questionnaire_content
from orientation.services import MAX_ITEMS_PER_STEP
from tests.orientation.test_content import official_attendus


def test_publishing_2026_2_archives_2026_1_and_keeps_the_official_attendus(second_version):
    assert QuestionnaireVersion.objects.current() == second_version
    first = QuestionnaireVersion.objects.get(code="2026-1")
    assert first.status == QuestionnaireVersion.Status.ARCHIVED
    assert first.rules == "1"
    assert second_version.rules == "2"
    wordings = list(
        Expectation.objects.filter(version=second_version)
        .order_by("category__position", "position")
        .values_list("official_wording", flat=True)
    )
    assert wordings == official_attendus()


def test_every_attendu_has_three_statements_and_one_true_mirror_pair(second_version):
    content = questionnaire_content(second_version)
    for expectation in content.expectations:
        items = [i for i in content.items if i.expectation == expectation.code]
        if all(i.is_knowledge for i in items):
            assert 4 <= len(items) <= 6, expectation.code
            continue
        assert len(items) == 3, expectation.code
        mirrors = [i for i in items if i.mirror_of]
        assert len(mirrors) == 1, expectation.code
        partner = next(i for i in items if i.code == mirrors[0].mirror_of)
        assert mirrors[0].reverse_keyed and not partner.reverse_keyed


def test_statements_of_one_attendu_or_one_area_are_never_side_by_side(second_version):
    for step in questionnaire_content(second_version).steps:
        assert len(step.items) <= MAX_ITEMS_PER_STEP
        for before, after in zip(step.items, step.items[1:], strict=False):
            if before.expectation:
                assert before.expectation != after.expectation, (before.code, after.code)
            if before.dimension:
                assert before.dimension != after.dimension, (before.code, after.code)


def test_the_knowledge_check_has_explained_answers_both_ways(second_version):
    checks = Item.objects.filter(version=second_version, kind=Item.Kind.KNOWLEDGE)
    assert checks.count() >= 4
    assert {item.correct_answer for item in checks} == {1, 2}
    for item in checks:
        assert item.expectation.code == "CTS1"
        # Every explanation names its source with a year.
        assert re.search(r"20\d\d", item.explanation), item.code


def test_every_interest_area_has_three_statements_and_every_formation_a_profile(
    second_version,
):
    content = questionnaire_content(second_version)
    assert len(content.dimensions) >= 8
    for dimension in content.dimensions:
        assert len(dimension.items) >= 3, dimension.code
    for track in content.tracks:
        assert track.profile, track.code
        if track.after_first_diploma:
            assert track.first_step, track.code
    assert Category.objects.filter(version=second_version, kind="interests").count() == 2


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("BUT-AS", "tout titulaire d'un baccalauréat"),
        ("BUT-AS", "La Réunion"),
        ("BUT-AS", "Le Havre"),
        ("DECESF", "BTS"),
    ],
)
def test_the_corrected_facts_are_in_the_formations(second_version, code, expected):
    track = Track.objects.get(version=second_version, code=code)
    assert expected in " ".join([track.access, track.description, track.first_step])


def test_new_formations_are_offered_and_closed_ones_wait_for_a_first_diploma(second_version):
    tracks = dict(
        Track.objects.filter(version=second_version).values_list("code", "after_first_diploma")
    )
    for code in ("DEAP", "BPJEPS-ANIM", "DEJEPS", "L-GEO", "FCIL-PREPA"):
        assert code in tracks
    assert tracks["DEJEPS"] and tracks["DECESF"] and tracks["LP-IS"]
    assert not tracks["BUT-AS"] and not tracks["DEASS"]


def test_every_formation_s_facts_carry_their_source_year(second_version):
    # The description and the access state facts (durations, places, rules): each names
    # the year of its source, so a reader knows how fresh it is.
    undated = [
        (track.code, text[:60])
        for track in Track.objects.filter(version=second_version)
        for text in (track.description, track.access)
        if text and not re.search(r"\b20\d\d\b", text)
    ]
    assert undated == []


def test_a_rules_2_draft_without_its_measures_cannot_be_published(second_version):
    from django.core.exceptions import ValidationError

    from orientation.models import InterestDimension, TrackDimension
    from orientation.services import clone_version, publish_version

    draft = clone_version(second_version, code="2026-9")
    assert draft.rules == "2"
    Item.objects.filter(version=draft, code="CG1-c").update(mirror_of=None)
    Item.objects.filter(version=draft, dimension__code="FAM").first().delete()
    TrackDimension.objects.filter(version=draft, track__code="DEAP").delete()
    Track.objects.filter(version=draft, code="DEJEPS").update(first_step="")
    with pytest.raises(ValidationError) as error:
        publish_version(draft)
    messages = " ".join(error.value.messages)
    assert "L'attendu CG1 doit avoir exactement une paire de contraires" in messages
    assert "Le domaine d'intérêt FAM a 2 affirmations ; il en faut au moins 3." in messages
    assert "La formation DEAP n'a pas de profil d'intérêts" in messages
    assert "La formation DEJEPS vient après un premier diplôme" in messages
    assert InterestDimension.objects.filter(version=draft).count() == 12
    draft.refresh_from_db()
    assert draft.is_draft


def test_a_clone_of_2026_2_copies_its_pairs_areas_profiles_and_key_attendus(second_version):
    from orientation.services import clone_version

    draft = clone_version(second_version, code="2026-9")
    original, copy = questionnaire_content(second_version), questionnaire_content(draft)
    assert [(i.code, i.mirror_of, i.dimension, i.goal_track, i.correct) for i in copy.items] == [
        (i.code, i.mirror_of, i.dimension, i.goal_track, i.correct) for i in original.items
    ]
    assert [(t.code, sorted(t.profile), sorted(t.expectations)) for t in copy.tracks] == [
        (t.code, sorted(t.profile), sorted(t.expectations)) for t in original.tracks
    ]
