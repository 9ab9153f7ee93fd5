"""Item statistics against a worked example, without a database."""

from math import isclose, sqrt

from hypothesis import given
from hypothesis import strategies as st

from assessments.psychometrics import cronbach_alpha, pearson, scale_report

# Five respondents, three statements (already keyed).
ROWS = [(2, 3, 3), (3, 3, 4), (3, 4, 4), (4, 4, 5), (5, 5, 5)]


def test_alpha_of_the_worked_example():
    # Item variances 1.3, 0.7, 0.7 (sum 2.7); totals 8, 10, 11, 13, 15 have variance 7.3.
    # α = 3/2 × (1 − 2.7 / 7.3) = 69/73.
    assert isclose(cronbach_alpha(ROWS), 69 / 73)


def test_item_statistics_of_the_worked_example():
    report = scale_report("X", ["a", "b", "c"], ROWS)
    assert report.n == 5 and isclose(report.alpha, 69 / 73)
    first = report.items[0]
    assert isclose(first.mean, 3.4) and isclose(first.sd, sqrt(1.3))
    # Rest scores 6, 7, 8, 9, 10: Sxy = 7, Sxx = 5.2, Syy = 10 → r = 7 / √52.
    assert isclose(first.corrected_r, 7 / sqrt(52))
    # Without the first statement: variances 0.7 + 0.7, total variance 2.5 → α = 2 × (1 − 1.4/2.5).
    assert isclose(first.alpha_if_deleted, 0.88)
    assert first.floor == 0 and isclose(report.items[2].ceiling, 0.4)
    assert not first.flagged
    assert report.too_few  # 5 < 30


def test_a_statement_that_goes_against_the_others_is_flagged():
    rows = [(1, 1, 5), (2, 2, 4), (3, 3, 3), (4, 4, 2), (5, 5, 1)] * 8
    report = scale_report("X", ["a", "b", "c"], rows)
    assert report.items[2].discriminates_poorly
    assert report.items[2].alpha_if_deleted > (report.alpha or -1)
    assert report.n == 40 and not report.too_few


def test_a_statement_everyone_agrees_with_saturates():
    rows = [(5, v) for v in (1, 2, 3, 4, 5)] * 2
    report = scale_report("X", ["a", "b"], rows)
    assert report.items[0].saturates and report.items[0].ceiling == 1
    assert report.items[0].corrected_r is None  # it does not vary


def test_undefined_figures_are_none_not_errors():
    assert cronbach_alpha([(3, 3), (3, 3)]) is None
    assert cronbach_alpha([(1, 2)]) is None
    assert pearson([1, 1, 1], [1, 2, 3]) is None
    assert scale_report("X", ["a"], []).alpha is None


@given(st.lists(st.tuples(*[st.integers(1, 5)] * 3), min_size=3, max_size=40))
def test_alpha_never_exceeds_one(rows):
    alpha = cronbach_alpha(rows)
    assert alpha is None or alpha <= 1 + 1e-9


@given(st.lists(st.integers(1, 5), min_size=3, max_size=40).filter(lambda v: len(set(v)) > 1))
def test_identical_statements_are_perfectly_consistent(values):
    rows = [(v, v, v) for v in values]
    assert isclose(cronbach_alpha(rows), 1)


@given(st.lists(st.tuples(*[st.integers(1, 5)] * 4), min_size=2, max_size=40))
def test_alpha_if_deleted_is_the_alpha_of_the_other_statements(rows):
    report = scale_report("X", ["a", "b", "c", "d"], rows)
    for index, item in enumerate(report.items):
        others = cronbach_alpha([row[:index] + row[index + 1 :] for row in rows])
        if others is None:
            assert item.alpha_if_deleted is None
        else:
            assert isclose(item.alpha_if_deleted, others, abs_tol=1e-9)
