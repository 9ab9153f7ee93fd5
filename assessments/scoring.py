"""How answers become scores. No Django here: plain values in, plain values out.

The rules, in plain words:

1. Every statement is answered on a 5-point scale, 1 « Pas du tout d'accord » to 5 « Tout à
   fait d'accord ». A reverse-keyed statement (« J'abandonne facilement… ») counts as 6 − answer,
   so that a high value always means a strength.
2. A statement's points are (value − 1) / 4 × 100: 1 → 0, 3 → 50, 5 → 100.
3. An attendu's score is the mean of its statements' points, rounded to a whole number (halves
   go up). A category's score (compétences générales, techniques et scientifiques, qualités
   humaines) is the mean of its attendus' scores; the overall score is the mean of the
   categories' scores, so each category counts the same whatever its number of attendus.
4. Each attendu score falls in the band with the highest start at or below it (for example
   « point d'appui » from 75, « à consolider » from 50, « piste de progrès » from 0). A score
   within the version's margin of a band's start (either side) is « proche du seuil ».
5. Response quality is noted, never used to drop answers:
   - straight-lining: a step of at least 5 statements answered with one single value;
   - too fast: fewer than 2 seconds per statement on average, from start to finish;
   - contradictions: an attendu where the student agrees (4–5) with both a statement and a
     reverse-keyed one, or disagrees (1–2) with both; flagged from 3 such attendus.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from statistics import mean

SCALE_MIN, SCALE_MAX = 1, 5
SECONDS_PER_ITEM_MIN = 2
STRAIGHT_LINE_MIN_ITEMS = 5
CONTRADICTIONS_MIN = 3


@dataclass(frozen=True)
class ItemSpec:
    code: str
    step: str  # the category code: one step of the questionnaire
    expectation: str | None  # attendu code; None for an interest statement
    reverse_keyed: bool = False


@dataclass(frozen=True)
class ExpectationSpec:
    code: str
    category: str


@dataclass(frozen=True)
class BandSpec:
    code: str
    min_score: int


@dataclass(frozen=True)
class ExpectationScore:
    code: str
    category: str
    score: int
    band: str
    # The start of the band this score is close to (within the margin), if any.
    near_threshold: int | None = None


@dataclass(frozen=True)
class QualityFlags:
    straight_lining: bool = False
    too_fast: bool = False
    contradictory: bool = False
    straight_lined_steps: tuple = ()
    contradictory_expectations: tuple = ()

    @property
    def any(self):
        return self.straight_lining or self.too_fast or self.contradictory


@dataclass(frozen=True)
class Scores:
    expectations: dict  # code → ExpectationScore, in the order given
    categories: dict  # code → int
    overall: int
    quality: QualityFlags = field(default_factory=QualityFlags)


def round_half_up(value):
    return int(Decimal(str(value)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def item_points(value, reverse_keyed=False):
    """Points of one answer, 0–100, after reversal."""
    if not SCALE_MIN <= value <= SCALE_MAX:
        raise ValueError(f"answer {value!r} is outside the scale")
    keyed = SCALE_MIN + SCALE_MAX - value if reverse_keyed else value
    return (keyed - SCALE_MIN) / (SCALE_MAX - SCALE_MIN) * 100


def band_for(score, bands):
    """The band with the highest start at or below the score."""
    eligible = [band for band in bands if band.min_score <= score]
    if not eligible:
        raise ValueError("no band starts at or below the score; a band must start at 0")
    return max(eligible, key=lambda band: band.min_score)


def near_threshold(score, bands, margin):
    """The band start (other than 0) within `margin` points of the score, the closest one."""
    starts = [band.min_score for band in bands if band.min_score > 0]
    close = [start for start in starts if abs(score - start) < margin]
    return min(close, key=lambda start: abs(score - start)) if close else None


def score_answers(answers, items, expectations, bands, margin, duration_seconds=None):
    """Score a completed questionnaire.

    answers: {item code: value 1–5} for every attendu statement (interest answers are ignored
    here; they feed recommendation.py). items, expectations, bands: the version's specs.
    """
    by_expectation = defaultdict(list)
    for item in items:
        if item.expectation is not None:
            by_expectation[item.expectation].append(item)

    expectation_scores = {}
    for expectation in expectations:
        its_items = by_expectation[expectation.code]
        if not its_items:
            raise ValueError(f"attendu {expectation.code} has no statement")
        points = [item_points(answers[item.code], item.reverse_keyed) for item in its_items]
        score = round_half_up(mean(points))
        expectation_scores[expectation.code] = ExpectationScore(
            code=expectation.code,
            category=expectation.category,
            score=score,
            band=band_for(score, bands).code,
            near_threshold=near_threshold(score, bands, margin),
        )

    per_category = defaultdict(list)
    for result in expectation_scores.values():
        per_category[result.category].append(result.score)
    categories = {code: round_half_up(mean(scores)) for code, scores in per_category.items()}
    overall = round_half_up(mean(categories.values())) if categories else 0

    return Scores(
        expectations=expectation_scores,
        categories=categories,
        overall=overall,
        quality=assess_quality(answers, items, duration_seconds),
    )


def assess_quality(answers, items, duration_seconds=None):
    """Response-quality flags (rule 5 of the module docstring)."""
    per_step = defaultdict(list)
    for item in items:
        if item.code in answers:
            per_step[item.step].append(answers[item.code])
    straight = tuple(
        sorted(
            step
            for step, values in per_step.items()
            if len(values) >= STRAIGHT_LINE_MIN_ITEMS and len(set(values)) == 1
        )
    )

    answered = sum(1 for item in items if item.code in answers)
    too_fast = duration_seconds is not None and duration_seconds < SECONDS_PER_ITEM_MIN * answered

    direct, reverse = defaultdict(list), defaultdict(list)
    for item in items:
        if item.expectation is not None and item.code in answers:
            (reverse if item.reverse_keyed else direct)[item.expectation].append(answers[item.code])
    contradictions = tuple(
        sorted(
            code
            for code in direct
            if code in reverse
            and any(
                (d >= 4 and r >= 4) or (d <= 2 and r <= 2)
                for d in direct[code]
                for r in reverse[code]
            )
        )
    )
    return QualityFlags(
        straight_lining=bool(straight),
        too_fast=too_fast,
        contradictory=len(contradictions) >= CONTRADICTIONS_MIN,
        straight_lined_steps=straight,
        contradictory_expectations=contradictions,
    )
