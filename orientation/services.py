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
    InterestDimension,
    Item,
    QuestionnaireVersion,
    ScoreBand,
    Track,
    TrackDimension,
    TrackWeight,
    WorkshopActivity,
)

# A questionnaire step is one category; more than this per page tires a 15-year-old and
# slows the page (PRODUCT.md, QUALITY.md P1). 21, not 20, since 2026-2: seven attendus of
# « compétences générales » with three statements each (a statement and its exact opposite
# among them) fit one page, which keeps one page per category.
MAX_ITEMS_PER_STEP = 21
# Rules 2: what makes an attendu's band and an interest area's score worth reporting.
MIN_ITEMS_PER_SCALE = 3
MIN_WORKSHOPS = 2  # workshop activities per attendu, for the class report (rules 2)


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
    if version.rules == QuestionnaireVersion.Rules.FIRST:
        problems += _first_rules_problems(version)
    else:
        problems += _second_rules_problems(version)
    if not Track.objects.filter(version=version).exists():
        problems.append(_("Il faut au moins une formation à suggérer."))
    if not ScoreBand.objects.filter(version=version, min_score=0).exists():
        problems.append(_("Il faut une bande de score qui commence à 0."))
    return problems


def _first_rules_problems(version):
    unweighted = Item.objects.filter(
        version=version, category__kind=Category.Kind.INTERESTS, weights__isnull=True
    ).values_list("code", flat=True)
    return [
        _("L'affirmation d'intérêt %(code)s ne pointe vers aucune formation.") % {"code": code}
        for code in unweighted
    ]


def _second_rules_problems(version):
    """Rules 2 (assessments/matching.py, scoring.py): measured scales and profiled formations."""
    problems = []
    expectations = Expectation.objects.filter(version=version).annotate(
        n=Count("items", distinct=True),
        knowledge=Count("items", filter=Q(items__kind=Item.Kind.KNOWLEDGE), distinct=True),
        mirrors=Count("items", filter=Q(items__mirror_of__isnull=False), distinct=True),
        n_workshops=Count("workshops", distinct=True),
    )
    for expectation in expectations:
        if expectation.n and expectation.n < MIN_ITEMS_PER_SCALE:
            problems.append(
                _("L'attendu %(code)s a %(n)d affirmations ; il en faut au moins %(min)d.")
                % {"code": expectation.code, "n": expectation.n, "min": MIN_ITEMS_PER_SCALE}
            )
        if expectation.n_workshops < MIN_WORKSHOPS:
            problems.append(
                _(
                    "L'attendu %(code)s a %(n)d activités d'atelier pour les enseignants ; il en "
                    "faut au moins %(min)d (le bilan de la classe les propose)."
                )
                % {"code": expectation.code, "n": expectation.n_workshops, "min": MIN_WORKSHOPS}
            )
        if expectation.knowledge == 0 and expectation.mirrors != 1:
            problems.append(
                _(
                    "L'attendu %(code)s doit avoir exactement une paire de contraires (une "
                    "affirmation formulée à l'envers qui dit le contraire d'une autre)."
                )
                % {"code": expectation.code}
            )
    dimensions = InterestDimension.objects.filter(version=version).annotate(
        n=Count("items", distinct=True), tracks=Count("profile", distinct=True)
    )
    for dimension in dimensions:
        if dimension.n < MIN_ITEMS_PER_SCALE:
            problems.append(
                _(
                    "Le domaine d'intérêt %(code)s a %(n)d affirmations ; il en faut au "
                    "moins %(min)d."
                )
                % {"code": dimension.code, "n": dimension.n, "min": MIN_ITEMS_PER_SCALE}
            )
    if len(dimensions) < 2:
        problems.append(_("Il faut au moins deux domaines d'intérêt."))
    loose = Item.objects.filter(
        version=version,
        category__kind=Category.Kind.INTERESTS,
        dimension__isnull=True,
        goal_track__isnull=True,
    ).values_list("code", flat=True)
    for code in loose:
        problems.append(
            _(
                "L'affirmation d'intérêt %(code)s ne mesure aucun domaine et ne vise aucune "
                "formation."
            )
            % {"code": code}
        )
    unprofiled = Track.objects.filter(version=version, profile__isnull=True).values_list(
        "code", flat=True
    )
    for code in unprofiled:
        problems.append(
            _(
                "La formation %(code)s n'a pas de profil d'intérêts : elle ne serait "
                "jamais suggérée."
            )
            % {"code": code}
        )
    no_first_step = Track.objects.filter(
        version=version, after_first_diploma=True, first_step=""
    ).values_list("code", flat=True)
    for code in no_first_step:
        problems.append(
            _("La formation %(code)s vient après un premier diplôme : indiquez sa première étape.")
            % {"code": code}
        )
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


def draft_title(version):
    """A clone's title until the admin renames it: the version list then tells the draft from
    the version it copies (both used to show the same title)."""
    title = _("Brouillon de %(code)s — %(title)s") % {"code": version.code, "title": version.title}
    limit = QuestionnaireVersion._meta.get_field("title").max_length
    return title if len(title) <= limit else f"{title[: limit - 1]}…"


@transaction.atomic
def clone_version(version, *, code, title=None):
    """Copy a version's whole tree into a new draft that can be edited freely; the draft is
    titled « Brouillon de … » unless `title` is given."""
    if QuestionnaireVersion.objects.filter(code=code).exists():
        raise ValidationError(
            _("Le code « %(code)s » est déjà pris.") % {"code": code}, code="duplicate"
        )
    clone = QuestionnaireVersion.objects.create(
        code=code,
        title=title or draft_title(version),
        status=QuestionnaireVersion.Status.DRAFT,
        rules=version.rules,
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
    dimensions = _copy_rows(
        InterestDimension, list(InterestDimension.objects.filter(version=version)), clone, {}
    )
    originals = list(Track.objects.filter(version=version))
    # Companions point within the version: copy first, then aim them at the copies.
    tracks = _copy_rows(Track, originals, clone, {"shown_with": _NoneMapping()})
    for original in originals:
        if original.shown_with_id:
            tracks[original.pk].shown_with = tracks[original.shown_with_id]
    Track.objects.bulk_update(tracks.values(), ["shown_with"])
    through = Track.expectations.through
    through.objects.bulk_create(
        through(track_id=tracks[track_id].pk, expectation_id=expectations[expectation_id].pk)
        for track_id, expectation_id in through.objects.filter(track__version=version).values_list(
            "track_id", "expectation_id"
        )
    )
    item_rows = list(Item.objects.filter(version=version))
    items = _copy_rows(
        Item,
        item_rows,
        clone,
        {
            "category": categories,
            "expectation": expectations,
            "dimension": dimensions,
            "goal_track": tracks,
            "mirror_of": _NoneMapping(),
        },
    )
    for original in item_rows:
        if original.mirror_of_id:
            items[original.pk].mirror_of = items[original.mirror_of_id]
    Item.objects.bulk_update(items.values(), ["mirror_of"])
    _copy_rows(
        TrackDimension,
        list(TrackDimension.objects.filter(version=version)),
        clone,
        {"track": tracks, "dimension": dimensions},
    )
    _copy_rows(
        TrackWeight,
        list(TrackWeight.objects.filter(version=version)),
        clone,
        {"track": tracks, "item": items},
    )
    _copy_rows(ScoreBand, list(ScoreBand.objects.filter(version=version)), clone, {})
    _copy_rows(
        WorkshopActivity,
        list(WorkshopActivity.objects.filter(version=version)),
        clone,
        {"expectation": expectations},
    )
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
