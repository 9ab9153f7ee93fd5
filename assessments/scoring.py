"""How answers become scores. No Django here: plain values in, plain values out.

The rules, in plain words:

1. Every statement is answered on a 5-point scale, 1 « Pas du tout d'accord » to 5 « Tout à
   fait d'accord ». A reverse-keyed statement (« J'abandonne facilement… ») counts as 6 − answer,
   so that a high value always means a strength (the scale and that reading:
   orientation/content.py, shared with every other reader of an answer).
2. A statement's points are (value − 1) / 4 × 100: 1 → 0, 3 → 50, 5 → 100.
3. An attendu's score is the mean of its statements' points, rounded to a whole number (halves
   go up). A category's score (compétences générales, techniques et scientifiques, qualités
   humaines) is the mean of its attendus' scores; the overall score is the mean of the
   categories' scores, so each category counts the same whatever its number of attendus.
4. Each attendu score falls in the band with the highest start at or below it (for example
   « point d'appui » from 75, « à consolider » from 50, « piste de progrès » from 0).
5. Response flags say how the questionnaire was answered, never used to drop answers:
   - straight-lining: a step of at least 5 statements answered with one single value;
   - too fast: fewer than 2 seconds per statement on average, from start to finish.

The rules are versioned with the questionnaire (QuestionnaireVersion.rules), so that a stored
result can always be recomputed exactly. Where the two sets differ:

Rules « 1 » (version 2026-1)
   - « proche du seuil »: a rounded score less than the version's margin away from a band's
     start, either side;
   - contradictions: an attendu where the student agrees (4–5) with a statement and with any
     reverse-keyed one, or disagrees (1–2) with both; flagged from 3 such attendus.

Rules « 2 » (version 2026-2 on)
   - a knowledge question (vrai / faux / je ne sais pas) scores 100 when right, 0 for « je ne
     sais pas » and −100 when wrong (formula scoring: with two possible answers, guessing then
     gains nothing on average over saying « je ne sais pas »); the attendu's mean is then kept
     within 0–100;
   - « proche du seuil » means one answer away: the attendu's exact mean is less than one answer
     step (25 points ÷ its number of statements; 100 ÷ n for knowledge questions) from a band's
     start — « juste au-dessus » when one answer lower would drop it below, « juste en
     dessous » when one answer higher would reach it;
   - contradictions come only from true mirror pairs (a statement and the reverse-keyed one that
     says exactly its opposite): agreeing (4–5) with both or disagreeing (1–2) with both;
     flagged from 3 such pairs;
   - a retake's change is called a change only beyond the reliable change index
     (Jacobson & Truax 1991): |after − before| > 1.96 × SD × √(2 × (1 − reliability)); smaller
     moves read « stable ».
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from math import sqrt
from statistics import mean

from orientation.content import (
    AGREE_MIN,
    AGREEMENT,
    DISAGREE_MAX,
    DONT_KNOW,
    KNOWLEDGE,
    SCALE_MAX,
    SCALE_MIN,
    keyed,
)

# The response flags (rule 5 and the contradiction rules).
SECONDS_PER_ITEM_MIN = 2
STRAIGHT_LINE_MIN_ITEMS = 5
CONTRADICTIONS_MIN = 3
RULES_FIRST, RULES_SECOND = "1", "2"
# Points one answer step is worth on one statement: 1 → 2 on the agreement scale, wrong →
# right on a knowledge question.
STEP_POINTS = {AGREEMENT: 25, KNOWLEDGE: 100}
ABOVE, BELOW = "above", "below"
RELIABLE_Z = 1.96


@dataclass(frozen=True)
class ExpectationResult:
    """An attendu's score as computed here (stored as assessments.models.ExpectationScore)."""

    code: str
    category: str
    score: int
    band: str
    # The start of the band this score is close to, if any, and on which side (rules 2).
    near_threshold: int | None = None
    near_side: str | None = None


@dataclass(frozen=True)
class ResponseFlags:
    """How the questionnaire was answered (not what the statements are worth: that is
    assessments/psychometrics.py)."""

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
    expectations: dict  # code → ExpectationResult, in the order given
    categories: dict  # code → int
    overall: int
    flags: ResponseFlags = field(default_factory=ResponseFlags)


def round_half_up(value):
    return int(Decimal(str(value)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def item_points(value, reverse_keyed=False, kind=AGREEMENT, correct=None):
    """Points of one answer, 0–100, after reversal; a knowledge answer 100 (right), 0 (« je ne
    sais pas ») or −100 (wrong)."""
    if kind == KNOWLEDGE:
        return 100 if value == correct else 0 if value == DONT_KNOW else -100
    if not SCALE_MIN <= value <= SCALE_MAX:
        raise ValueError(f"answer {value!r} is outside the scale")
    return (keyed(value, reverse_keyed) - SCALE_MIN) / (SCALE_MAX - SCALE_MIN) * 100


def band_for(score, bands):
    """The band with the highest start at or below the score."""
    eligible = [band for band in bands if band.min_score <= score]
    if not eligible:
        raise ValueError("no band starts at or below the score; a band must start at 0")
    return max(eligible, key=lambda band: band.min_score)


def near_threshold(score, bands, margin):
    """Rules 1: the band start (other than 0) within `margin` points of the score, the closest."""
    starts = [band.min_score for band in bands if band.min_score > 0]
    close = [start for start in starts if abs(score - start) < margin]
    return min(close, key=lambda start: abs(score - start)) if close else None


def answer_step(items):
    """Rules 2: how far one answer moves an attendu's mean, in points (exact)."""
    return Fraction(min(STEP_POINTS[item.kind] for item in items), len(items))


def one_answer_from(exact, step, bands):
    """Rules 2: (band start, ABOVE or BELOW) when the exact mean is one answer from a band's
    start; the start it is closest to wins. None otherwise."""
    close = []
    for start in (band.min_score for band in bands if band.min_score > 0):
        if start <= exact < start + step:
            close.append((exact - start, start, ABOVE))
        elif start - step <= exact < start:
            close.append((start - exact, start, BELOW))
    if not close:
        return None
    _distance, start, side = min(close)
    return start, side


def reliable_change(before, after, sd, reliability, z=RELIABLE_Z):
    """Rules 2: +1 or −1 when the move is beyond the reliable change index, 0 when it is not."""
    threshold = z * sd * sqrt(2 * (1 - reliability))
    delta = after - before
    if abs(delta) <= threshold:
        return 0
    return 1 if delta > 0 else -1


def score_answers(
    answers, items, expectations, bands, margin, duration_seconds=None, rules=RULES_FIRST
):
    """Score a completed questionnaire.

    answers: {item code: answer} for every attendu statement (interest answers are ignored
    here; they feed the suggestion modules). items, expectations, bands: the version's
    ContentItem, ContentExpectation and ContentBand values (orientation/content.py).
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
        points = [
            item_points(answers[item.code], item.reverse_keyed, item.kind, item.correct)
            for item in its_items
        ]
        score = max(0, round_half_up(mean(points)))
        if rules == RULES_FIRST:
            near, side = near_threshold(score, bands, margin), None
        else:
            exact = max(Fraction(0), Fraction(sum(int(p) for p in points), len(points)))
            near, side = one_answer_from(exact, answer_step(its_items), bands) or (None, None)
        expectation_scores[expectation.code] = ExpectationResult(
            code=expectation.code,
            category=expectation.category,
            score=score,
            band=band_for(score, bands).code,
            near_threshold=near,
            near_side=side,
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
        flags=response_flags(answers, items, duration_seconds, rules),
    )


def response_flags(answers, items, duration_seconds=None, rules=RULES_FIRST):
    """How the questionnaire was answered: rule 5 of the module docstring, and the
    contradiction rule of each set of rules."""
    per_step = defaultdict(list)
    for item in items:
        if item.code in answers and item.kind == AGREEMENT:
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

    contradictions = (
        _mirror_contradictions(answers, items)
        if rules != RULES_FIRST
        else _first_rules_contradictions(answers, items)
    )
    return ResponseFlags(
        straight_lining=bool(straight),
        too_fast=too_fast,
        contradictory=len(contradictions) >= CONTRADICTIONS_MIN,
        straight_lined_steps=straight,
        contradictory_expectations=contradictions,
    )


def _opposed(direct, reverse):
    """Agreeing with a statement and with its opposite, or disagreeing with both."""
    return (direct >= AGREE_MIN and reverse >= AGREE_MIN) or (
        direct <= DISAGREE_MAX and reverse <= DISAGREE_MAX
    )


def _mirror_contradictions(answers, items):
    """Rules 2: the attendus whose mirror pair was answered both ways."""
    return tuple(
        sorted(
            item.expectation
            for item in items
            if item.mirror_of is not None
            and item.code in answers
            and item.mirror_of in answers
            and _opposed(answers[item.mirror_of], answers[item.code])
        )
    )


def _first_rules_contradictions(answers, items):
    """Rules 1: any statement of an attendu against any reverse-keyed one of the same attendu."""
    direct, reverse = defaultdict(list), defaultdict(list)
    for item in items:
        if item.expectation is not None and item.code in answers:
            (reverse if item.reverse_keyed else direct)[item.expectation].append(answers[item.code])
    return tuple(
        sorted(
            code
            for code in direct
            if code in reverse and any(_opposed(d, r) for d in direct[code] for r in reverse[code])
        )
    )
