"""Read a whole version in reading order, in a fixed number of queries, into the snapshot of
orientation/content.py; a published version once per process and language.

A version holds its content in French and, field by field, in English. The student's view of a
version is read in one language: each text is the English one when the page is English and the
field is translated, the French one otherwise, and it knows its language (`Text.lang`) so that a
page marks French left in an English page with `lang="fr"`. The official wording of an attendu
stays French in every language, with its translation beside it.
"""

from django.utils import translation

from .content import (
    FRENCH,
    ContentBand,
    ContentDimension,
    ContentExpectation,
    ContentItem,
    ContentStep,
    ContentTrack,
    ContentWeight,
    ContentWorkshop,
    Questionnaire,
    Text,
    lines,
)
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


def _in(language):
    """The function that reads a field of an object in `language`, French where untranslated."""

    def read(obj, name):
        if language != FRENCH:
            translated = getattr(obj, f"{name}_{language}", "")
            if translated:
                return Text(translated, language)
        return Text(getattr(obj, name), FRENCH, foreign=language != FRENCH)

    return read


# A published or archived version never changes, so each process keeps its content once read:
# a questionnaire step then costs no query for its statements.
# Keyed by (version id, language).
_published_content = {}


def clear_content_cache():
    _published_content.clear()


def _language(language):
    return (language or translation.get_language() or FRENCH).split("-")[0]


def questionnaire_content(version, language=None):
    """The version's content as immutable values in `language` (the active one by default);
    read once per process and language unless a draft."""
    key = (version.pk, _language(language))
    cached = _published_content.get(key)
    if cached is not None:
        return cached
    content = _read_content(version, key[1])
    if not version.is_draft:
        _published_content[key] = content
    return content


def version_content(version_id, language=None):
    """questionnaire_content for a version known by its id: no query once it is cached."""
    cached = _published_content.get((version_id, _language(language)))
    if cached is not None:
        return cached
    return questionnaire_content(QuestionnaireVersion.objects.get(pk=version_id), language)


def _read_content(version, language):
    local = _in(language)
    categories = list(Category.objects.filter(version=version))
    expectations = list(Expectation.objects.filter(version=version).select_related("category"))
    items = list(Item.objects.filter(version=version).select_related("category", "expectation"))
    tracks = list(Track.objects.filter(version=version).select_related("shown_with"))
    weights = TrackWeight.objects.filter(version=version).values_list(
        "track__code", "item__code", "weight"
    )
    bands = ScoreBand.objects.filter(version=version)
    dimensions = list(InterestDimension.objects.filter(version=version))
    workshops = {}
    for workshop in WorkshopActivity.objects.filter(version=version):
        workshops.setdefault(workshop.expectation_id, []).append(workshop)
    profiles = {}
    for track, dimension, weight in TrackDimension.objects.filter(version=version).values_list(
        "track_id", "dimension__code", "weight"
    ):
        profiles.setdefault(track, []).append((dimension, weight))
    key_expectations = {}
    for track, code in Track.expectations.through.objects.filter(
        track__version=version
    ).values_list("track_id", "expectation__code"):
        key_expectations.setdefault(track, []).append(code)
    item_codes = {item.pk: item.code for item in items}
    dimension_codes = {dimension.pk: dimension.code for dimension in dimensions}
    track_codes = {track.pk: track.code for track in tracks}
    steps = tuple(
        ContentStep(
            pk=category.pk,
            number=number,
            code=category.code,
            name=local(category, "name"),
            intro=local(category, "intro"),
            kind=category.kind,
            items=tuple(
                ContentItem(
                    pk=item.pk,
                    code=item.code,
                    statement=local(item, "statement"),
                    simple_statement=local(item, "simple_statement"),
                    reverse_keyed=item.reverse_keyed,
                    step=category.code,
                    expectation=item.expectation.code if item.expectation_id else None,
                    kind=item.kind,
                    correct=item.correct_answer,
                    explanation=local(item, "explanation"),
                    mirror_of=item_codes.get(item.mirror_of_id),
                    dimension=dimension_codes.get(item.dimension_id),
                    goal_track=track_codes.get(item.goal_track_id),
                )
                for item in items
                if item.category_id == category.pk
            ),
        )
        for number, category in enumerate(categories, start=1)
    )
    return Questionnaire(
        version_id=version.pk,
        version_code=version.code,
        rules=version.rules,
        close_margin=version.close_margin,
        content_date=version.content_date,
        steps=steps,
        expectations=tuple(
            ContentExpectation(
                pk=e.pk,
                code=e.code,
                category=e.category.code,
                label=local(e, "label"),
                official_wording=Text(e.official_wording, FRENCH, foreign=language != FRENCH),
                official_wording_translation=(
                    getattr(e, f"official_wording_{language}", "") if language != FRENCH else ""
                ),
                advice=lines(local(e, "advice")),
                workshops=tuple(
                    ContentWorkshop(
                        title=local(w, "title"),
                        minutes=w.minutes,
                        preparation=local(w, "preparation"),
                        steps=lines(local(w, "steps")),
                        outcome=local(w, "outcome"),
                    )
                    for w in workshops.get(e.pk, ())
                ),
            )
            for e in sorted(expectations, key=lambda e: (e.category.position, e.position, e.pk))
        ),
        tracks=tuple(
            ContentTrack(
                pk=t.pk,
                code=t.code,
                name=local(t, "name"),
                short_name=local(t, "short_name"),
                kind=t.kind,
                kind_label=Track.Kind(t.kind).label,
                level=t.level,
                duration=local(t, "duration"),
                access=local(t, "access"),
                description=local(t, "description"),
                suits=local(t, "suits"),
                official_url=t.official_url,
                caveat=local(t, "caveat"),
                facts_date=t.facts_date,
                position=t.position,
                shown_with=t.shown_with.code if t.shown_with_id else None,
                after_first_diploma=t.after_first_diploma,
                first_step=local(t, "first_step"),
                expectations=tuple(key_expectations.get(t.pk, ())),
                profile=tuple(profiles.get(t.pk, ())),
            )
            for t in tracks
        ),
        weights=tuple(ContentWeight(*weight) for weight in weights),
        bands=tuple(
            ContentBand(
                code=b.code,
                label=local(b, "label"),
                min_score=b.min_score,
                message=local(b, "message"),
            )
            for b in bands
        ),
        dimensions=tuple(
            ContentDimension(
                code=d.code,
                name=local(d, "name"),
                description=local(d, "description"),
                items=tuple(item.code for item in items if item.dimension_id == d.pk),
            )
            for d in dimensions
        ),
    )
