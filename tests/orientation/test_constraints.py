"""Bad content is refused by the database and explained by validation."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from orientation.models import (
    Category,
    Expectation,
    Item,
    QuestionnaireVersion,
    Track,
    TrackWeight,
)
from orientation.services import clone_version


@pytest.fixture
def draft(version):
    return clone_version(version, code="2026-2")


def test_item_codes_are_unique_in_a_version(draft):
    original = Item.objects.get(version=draft, code="CG1-a")
    duplicate = Item(
        version=draft,
        category=original.category,
        expectation=original.expectation,
        code="CG1-a",
        statement="Doublon",
    )
    with pytest.raises(ValidationError, match="Ce code d'affirmation existe déjà"):
        duplicate.full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        duplicate.save()


def test_the_same_code_may_live_in_two_versions(version, draft):
    assert Item.objects.filter(code="CG1-a").count() == 2


def test_weights_stay_between_one_and_three(draft):
    weight = TrackWeight.objects.filter(version=draft).first()
    weight.weight = 7
    with pytest.raises(ValidationError, match="3"):
        weight.full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        TrackWeight.objects.filter(pk=weight.pk).update(weight=0)


def test_track_levels_stay_between_three_and_eight(draft):
    track = Track.objects.get(version=draft, code="DEASS")
    with transaction.atomic(), pytest.raises(IntegrityError):
        Track.objects.filter(pk=track.pk).update(level=9)
    track.level = 2
    with pytest.raises(ValidationError):
        track.full_clean()


def test_only_one_version_is_current(version):
    other = QuestionnaireVersion.objects.create(
        code="autre",
        title="Autre",
        content_date=datetime.date(2026, 11, 27),
        status=QuestionnaireVersion.Status.PUBLISHED,
    )
    with transaction.atomic(), pytest.raises(IntegrityError):
        QuestionnaireVersion.objects.filter(pk=other.pk).update(is_current=True)


def test_a_draft_cannot_be_current(db):
    with transaction.atomic(), pytest.raises(IntegrityError):
        QuestionnaireVersion.objects.create(
            code="d", title="D", content_date=datetime.date(2026, 11, 27), is_current=True
        )


def test_an_attendu_item_needs_its_attendu(draft):
    category = Category.objects.get(version=draft, code="CG")
    item = Item(version=draft, category=category, code="CG-z", statement="Sans attendu")
    with pytest.raises(ValidationError, match="doit être rattachée à un attendu"):
        item.full_clean()


def test_an_interest_item_has_no_attendu(draft):
    category = Category.objects.get(version=draft, code="INT")
    expectation = Expectation.objects.get(version=draft, code="CG1")
    item = Item(
        version=draft, category=category, expectation=expectation, code="INT-z", statement="x"
    )
    with pytest.raises(ValidationError, match="n'est rattachée à aucun attendu"):
        item.full_clean()


def test_content_never_points_into_another_version(version, draft):
    foreign = Expectation.objects.get(version=version, code="CG1")
    category = Category.objects.get(version=draft, code="CG")
    item = Item(version=draft, category=category, expectation=foreign, code="CG1-z", statement="x")
    with pytest.raises(ValidationError, match="même version"):
        item.full_clean()


def test_an_attendu_needs_two_concrete_actions(draft):
    expectation = Expectation.objects.get(version=draft, code="CG2")
    expectation.advice = "Lire le journal."
    with pytest.raises(ValidationError, match="au moins deux actions"):
        expectation.full_clean()


def test_the_close_to_threshold_margin_is_bounded(draft):
    draft.close_margin = 40
    with pytest.raises(ValidationError):
        draft.full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        QuestionnaireVersion.objects.filter(pk=draft.pk).update(close_margin=40)
