"""The scoring rules of assessments/scoring.py, without a database."""

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments.scoring import (
    band_for,
    item_points,
    near_threshold,
    reliable_change,
    response_flags,
    round_half_up,
    score_answers,
)
from orientation.content import ContentBand, ContentExpectation, ContentItem

BANDS = [ContentBand("appui", 75), ContentBand("consolider", 50), ContentBand("progres", 0)]
EXPECTATIONS = [
    ContentExpectation("A1", "A"),
    ContentExpectation("A2", "A"),
    ContentExpectation("B1", "B"),
]
ITEMS = [
    ContentItem("A1-a", "A", "A1"),
    ContentItem("A1-b", "A", "A1"),
    ContentItem("A1-c", "A", "A1", reverse_keyed=True),
    ContentItem("A2-a", "A", "A2"),
    ContentItem("A2-b", "A", "A2", reverse_keyed=True),
    ContentItem("B1-a", "B", "B1"),
    ContentItem("B1-b", "B", "B1"),
]
values = st.integers(min_value=1, max_value=5)
answer_sets = st.fixed_dictionaries({item.code: values for item in ITEMS})


def score(answers, margin=5, duration=None, items=ITEMS):
    return score_answers(answers, items, EXPECTATIONS, BANDS, margin, duration)


def test_the_rules_and_the_content_they_read_import_no_django():
    # Pure by design (STYLE.md §2): the rules take the content snapshot as it is, so the
    # snapshot must stay free of Django too.
    modules = "assessments.scoring, assessments.recommendation, assessments.matching"
    check = f"import sys, {modules}; print(sorted({{m.split('.')[0] for m in sys.modules}}))"
    root = Path(__file__).resolve().parents[2]
    loaded = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True, cwd=root
    ).stdout
    assert "django" not in loaded
    assert "orientation" in loaded


def test_points_run_from_0_to_100_and_reverse_keyed_items_flip():
    assert [item_points(v) for v in range(1, 6)] == [0, 25, 50, 75, 100]
    assert [item_points(v, reverse_keyed=True) for v in range(1, 6)] == [100, 75, 50, 25, 0]


@pytest.mark.parametrize("value", [0, 6, -1])
def test_an_answer_outside_the_scale_is_refused(value):
    with pytest.raises(ValueError):
        item_points(value)


def test_a_worked_example():
    answers = {"A1-a": 5, "A1-b": 4, "A1-c": 2, "A2-a": 3, "A2-b": 3, "B1-a": 1, "B1-b": 2}
    result = score(answers)
    # A1: 100, 75, (6-2=4 → 75) → 83.33 → 83; A2: 50, 50 → 50; B1: 0, 25 → 12.5 → 13 (halves up)
    assert {code: r.score for code, r in result.expectations.items()} == {
        "A1": 83,
        "A2": 50,
        "B1": 13,
    }
    assert [r.band for r in result.expectations.values()] == ["appui", "consolider", "progres"]
    # A: mean(83, 50) = 66.5 → 67; B: 13; overall: mean(67, 13) = 40
    assert result.categories == {"A": 67, "B": 13}
    assert result.overall == 40
    assert result.expectations["A2"].near_threshold == 50
    assert result.expectations["A1"].near_threshold is None


def test_halves_round_up():
    assert [round_half_up(x) for x in (12.5, 13.5, 66.5, 0.49, 99.5)] == [13, 14, 67, 0, 100]


def test_bands_start_at_their_minimum():
    assert band_for(75, BANDS).code == "appui"
    assert band_for(74, BANDS).code == "consolider"
    assert band_for(0, BANDS).code == "progres"
    with pytest.raises(ValueError):
        band_for(10, [ContentBand("haut", 50)])


def test_close_to_the_threshold_is_within_the_margin_either_side():
    assert near_threshold(71, BANDS, 5) == 75
    assert near_threshold(79, BANDS, 5) == 75
    assert near_threshold(70, BANDS, 5) is None
    assert near_threshold(52, BANDS, 5) == 50
    assert near_threshold(52, BANDS, 0) is None


@given(answer_sets)
def test_scores_stay_within_bounds(answers):
    result = score(answers)
    for item in result.expectations.values():
        assert 0 <= item.score <= 100
    assert all(0 <= value <= 100 for value in result.categories.values())
    assert 0 <= result.overall <= 100


@given(answer_sets, st.sampled_from([i for i in ITEMS if i.expectation]))
def test_agreeing_more_never_lowers_a_direct_item_and_always_lowers_a_reversed_one(answers, item):
    if answers[item.code] == 5:
        return
    higher = {**answers, item.code: answers[item.code] + 1}
    before = score(answers).expectations[item.expectation].score
    after = score(higher).expectations[item.expectation].score
    if item.reverse_keyed:
        assert after <= before
    else:
        assert after >= before
    raw_before = item_points(answers[item.code], item.reverse_keyed)
    raw_after = item_points(higher[item.code], item.reverse_keyed)
    assert (raw_after < raw_before) if item.reverse_keyed else (raw_after > raw_before)


@given(answer_sets, st.randoms())
def test_the_order_of_items_changes_nothing(answers, random):
    shuffled = list(ITEMS)
    random.shuffle(shuffled)
    assert score(answers, items=shuffled) == score(answers)


def test_all_neutral_answers_give_the_middle():
    result = score({item.code: 3 for item in ITEMS})
    assert {r.score for r in result.expectations.values()} == {50}
    assert result.overall == 50


def test_all_strengths_give_100_and_all_weaknesses_0():
    best = {i.code: (1 if i.reverse_keyed else 5) for i in ITEMS}
    worst = {i.code: (5 if i.reverse_keyed else 1) for i in ITEMS}
    assert score(best).overall == 100
    assert score(worst).overall == 0


def test_each_category_counts_the_same_in_the_overall_score():
    # Category A has two attendus, B one: B's single attendu weighs as much as A's two.
    answers = {i.code: (1 if i.reverse_keyed else 5) for i in ITEMS} | {"B1-a": 1, "B1-b": 1}
    assert score(answers).overall == 50


def test_one_value_through_a_whole_step_is_straight_lining():
    items = [ContentItem(f"S-{n}", "S", "S1") for n in range(5)]
    assert response_flags({i.code: 4 for i in items}, items).straight_lining
    varied = {i.code: 4 for i in items} | {"S-0": 3}
    assert not response_flags(varied, items).straight_lining
    short = items[:4]
    assert not response_flags({i.code: 4 for i in short}, short).straight_lining


def test_less_than_two_seconds_a_statement_is_too_fast():
    answers = {i.code: 3 for i in ITEMS}
    assert response_flags(answers, ITEMS, duration_seconds=13).too_fast
    assert not response_flags(answers, ITEMS, duration_seconds=14).too_fast
    assert not response_flags(answers, ITEMS, duration_seconds=None).too_fast


def test_agreeing_with_a_statement_and_its_reverse_is_a_contradiction():
    items = [
        item
        for n in range(3)
        for item in (
            ContentItem(f"X{n}-a", "X", f"X{n}"),
            ContentItem(f"X{n}-r", "X", f"X{n}", reverse_keyed=True),
        )
    ]
    both_agree = {i.code: 5 for i in items}
    flags = response_flags(both_agree, items)
    assert flags.contradictory
    assert flags.contradictory_expectations == ("X0", "X1", "X2")
    two_only = both_agree | {"X2-r": 1}
    assert not response_flags(two_only, items).contradictory
    consistent = {i.code: (1 if i.reverse_keyed else 5) for i in items}
    assert not response_flags(consistent, items).any


@given(answer_sets)
def test_response_flags_never_change_the_scores(answers):
    fast = score(answers, duration=1)
    slow = score(answers, duration=10_000)
    assert fast.expectations == slow.expectations
    assert fast.overall == slow.overall


def test_interest_statements_do_not_count_in_attendu_scores():
    interest = ContentItem("INT-1", "INT", None)
    answers = {item.code: 3 for item in ITEMS}
    assert score(answers | {"INT-1": 5}, items=[*ITEMS, interest]) == score(answers)


def test_an_attendu_without_statements_is_an_error_not_a_silent_zero():
    with pytest.raises(ValueError, match="A2 has no statement"):
        score({item.code: 3 for item in ITEMS}, items=[i for i in ITEMS if i.expectation != "A2"])


def test_response_flags_look_only_at_given_answers():
    partial = {item.code: 4 for item in ITEMS if item.code != "A1-c"}
    flags = response_flags(partial, ITEMS, duration_seconds=12)
    # 6 answers: 12 s is exactly 2 s each, not too fast; A1 has no reverse answer to contradict.
    assert not flags.too_fast
    assert "A1" not in flags.contradictory_expectations


# --- Rules 2 (2026-2 on) ---------------------------------------------------------------------

MIRRORED = [
    ContentItem("M1-a", "M", "M1"),
    ContentItem("M1-b", "M", "M1"),
    ContentItem("M1-c", "M", "M1", reverse_keyed=True, mirror_of="M1-a"),
    ContentItem("K1-1", "M", "K1", kind="knowledge", correct=1),
    ContentItem("K1-2", "M", "K1", kind="knowledge", correct=2),
    ContentItem("K1-3", "M", "K1", kind="knowledge", correct=1),
    ContentItem("K1-4", "M", "K1", kind="knowledge", correct=2),
]
MIRRORED_EXPECTATIONS = [ContentExpectation("M1", "M"), ContentExpectation("K1", "M")]


def score_second(answers):
    return score_answers(answers, MIRRORED, MIRRORED_EXPECTATIONS, BANDS, 5, rules="2")


def test_a_wrong_knowledge_answer_cancels_a_right_one_and_not_knowing_costs_nothing():
    base = {"M1-a": 3, "M1-b": 3, "M1-c": 3}
    # Two right, one « je ne sais pas », one wrong: (100 + 100 + 0 − 100) / 4 = 25.
    mixed = score_second({**base, "K1-1": 1, "K1-2": 2, "K1-3": 3, "K1-4": 1})
    assert mixed.expectations["K1"].score == 25
    # Two right and two « je ne sais pas »: 50 — better than guessing wrong.
    honest = score_second({**base, "K1-1": 1, "K1-2": 2, "K1-3": 3, "K1-4": 3})
    assert honest.expectations["K1"].score == 50
    # All wrong: kept at 0, not below.
    wrong = score_second({**base, "K1-1": 2, "K1-2": 1, "K1-3": 2, "K1-4": 1})
    assert wrong.expectations["K1"].score == 0


@pytest.mark.parametrize(
    ("values", "start", "side"),
    [
        ((4, 4, 2), 75, "above"),  # exactly 75: one answer lower drops it to 66.7
        ((4, 3, 2), 75, "below"),  # 66.7 → one answer higher gives 75
        ((3, 3, 3), 50, "above"),  # exactly 50
        ((3, 2, 3), 50, "below"),  # 41.7: one answer higher gives 50
        ((5, 5, 1), None, None),  # 100: far from every start
        ((2, 2, 4), None, None),  # 25: far from every start
    ],
)
def test_close_to_a_threshold_means_one_answer_away_on_either_side(values, start, side):
    a, b, c = values
    answers = {"M1-a": a, "M1-b": b, "M1-c": c, "K1-1": 1, "K1-2": 2, "K1-3": 1, "K1-4": 2}
    result = score_second(answers).expectations["M1"]
    assert (result.near_threshold, result.near_side) == (start, side)


@given(st.tuples(values, values, values))
def test_near_says_what_one_answer_would_change(values):
    a, b, c = values
    answers = {"M1-a": a, "M1-b": b, "M1-c": c, "K1-1": 1, "K1-2": 2, "K1-3": 1, "K1-4": 2}
    result = score_second(answers).expectations["M1"]
    if result.near_side is None:
        return
    # Move one answer one step the other way: the band changes.
    keyed = [a, b, 6 - c]
    step = -1 if result.near_side == "above" else 1
    movable = [i for i, v in enumerate(keyed) if 1 <= v + step <= 5]
    moved = keyed[:]
    moved[movable[0]] += step
    before = band_for(result.score, BANDS).min_score
    after = band_for(round_half_up(sum((v - 1) * 25 for v in moved) / 3), BANDS).min_score
    assert (after < before) if result.near_side == "above" else (after > before)


def test_contradictions_come_only_from_mirror_pairs():
    items = [
        ContentItem(
            f"E{n}-{x}",
            "S",
            f"E{n}",
            reverse_keyed=x == "c",
            mirror_of=(f"E{n}-a" if x == "c" else None),
        )
        for n in range(4)
        for x in "abc"
    ]
    # Shy but diligent: agrees with b and with c (c is the opposite of a, not of b).
    honest = {f"E{n}-{x}": v for n in range(4) for x, v in zip("abc", (2, 5, 4), strict=True)}
    flags = response_flags(honest, items, rules="2")
    assert flags.contradictory_expectations == ()
    assert not flags.contradictory
    # Agreeing with a statement and with its exact opposite, on three attendus: flagged.
    both = {**honest, **{f"E{n}-a": 5 for n in range(3)}}
    flags = response_flags(both, items, rules="2")
    assert flags.contradictory_expectations == ("E0", "E1", "E2")
    assert flags.contradictory
    # The rules of 2026-1 still read any reverse-keyed statement against any other.
    assert response_flags(honest, items).contradictory


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [(50, 58, 0), (50, 70, 0), (50, 72, 1), (72, 50, -1), (60, 60, 0)],
)
def test_a_change_counts_only_beyond_the_reliable_change_index(before, after, expected):
    # SD 15, α 0.75: 1.96 × 15 × √(2 × 0.25) = 20.8 points.
    assert reliable_change(before, after, sd=15, reliability=0.75) == expected
