"""A questionnaire version as immutable values: what scoring, suggestions, results and the admin
preview all read. No Django here, so that the pure modules (assessments/scoring.py,
recommendation.py) take this snapshot as it is and their tests need no database.

orientation/outline.py reads a version from the database into these values, once per process
and language for a published version. This module also holds what every reader of an answer
must agree on: the answer scales, the reading of a reverse-keyed statement, and the agreement
thresholds. The scales' labels are translated text, so they live beside the models
(orientation.models.SCALE), built on the values here.
"""

import re
from dataclasses import dataclass, field

# --- The answer scales (DOMAIN.md §6.1) ---

# The two kinds of question (orientation.models.Item.Kind).
AGREEMENT, KNOWLEDGE = "agreement", "knowledge"

# A statement is answered from 1 « pas du tout d'accord » to 5 « tout à fait d'accord ».
SCALE_MIN, SCALE_MAX = 1, 5
AGREEMENT_VALUES = tuple(range(SCALE_MIN, SCALE_MAX + 1))
AGREE_MIN = 4  # « plutôt d'accord » or more
DISAGREE_MAX = 2  # « plutôt pas d'accord » or less

# A knowledge question (a fact, not an opinion) is answered vrai, faux or je ne sais pas.
TRUE, FALSE, DONT_KNOW = 1, 2, 3
KNOWLEDGE_VALUES = (TRUE, FALSE, DONT_KNOW)

VALUES = {AGREEMENT: AGREEMENT_VALUES, KNOWLEDGE: KNOWLEDGE_VALUES}


def keyed(value, reverse_keyed):
    """An agreement answer read so that a high value always means a strength: a reverse-keyed
    statement (« J'abandonne facilement… ») counts 6 − answer."""
    return SCALE_MIN + SCALE_MAX - value if reverse_keyed else value


# --- Texts in a known language ---

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


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-ÖØ-Ý«“])")


def sentences(text):
    """(first sentence, the rest) of a text, each keeping the text's language."""
    first, *rest = _SENTENCE_END.split(str(text), maxsplit=1)
    lang, foreign = getattr(text, "lang", FRENCH), getattr(text, "foreign", False)
    return Text(first, lang, foreign), Text(rest[0] if rest else "", lang, foreign)


def lines(text):
    """The non-empty lines of a text, each keeping the text's language."""
    return tuple(
        Text(line.strip(), text.lang, text.foreign) for line in text.splitlines() if line.strip()
    )


# --- The snapshot ---
# What scoring reads comes first in each type, the rest has defaults: a test of the rules
# writes ContentItem("A1-a", "A", "A1") and nothing it does not need.


@dataclass(frozen=True)
class ContentItem:
    code: str
    step: str  # the category code: one step of the questionnaire
    expectation: str | None  # attendu code; None for an interest statement
    reverse_keyed: bool = False
    kind: str = AGREEMENT
    correct: int | None = None  # a knowledge question's right answer
    mirror_of: str | None = None  # the statement a reverse-keyed one is the exact opposite of
    pk: int | None = None
    statement: str = ""
    simple_statement: str = ""
    explanation: str = ""
    dimension: str | None = None
    goal_track: str | None = None

    @property
    def is_knowledge(self):
        return self.kind == KNOWLEDGE

    @property
    def values(self):
        """The answers this question offers (their labels: orientation.models.SCALES)."""
        return VALUES[self.kind]


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
class ContentWorkshop:
    title: str
    minutes: int
    preparation: str
    steps: tuple  # lines
    outcome: str


@dataclass(frozen=True)
class ContentExpectation:
    code: str
    category: str
    label: str = ""
    official_wording: str = ""
    advice: tuple = ()
    official_wording_translation: str = ""  # beside the French wording, which is official
    workshops: tuple = ()  # ContentWorkshop, for teachers (the class report)
    pk: int | None = None


@dataclass(frozen=True)
class ContentTrack:
    code: str
    position: int = 0
    shown_with: str | None = None  # code of a companion formation
    name: str = ""
    short_name: str = ""
    kind: str = ""
    # Translated where shown (a lazy label), so it takes no part in comparisons.
    kind_label: object = field(default="", compare=False)
    level: int | None = None
    duration: str = ""
    access: str = ""
    description: str = ""
    suits: str = ""
    official_url: str = ""
    caveat: str = ""
    facts_date: object = None
    after_first_diploma: bool = False
    first_step: str = ""
    expectations: tuple = ()  # attendu codes that matter most for it
    profile: tuple = ()  # (dimension code, weight)
    pk: int | None = None

    @property
    def caveat_lead(self):
        """The caveat's first sentence, the one a results page shows at once."""
        return sentences(self.caveat)[0]

    @property
    def caveat_rest(self):
        return sentences(self.caveat)[1]


@dataclass(frozen=True)
class ContentWeight:
    """Rules 1: how much an interest statement points to a formation, 1 (a hint) to 3."""

    track: str
    item: str
    weight: int


@dataclass(frozen=True)
class ContentDimension:
    code: str
    items: tuple = ()  # item codes
    name: str = ""
    description: str = ""


@dataclass(frozen=True)
class ContentBand:
    code: str
    min_score: int
    label: str = ""
    message: str = ""


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
    weights: tuple  # ContentWeight
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

    def items_of(self, expectation_code):
        """The statements of an attendu, in the questionnaire's order."""
        return tuple(item for item in self.items if item.expectation == expectation_code)
