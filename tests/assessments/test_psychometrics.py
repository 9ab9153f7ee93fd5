"""Item statistics against a worked example, without a database."""

from math import isclose, sqrt

from hypothesis import given
from hypothesis import strategies as st

from assessments.psychometrics import (
    ItemReport,
    cronbach_alpha,
    feldt_interval,
    mcdonald_omega,
    one_factor_loadings,
    pearson,
    scale_report,
    spearman_brown,
    variance,
)

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


# --- Score spread -------------------------------------------------------------------------------


def test_score_sd_is_the_spread_of_the_score_on_0_to_100():
    # Score = (mean keyed answer − 1) × 25 = (total / 3 − 1) × 25, so its SD is 25/3 × SD(total);
    # the totals 8, 10, 11, 13, 15 have variance 7.3.
    report = scale_report("X", ["a", "b", "c"], ROWS)
    assert isclose(report.score_sd, 25 / 3 * sqrt(7.3))


def test_weights_make_the_score_a_mean_of_attendus():
    # Two attendus in a category: (a, b) and (c). Points (0, 0, 0), (100, 100, 0),
    # (100, 100, 100) give attendu means (0, 0), (100, 0), (100, 100): scores 0, 50, 100, SD 50.
    rows = [(1, 1, 1), (5, 5, 1), (5, 5, 5)]
    weighted = scale_report("C", ["a", "b", "c"], rows, weights=[1 / 2, 1 / 2, 1])
    assert isclose(weighted.score_sd, 50)
    # Unweighted, the scores would be 0, 66.7, 100.
    assert not isclose(scale_report("C", ["a", "b", "c"], rows).score_sd, 50)


# --- Spearman–Brown -----------------------------------------------------------------------------


def test_spearman_brown_of_a_two_statement_set():
    # Deviations (−2, −1, 0, 1, 2) and (−1, −2, 0, 2, 1): Sxy = 8, Sxx = Syy = 10, r = 0.8.
    # 2r / (1 + r) = 1.6 / 1.8 = 8/9. Three statements: 1.5 × 8/9 / (1 + 0.5 × 8/9) = 12/13;
    # four: 2 × 8/9 / (1 + 8/9) = 16/17.
    rows = [(1, 2), (2, 1), (3, 3), (4, 5), (5, 4)]
    report = scale_report("CG7", ["a", "b"], rows)
    assert isclose(report.spearman_brown, 8 / 9)
    (three, at_three), (four, at_four) = report.projected
    assert (three, four) == (3, 4)
    assert isclose(at_three, 12 / 13) and isclose(at_four, 16 / 17)


def test_spearman_brown_projects_a_three_statement_set_to_four():
    # reliability.py's prior: an average inter-item correlation of 0.25 gives 0.5 for three.
    assert isclose(spearman_brown(0.25, 3), 0.5)
    report = scale_report("X", ["a", "b", "c"], ROWS)
    assert report.spearman_brown is None
    ((length, value),) = report.projected
    assert length == 4 and isclose(value, spearman_brown(69 / 73, 4 / 3))


@given(st.floats(0.01, 0.99), st.floats(1, 5))
def test_spearman_brown_shortening_undoes_lengthening(reliability, factor):
    longer = spearman_brown(reliability, factor)
    assert longer >= reliability - 1e-12
    assert isclose(spearman_brown(longer, 1 / factor), reliability, abs_tol=1e-9)


# --- McDonald's ω -------------------------------------------------------------------------------

# Covariances of three statements that fit one factor exactly: loadings λ = (1, 0.8, 0.6),
# unique variances θ = (0.5, 0.36, 0.64), so cov = λλᵀ + diag(θ).
ONE_FACTOR = [[1.5, 0.8, 0.6], [0.8, 1.0, 0.48], [0.6, 0.48, 1.0]]


def test_principal_axes_recover_the_loadings():
    loadings = one_factor_loadings(ONE_FACTOR)
    assert all(isclose(a, b, abs_tol=1e-6) for a, b in zip(loadings, (1, 0.8, 0.6), strict=True))


def test_omega_of_the_worked_example():
    # ω = (Σλ)² / ((Σλ)² + Σθ) = 2.4² / (5.76 + 1.5) = 5.76 / 7.26 = 96/121 ≈ 0.793.
    # α from the same matrix: total variance 7.26, Σ variances 3.5, α = 1.5 × 3.76 / 7.26 =
    # 94/121 ≈ 0.777: lower, as α is when the loadings differ.
    assert isclose(mcdonald_omega(ONE_FACTOR), 96 / 121, abs_tol=1e-6)


def test_omega_needs_three_statements():
    assert mcdonald_omega([[1.0, 0.5], [0.5, 1.0]]) is None
    assert scale_report("CG7", ["a", "b"], [(1, 2), (2, 1), (3, 3)]).omega is None


@given(
    st.lists(st.floats(0.3, 2), min_size=3, max_size=8).flatmap(
        lambda loadings: st.tuples(
            st.just(loadings),
            st.lists(st.floats(0.2, 2), min_size=len(loadings), max_size=len(loadings)),
        )
    )
)
def test_omega_is_exact_when_one_factor_fits(model):
    loadings, unique = model
    k = len(loadings)
    cov = [
        [loadings[i] * loadings[j] + (unique[i] if i == j else 0) for j in range(k)]
        for i in range(k)
    ]
    expected = sum(loadings) ** 2 / (sum(loadings) ** 2 + sum(unique))
    assert isclose(mcdonald_omega(cov), expected, abs_tol=1e-4)


@given(st.floats(0.1, 2), st.floats(0.05, 1), st.integers(3, 8))
def test_omega_equals_alpha_when_statements_weigh_the_same(spread, shared, k):
    # Equal loadings and variances (tau-equivalence): both are k·c / (v + (k − 1)·c).
    variance_, covariance = spread + shared, shared
    cov = [[variance_ if i == j else covariance for j in range(k)] for i in range(k)]
    alpha = k * covariance / (variance_ + (k - 1) * covariance)
    assert isclose(mcdonald_omega(cov), alpha, abs_tol=1e-6)


@given(st.lists(st.tuples(*[st.integers(1, 5)] * 4), min_size=3, max_size=40))
def test_omega_is_a_share_of_variance(rows):
    omega = scale_report("X", ["a", "b", "c", "d"], rows).omega
    assert omega is None or -1e-9 <= omega <= 1 + 1e-9


# --- Feldt's interval ---------------------------------------------------------------------------


def test_feldt_interval_of_the_worked_example():
    # α̂ = 0.80, n = 11, k = 3: F with 10 and 20 degrees of freedom. Tables: F(0.975) = 2.774,
    # F(0.025) = 1 / F(0.975; 20, 10) = 1 / 3.419 = 0.2925.
    # Low = 1 − 0.2 × 2.774 = 0.445; high = 1 − 0.2 × 0.2925 = 0.941.
    low, high = feldt_interval(0.80, n=11, k=3)
    assert isclose(low, 0.4452, abs_tol=1e-3) and isclose(high, 0.9415, abs_tol=1e-3)


@given(st.floats(-0.5, 0.99), st.integers(3, 2000), st.integers(2, 20))
def test_feldt_interval_holds_alpha_and_narrows_with_more_respondents(alpha, n, k):
    low, high = feldt_interval(alpha, n, k)
    assert low <= alpha <= high
    wider_low, wider_high = feldt_interval(alpha, max(2, n // 2), k)
    assert wider_high - wider_low >= high - low - 1e-9


def test_the_report_gives_alpha_its_interval():
    low, high = scale_report("X", ["a", "b", "c"], ROWS).alpha_ci
    expected_low, expected_high = feldt_interval(69 / 73, 5, 3)
    assert isclose(low, expected_low) and isclose(high, expected_high)


# --- Knowledge questions ------------------------------------------------------------------------

# Four respondents, three right/wrong questions (1 = right).
BINARY = [(1, 1, 1), (1, 1, 0), (1, 0, 0), (0, 0, 0)]


def test_alpha_on_right_or_wrong_questions_is_kr20():
    # p = 0.75, 0.5, 0.25; Σpq = 0.1875 + 0.25 + 0.1875 = 0.625. Totals 3, 2, 1, 0 have
    # (population) variance 1.25. KR-20 = 3/2 × (1 − 0.625 / 1.25) = 0.75.
    report = scale_report("CTS1", ["q1", "q2", "q3"], BINARY, knowledge={"q1", "q2", "q3"})
    assert report.binary and isclose(report.alpha, 0.75)
    assert [item.share_right for item in report.items] == [0.75, 0.5, 0.25]
    assert report.items[2].share_wrong == 0.75


@given(st.lists(st.tuples(*[st.integers(0, 1)] * 4), min_size=2, max_size=60))
def test_cronbach_alpha_on_binary_items_matches_the_kr20_formula(rows):
    n, k = len(rows), 4
    totals = [sum(row) for row in rows]
    mean = sum(totals) / n
    total_variance = sum((t - mean) ** 2 for t in totals) / n
    pq = sum((p := sum(column) / n) * (1 - p) for column in zip(*rows, strict=True))
    alpha = cronbach_alpha(rows)
    if total_variance == 0:
        assert alpha is None
    else:
        assert isclose(alpha, k / (k - 1) * (1 - pq / total_variance), abs_tol=1e-9)


def test_a_question_most_get_wrong_is_not_a_flaw():
    hard = ItemReport(
        "q",
        0.1,
        0.3,
        floor=0.9,
        ceiling=0.1,
        corrected_r=0.5,
        alpha_if_deleted=None,
        knowledge=True,
    )
    assert not hard.saturates and hard.flags == ()


def test_a_question_nearly_everyone_gets_right_is_too_easy():
    easy = ItemReport(
        "q",
        0.96,
        0.2,
        floor=0.04,
        ceiling=0.96,
        corrected_r=0.5,
        alpha_if_deleted=None,
        knowledge=True,
    )
    assert easy.flags == ("too_easy",)
    agreement = ItemReport(
        "a", 4.8, 0.4, floor=0.0, ceiling=0.85, corrected_r=0.5, alpha_if_deleted=None
    )
    assert agreement.flags == ("saturates",)


# --- Flags and small samples --------------------------------------------------------------------


def test_a_statement_that_lowers_the_sets_consistency_is_flagged():
    rows = [(1, 1, 5), (2, 2, 4), (3, 3, 3), (4, 4, 2), (5, 5, 1)] * 8
    flags = scale_report("X", ["a", "b", "c"], rows).items[2].flags
    assert "lowers_consistency" in flags and "discriminates_poorly" in flags


def test_nothing_is_flagged_below_thirty_respondents():
    rows = [(5, v, v) for v in (1, 2, 3, 4, 5)] * 5  # 25 respondents; « a » saturates
    report = scale_report("X", ["a", "b", "c"], rows)
    assert report.too_few and report.items[0].ceiling == 1
    assert all(item.flags == () and not item.flagged for item in report.items)
    enough = scale_report("X", ["a", "b", "c"], rows + rows[:5])  # 30: flags appear
    assert "saturates" in enough.items[0].flags


def test_one_respondent_gives_figures_without_flags():
    report = scale_report("X", ["a", "b", "c"], [(5, 5, 1)])
    assert report.n == 1 and report.alpha is None and report.score_sd is None
    assert [item.flags for item in report.items] == [(), (), ()]


@given(
    st.lists(st.tuples(*[st.integers(1, 5)] * 3), min_size=2, max_size=40),
    st.lists(st.floats(0.1, 3), min_size=3, max_size=3),
)
def test_figures_from_covariances_match_their_definitions(rows, weights):
    report = scale_report("X", ["a", "b", "c"], rows, weights=weights)
    shares = [w / sum(weights) for w in weights]
    scores = [sum((v - 1) * 25 * s for v, s in zip(row, shares, strict=True)) for row in rows]
    spread = max(scores) - min(scores) > 1e-9
    assert isclose(report.score_sd, sqrt(variance(scores)) if spread else 0, abs_tol=1e-6)
    for index, item in enumerate(report.items):
        part = [(row[index] - 1) * 25 * shares[index] for row in rows]
        rest = [score - p for score, p in zip(scores, part, strict=True)]
        expected = pearson(part, rest)
        if expected is None or item.corrected_r is None:
            assert max(rest) - min(rest) < 1e-9 or max(part) == min(part)
        else:
            assert isclose(item.corrected_r, expected, abs_tol=1e-6)
