"""A published version is frozen in code; changes go through a cloned draft."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from orientation.models import (
    Category,
    Expectation,
    FrozenVersionError,
    Item,
    QuestionnaireVersion,
    ScoreBand,
    Track,
    TrackWeight,
)
from orientation.services import clone_version, next_version_code, publish_version

TREE = [Category, Expectation, Item, Track, TrackWeight, ScoreBand]
FROZEN = "ne peut plus être modifié"


def tree(version):
    """Every row of a version, by natural key, without ids: what a student's score rests on."""
    rows = {}
    for model in TREE:
        for obj in model.objects.filter(version=version):
            values = {
                field.name: (
                    getattr(obj, field.name).natural_key()[1:]
                    if field.is_relation and getattr(obj, field.name) is not None
                    else getattr(obj, field.attname)
                )
                for field in model._meta.concrete_fields
                if field.name not in ("id", "version")
            }
            rows[(model.__name__, obj.natural_key()[1:])] = values
    return rows


def test_editing_an_item_of_a_published_version_is_refused(version):
    item = Item.objects.filter(version=version).first()
    item.statement = "Changé"
    with pytest.raises(FrozenVersionError, match=FROZEN):
        item.save()
    item.refresh_from_db()
    assert item.statement != "Changé"


def test_bulk_updates_and_deletes_of_published_content_are_refused(version):
    with pytest.raises(FrozenVersionError, match=FROZEN):
        Item.objects.filter(version=version).update(statement="x")
    with pytest.raises(FrozenVersionError, match=FROZEN):
        TrackWeight.objects.filter(version=version).delete()
    with pytest.raises(FrozenVersionError, match=FROZEN):
        Expectation.objects.filter(version=version).first().delete()
    assert Item.objects.filter(version=version, statement="x").count() == 0
    assert TrackWeight.objects.filter(version=version).count() > 0


def test_moving_published_content_into_a_draft_is_refused(version):
    draft = clone_version(version, code="brouillon")
    band = ScoreBand.objects.filter(version=version).first()
    band.version = draft
    with pytest.raises(FrozenVersionError):
        band.save()


def test_a_published_version_keeps_its_own_fields_and_cannot_be_deleted(version):
    version.title = "Autre titre"
    with pytest.raises(FrozenVersionError):
        version.save()
    version.refresh_from_db()
    with pytest.raises(FrozenVersionError):
        version.delete()
    assert QuestionnaireVersion.objects.filter(pk=version.pk).exists()


def test_a_published_version_cannot_go_back_to_draft(version):
    version.status = QuestionnaireVersion.Status.DRAFT
    version.is_current = False
    with pytest.raises(FrozenVersionError, match="brouillon"):
        version.save()


def test_a_clone_is_an_equal_independent_draft(version):
    clone = clone_version(version, code=next_version_code(version))
    assert clone.code == "2026-2"
    assert clone.status == QuestionnaireVersion.Status.DRAFT
    assert clone.based_on == version
    assert tree(clone) == tree(version)

    item = Item.objects.get(version=clone, code="CG1-a")
    item.statement = "Je relis toujours mes copies."
    item.save()
    Track.objects.filter(version=clone, code="DEASS").delete()

    assert Item.objects.get(version=version, code="CG1-a").statement.startswith("Quand je rédige")
    assert Track.objects.filter(version=version, code="DEASS").exists()
    assert tree(clone) != tree(version)


def test_publishing_a_clone_archives_the_previous_version(version):
    before = tree(version)
    clone = clone_version(version, code="2026-2")
    item = Item.objects.get(version=clone, code="CG1-a")
    item.statement = "Je relis toujours mes copies."
    item.save()

    publish_version(clone)

    version.refresh_from_db()
    clone.refresh_from_db()
    assert QuestionnaireVersion.objects.current() == clone
    assert version.status == QuestionnaireVersion.Status.ARCHIVED
    assert version.archived_at is not None and not version.is_current
    assert tree(version) == before
    assert QuestionnaireVersion.objects.filter(is_current=True).count() == 1


def test_publishing_an_incomplete_draft_lists_what_is_missing(version):
    clone = clone_version(version, code="2026-2")
    Item.objects.filter(version=clone, expectation__code="CG3").delete()
    ScoreBand.objects.filter(version=clone, min_score=0).delete()
    with pytest.raises(ValidationError) as error:
        publish_version(clone)
    assert "L'attendu CG3 n'a aucune affirmation." in error.value.messages
    assert "Il faut une bande de score qui commence à 0." in error.value.messages
    clone.refresh_from_db()
    assert clone.is_draft
    assert QuestionnaireVersion.objects.current() == version


def test_a_step_of_more_than_twenty_one_items_cannot_be_published(version):
    clone = clone_version(version, code="2026-2")
    cg1 = Expectation.objects.get(version=clone, code="CG1")
    for n in range(3):
        Item.objects.create(
            version=clone, category=cg1.category, expectation=cg1, code=f"CG1-x{n}", statement="x"
        )
    with pytest.raises(ValidationError, match="23 affirmations ; 21 au plus"):
        publish_version(clone)


def test_publishing_a_published_version_is_refused(version):
    with pytest.raises(ValidationError, match="Seul un brouillon peut être publié"):
        publish_version(version)


def test_clone_codes_must_be_free(version):
    with pytest.raises(ValidationError, match="déjà pris"):
        clone_version(version, code=version.code)


def test_a_draft_can_be_edited_and_deleted(version):
    clone = clone_version(version, code="2026-2")
    clone.title = "Essai"
    clone.content_date = datetime.date(2027, 1, 15)
    clone.save()
    clone.delete()
    assert not QuestionnaireVersion.objects.filter(code="2026-2").exists()
    assert not Item.objects.filter(version__code="2026-2").exists()
