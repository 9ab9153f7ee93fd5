"""The shipped questionnaire: official attendus verbatim, enough good items, real tracks."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers import serialize

from orientation.loading import load_questionnaire
from orientation.models import (
    Category,
    Expectation,
    Item,
    QuestionnaireVersion,
    Track,
    TrackWeight,
)
from orientation.services import MAX_ITEMS_PER_STEP

SOURCE = Path(settings.BASE_DIR) / "fixtures" / "sources" / "but-cs-assistance-sociale.txt"
SHARED_SEED = Path(settings.BASE_DIR).parent / "shared" / "seed" / "000_5eff02a016c5b3ba.txt"


def official_attendus():
    """The attendus as listed in the official description, in order, without list commas."""
    text = SOURCE.read_text(encoding="utf-8")
    section = text.split("### Attendus nationaux")[1].split("## Métiers")[0]
    lines = [line.strip() for line in section.splitlines()[1:]]
    return [line.rstrip(",.") for line in lines if line and line != "-" and not line.isupper()]


def test_committed_source_is_the_official_seed():
    if not SHARED_SEED.exists():
        pytest.skip("../shared is not beside this checkout")
    assert SOURCE.read_bytes() == SHARED_SEED.read_bytes()


def test_the_18_attendus_carry_the_official_wording_in_order(version):
    expectations = Expectation.objects.filter(version=version).order_by(
        "category__position", "position"
    )
    wordings = [expectation.official_wording for expectation in expectations]
    assert len(wordings) == 18
    assert wordings == official_attendus()
    codes = [expectation.code for expectation in expectations]
    assert codes == [f"CG{i}" for i in range(1, 8)] + [f"CTS{i}" for i in range(1, 6)] + [
        f"QH{i}" for i in range(1, 7)
    ]


def test_the_three_attendu_categories_and_interests_are_four_steps(version):
    categories = Category.objects.filter(version=version)
    assert [(c.code, c.kind) for c in categories] == [
        ("CG", "expectations"),
        ("CTS", "expectations"),
        ("QH", "expectations"),
        ("INT", "interests"),
    ]
    for category in categories:
        assert 1 <= category.items.count() <= MAX_ITEMS_PER_STEP


def test_every_attendu_has_two_or_three_items_and_two_actions(version):
    for expectation in Expectation.objects.filter(version=version):
        assert 2 <= expectation.items.count() <= 3, expectation.code
        assert len(expectation.advice_actions) >= 2, expectation.code


def test_about_one_attendu_item_in_four_is_reverse_keyed(version):
    items = Item.objects.filter(version=version, expectation__isnull=False)
    reversed_share = items.filter(reverse_keyed=True).count() / items.count()
    assert items.count() >= 45
    assert 0.2 <= reversed_share <= 0.3


def test_each_but_cs_parcours_has_three_interest_items_of_its_own(version):
    parcours = Track.objects.filter(version=version, kind=Track.Kind.BUT_CS)
    assert parcours.count() == 5
    for track in parcours:
        items = Item.objects.filter(weights__track=track, category__kind="interests")
        assert items.count() == 3, track.code
    assert Item.objects.filter(version=version, category__kind="interests").count() >= 15


def test_alternatives_are_described_with_level_duration_audience_and_onisep_link(version):
    alternatives = Track.objects.filter(version=version).exclude(kind=Track.Kind.BUT_CS)
    assert alternatives.count() >= 12
    for track in Track.objects.filter(version=version):
        assert track.duration and track.suits and track.description, track.code
        assert track.official_url.startswith("https://www.onisep.fr/"), track.code
        assert track.facts_date is not None


def test_the_deass_caveat_goes_with_the_assistance_sociale_parcours(version):
    track = Track.objects.get(version=version, code="BUT-AS")
    assert "ne délivre pas le diplôme d'État d'assistant de service social" in track.caveat
    assert Track.objects.filter(version=version, code="DEASS").exists()


def test_every_interest_item_points_to_a_track(version):
    interest_items = Item.objects.filter(version=version, category__kind="interests")
    for item in interest_items:
        assert TrackWeight.objects.filter(item=item).exists(), item.code


def _snapshot():
    models = [QuestionnaireVersion, Category, Expectation, Item, Track, TrackWeight]
    return {model: serialize("json", model.objects.order_by("pk")) for model in models}


def test_loading_again_changes_nothing(version):
    before = _snapshot()
    again, created = load_questionnaire()
    assert created is False
    assert again.pk == version.pk
    assert _snapshot() == before


def test_loaded_version_is_the_single_current_published_one(version):
    assert version.status == QuestionnaireVersion.Status.PUBLISHED
    assert QuestionnaireVersion.objects.current() == version
    assert version.published_at is not None


def test_an_incomplete_fixture_leaves_nothing_behind(db, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text(
        '[{"model": "orientation.questionnaireversion", "fields": {"code": "vide", '
        '"title": "Vide", "status": "draft", "content_date": "2026-11-27", '
        '"created_at": "2026-11-27T00:00:00Z"}}]',
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as error:
        load_questionnaire(broken)
    assert "Il faut au moins une catégorie d'attendus." in error.value.messages
    assert not QuestionnaireVersion.objects.filter(code="vide").exists()
