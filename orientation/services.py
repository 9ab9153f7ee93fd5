"""Writes that touch a whole questionnaire version: publishing it and cloning it.

Publishing checks that the draft is complete (a student could take it and get a result),
archives the version in use and makes the draft current, in one transaction. Cloning copies
a version's whole tree into a new, independent draft.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    Category,
    Expectation,
    Item,
    QuestionnaireVersion,
    ScoreBand,
    Track,
    TrackWeight,
)

# A questionnaire step is one category; more than this per page tires a 15-year-old and
# slows the page (PRODUCT.md, QUALITY.md P1).
MAX_ITEMS_PER_STEP = 20


def publication_problems(version):
    """What stops this version from being published, as sentences for the admin."""
    problems = []
    categories = list(
        Category.objects.filter(version=version).annotate(
            n_items=Count("items", distinct=True),
            n_expectations=Count("expectations", distinct=True),
        )
    )
    kinds = {category.kind for category in categories}
    if Category.Kind.EXPECTATIONS not in kinds:
        problems.append(_("Il faut au moins une catégorie d'attendus."))
    for category in categories:
        if category.n_items == 0:
            problems.append(
                _("La catégorie %(code)s n'a aucune affirmation.") % {"code": category.code}
            )
        if category.n_items > MAX_ITEMS_PER_STEP:
            problems.append(
                _("La catégorie %(code)s a %(n)d affirmations ; %(max)d au plus par étape.")
                % {"code": category.code, "n": category.n_items, "max": MAX_ITEMS_PER_STEP}
            )
    for expectation in Expectation.objects.filter(version=version).annotate(n=Count("items")):
        if expectation.n == 0:
            problems.append(
                _("L'attendu %(code)s n'a aucune affirmation.") % {"code": expectation.code}
            )
        if len(expectation.advice_actions) < 2:
            problems.append(
                _("L'attendu %(code)s a moins de deux conseils.") % {"code": expectation.code}
            )
    unweighted = Item.objects.filter(
        version=version, category__kind=Category.Kind.INTERESTS, weights__isnull=True
    ).values_list("code", flat=True)
    for code in unweighted:
        problems.append(
            _("L'affirmation d'intérêt %(code)s ne pointe vers aucune formation.") % {"code": code}
        )
    if not Track.objects.filter(version=version).exists():
        problems.append(_("Il faut au moins une formation à suggérer."))
    if not ScoreBand.objects.filter(version=version, min_score=0).exists():
        problems.append(_("Il faut une bande de score qui commence à 0."))
    return problems


@transaction.atomic
def publish_version(version, *, now=None):
    """Publish a complete draft and make it the current version; archive the previous one."""
    version = QuestionnaireVersion.objects.select_for_update().get(pk=version.pk)
    if not version.is_draft:
        raise ValidationError(
            _("Seul un brouillon peut être publié (« %(code)s » est %(status)s).")
            % {"code": version.code, "status": version.get_status_display().lower()},
            code="not_draft",
        )
    problems = publication_problems(version)
    if problems:
        raise ValidationError(problems, code="incomplete")
    now = now or timezone.now()
    for previous in QuestionnaireVersion.objects.select_for_update().filter(is_current=True):
        previous.is_current = False
        previous.status = QuestionnaireVersion.Status.ARCHIVED
        previous.archived_at = now
        previous.save()
    version.status = QuestionnaireVersion.Status.PUBLISHED
    version.is_current = True
    version.published_at = now
    version.save()
    return version


def _copy_rows(model, rows, new_version, remap):
    """Copy rows into new_version, pointing their foreign keys at the copies in `remap`."""
    copies = []
    for row in rows:
        copy = model(
            **{
                field.attname: getattr(row, field.attname)
                for field in model._meta.concrete_fields
                if not field.primary_key
            }
        )
        copy.version = new_version
        for fk_name, mapping in remap.items():
            old_id = getattr(row, f"{fk_name}_id")
            setattr(copy, fk_name, mapping[old_id] if old_id is not None else None)
        copies.append(copy)
    created = model.objects.bulk_create(copies)
    return {row.pk: copy for row, copy in zip(rows, created, strict=True)}


class _NoneMapping(dict):
    """A remap that clears a foreign key (filled in afterwards)."""

    def __getitem__(self, key):
        return None


@transaction.atomic
def clone_version(version, *, code, title=None):
    """Copy a version's whole tree into a new draft that can be edited freely."""
    if QuestionnaireVersion.objects.filter(code=code).exists():
        raise ValidationError(
            _("Le code « %(code)s » est déjà pris.") % {"code": code}, code="duplicate"
        )
    clone = QuestionnaireVersion.objects.create(
        code=code,
        title=title or version.title,
        status=QuestionnaireVersion.Status.DRAFT,
        close_margin=version.close_margin,
        content_date=version.content_date,
        notes=version.notes,
        based_on=version,
    )
    categories = _copy_rows(Category, list(Category.objects.filter(version=version)), clone, {})
    expectations = _copy_rows(
        Expectation,
        list(Expectation.objects.filter(version=version)),
        clone,
        {"category": categories},
    )
    items = _copy_rows(
        Item,
        list(Item.objects.filter(version=version)),
        clone,
        {"category": categories, "expectation": expectations},
    )
    originals = list(Track.objects.filter(version=version))
    # Companions point within the version: copy first, then aim them at the copies.
    tracks = _copy_rows(Track, originals, clone, {"shown_with": _NoneMapping()})
    for original in originals:
        if original.shown_with_id:
            tracks[original.pk].shown_with = tracks[original.shown_with_id]
    Track.objects.bulk_update(tracks.values(), ["shown_with"])
    _copy_rows(
        TrackWeight,
        list(TrackWeight.objects.filter(version=version)),
        clone,
        {"track": tracks, "item": items},
    )
    _copy_rows(ScoreBand, list(ScoreBand.objects.filter(version=version)), clone, {})
    return clone


def next_version_code(version):
    """Suggest a free code for a clone: "2026-1" → "2026-2", else "<code>-copie-N"."""
    base, _sep, suffix = version.code.rpartition("-")
    stem, start = (base, int(suffix) + 1) if suffix.isdigit() and base else (version.code, 1)
    taken = set(
        QuestionnaireVersion.objects.filter(Q(code__startswith=stem)).values_list("code", flat=True)
    )
    number = start
    while f"{stem}-{number}" in taken:
        number += 1
    return f"{stem}-{number}"
