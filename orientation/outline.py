"""Read a whole version in reading order, in a fixed number of queries.

A version holds its content in French and, field by field, in English. The student's view of a
version is read in one language: each text is the English one when the page is English and the
field is translated, the French one otherwise, and it knows its language (`Text.lang`) so that a
page marks French left in an English page with `lang="fr"`. The official wording of an attendu
stays French in every language, with its translation beside it.
"""

import re
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import translation

from .models import (
    KNOWLEDGE_SCALE,
    SCALE,
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


@dataclass
class Step:
    category: Category
    items: list = field(default_factory=list)
    # (expectation, its items) in order, for categories of attendus.
    groups: list = field(default_factory=list)


def questionnaire_outline(version):
    """Steps (one per category) with their items and attendus, the tracks and the bands."""
    categories = list(Category.objects.filter(version=version))
    expectations = list(Expectation.objects.filter(version=version))
    items = list(Item.objects.filter(version=version))
    steps = {category.pk: Step(category=category) for category in categories}
    by_expectation = {expectation.pk: (expectation, []) for expectation in expectations}
    for item in items:
        steps[item.category_id].items.append(item)
        if item.expectation_id:
            by_expectation[item.expectation_id][1].append(item)
    for expectation in expectations:
        steps[expectation.category_id].groups.append(by_expectation[expectation.pk])
    weights = TrackWeight.objects.select_related("item").order_by("item__position", "item__pk")
    tracks = Track.objects.filter(version=version).prefetch_related(Prefetch("weights", weights))
    return {
        "steps": list(steps.values()),
        "tracks": list(tracks),
        "bands": list(ScoreBand.objects.filter(version=version)),
    }


# --- The student's view of a version -----------------------------------------------------------

FRENCH = "fr"


class Text(str):
    """A piece of content in a known language; `foreign` when it is not in the language the
    content was read for (French left in an English page), known once, when read."""

    lang = FRENCH
    foreign = False

    def __new__(cls, value, lang=FRENCH, foreign=False):
        text = super().__new__(cls, value)
        text.lang = lang
        text.foreign = foreign
        return text


def _in(language):
    """The function that reads a field of an object in `language`, French where untranslated."""

    def read(obj, name):
        if language != FRENCH:
            translated = getattr(obj, f"{name}_{language}", "")
            if translated:
                return Text(translated, language)
        return Text(getattr(obj, name), FRENCH, foreign=language != FRENCH)

    return read


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-ÖØ-Ý«“])")


def _sentences(text):
    """(first sentence, the rest) of a text, each keeping the text's language."""
    first, *rest = _SENTENCE_END.split(str(text), maxsplit=1)
    lang, foreign = getattr(text, "lang", FRENCH), getattr(text, "foreign", False)
    return Text(first, lang, foreign), Text(rest[0] if rest else "", lang, foreign)


def _lines(text):
    return tuple(
        Text(line.strip(), text.lang, text.foreign) for line in text.splitlines() if line.strip()
    )


# A published or archived version never changes, so each process keeps its content once read:
# a questionnaire step then costs no query for its statements.


@dataclass(frozen=True)
class ContentItem:
    pk: int
    code: str
    statement: str
    reverse_keyed: bool
    step: str
    expectation: str | None
    kind: str = Item.Kind.AGREEMENT
    correct: int | None = None
    explanation: str = ""
    mirror_of: str | None = None
    dimension: str | None = None
    goal_track: str | None = None
    simple_statement: str = ""

    @property
    def is_knowledge(self):
        return self.kind == Item.Kind.KNOWLEDGE

    @property
    def scale(self):
        """The answers this question offers, (value, label) pairs."""
        return KNOWLEDGE_SCALE if self.is_knowledge else SCALE


@dataclass(frozen=True)
class ContentStep:
    pk: int
    number: int
    code: str
    name: str
    intro: str
    kind: str
    items: tuple

    @property
    def has_knowledge(self):
        return any(item.is_knowledge for item in self.items)


@dataclass(frozen=True)
class ContentExpectation:
    pk: int
    code: str
    category: str
    label: str
    official_wording: str
    advice: tuple
    official_wording_translation: str = ""  # beside the French wording, which is official
    workshops: tuple = ()  # ContentWorkshop, for teachers (the class report)


@dataclass(frozen=True)
class ContentWorkshop:
    title: str
    minutes: int
    preparation: str
    steps: tuple  # lines
    outcome: str


@dataclass(frozen=True)
class ContentTrack:
    pk: int
    code: str
    name: str
    short_name: str
    kind: str
    level: int | None
    duration: str
    access: str
    description: str
    suits: str
    official_url: str
    caveat: str
    facts_date: object
    position: int
    shown_with: str | None
    after_first_diploma: bool = False
    first_step: str = ""
    expectations: tuple = ()  # attendu codes that matter most for it
    profile: tuple = ()  # (dimension code, weight)

    @property
    def kind_label(self):
        return Track.Kind(self.kind).label

    @property
    def caveat_lead(self):
        """The caveat's first sentence, the one a results page shows at once."""
        return _sentences(self.caveat)[0]

    @property
    def caveat_rest(self):
        return _sentences(self.caveat)[1]


@dataclass(frozen=True)
class ContentDimension:
    code: str
    name: str
    description: str
    items: tuple  # item codes


@dataclass(frozen=True)
class ContentBand:
    code: str
    label: str
    min_score: int
    message: str


@dataclass(frozen=True)
class Questionnaire:
    version_id: int
    version_code: str
    rules: str
    close_margin: int
    content_date: object
    steps: tuple
    expectations: tuple
    tracks: tuple
    weights: tuple  # (track code, item code, weight)
    bands: tuple  # highest start first
    dimensions: tuple = ()

    def step(self, number):
        return self.steps[number - 1]

    @property
    def items(self):
        return tuple(item for step in self.steps for item in step.items)

    def expectation(self, code):
        return next(e for e in self.expectations if e.code == code)

    def track(self, code):
        return next(t for t in self.tracks if t.code == code)


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
                advice=_lines(local(e, "advice")),
                workshops=tuple(
                    ContentWorkshop(
                        title=local(w, "title"),
                        minutes=w.minutes,
                        preparation=local(w, "preparation"),
                        steps=_lines(local(w, "steps")),
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
        weights=tuple(weights),
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
