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


def test_loading_a_version_again_adds_its_missing_translations_and_never_overwrites_one(
    second_version,
):
    import json

    from orientation.loading import SECOND_FIXTURE, load_questionnaire

    stored = Item._base_manager.filter(version=second_version)
    stored.filter(code="CG1-a").update(statement_en="", simple_statement="")
    stored.filter(code="CG1-b").update(statement_en="Edited by an admin")
    french = stored.get(code="CG1-a").statement

    version, created = load_questionnaire(SECOND_FIXTURE)

    assert (version, created) == (second_version, False)
    shipped = {
        row["fields"]["code"]: row["fields"]
        for row in json.loads(SECOND_FIXTURE.read_text(encoding="utf-8"))
        if row["model"] == "orientation.item"
    }
    refilled = Item.objects.get(version=second_version, code="CG1-a")
    assert refilled.statement_en == shipped["CG1-a"]["statement_en"] != ""
    assert refilled.simple_statement == shipped["CG1-a"]["simple_statement"] != ""
    assert refilled.statement == french  # the French, scored, is never touched
    assert Item.objects.get(version=second_version, code="CG1-b").statement_en == (
        "Edited by an admin"
    )


def test_2026_2_ships_its_english_and_a_simpler_wording_of_every_question(second_version):
    from orientation.models import InterestDimension, ScoreBand

    for item in Item.objects.filter(version=second_version):
        assert item.statement_en and item.simple_statement and item.simple_statement_en, item
        assert bool(item.explanation) == bool(item.explanation_en), item
        assert item.simple_statement != item.statement, item  # simpler, not a copy
    english = {
        Category: ["name_en", "intro_en"],
        Expectation: ["label_en", "official_wording_en", "advice_en"],
        InterestDimension: ["name_en", "description_en"],
        Track: ["name_en", "short_name_en", "duration_en", "description_en", "suits_en"],
        ScoreBand: ["label_en", "message_en"],
    }
    for model, fields in english.items():
        for row in model.objects.filter(version=second_version):
            assert all(getattr(row, name) for name in fields), row
    for expectation in Expectation.objects.filter(version=second_version):
        # One action per line, in both languages.
        assert len(expectation.advice_en.splitlines()) == len(expectation.advice_actions)
