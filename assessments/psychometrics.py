"""Item-quality statistics for a set of statements (an attendu, a category, an interest
dimension). No Django here.

Input: one row per respondent who answered every statement of the set, the answers already
keyed so that a high value always means the same thing: an agreement statement gives 1–5 (a
reverse-keyed one 6 − answer), a knowledge question 1 when right and 0 when wrong or « je ne
sais pas ». Variances and standard deviations are sample ones (divided by n − 1).

What a statement weighs. The figures of a set are computed on what each statement adds to the
score the student reads (0–100): its points ((keyed − 1) × 25 for an agreement statement, 100
or 0 for a knowledge question) times its share of that score (1/k in an attendu of k
statements; in a category, 1/(its attendu's statements × the category's attendus), since a
category's score is the mean of its attendus'). The score is then the sum of the statements'
parts, and the reliability below is the reliability of that score. When every statement
weighs the same, this changes nothing: α and ω do not depend on the unit.

The set:

- score SD: the standard deviation of the score (0–100) across respondents. With α it gives
  the standard error of measurement, SD × √(1 − α) (assessments/reliability.py).
- Cronbach's α = k / (k − 1) × (1 − Σ statement variances / variance of the score). It says how
  consistently the statements measure one thing; from about 0.7 is usual for a scale, but two
  or three statements give lower values by construction. On right/wrong questions only, α is
  exactly Kuder–Richardson's KR-20.
- α's 95 % confidence interval (Feldt): (1 − α) / (1 − α̂) follows Fisher's F with n − 1 and
  (n − 1)(k − 1) degrees of freedom, so α lies between 1 − (1 − α̂) × F(0.975) and
  1 − (1 − α̂) × F(0.025), the F quantiles found by bisection on F's distribution function.
  A wide interval means the sample cannot pin α down yet.
- McDonald's ω: the share of the score's variance due to one common factor,
  (Σ λ)² / ((Σ λ)² + Σ θ), with λ each statement's loading on that factor and θ = its
  variance − λ² what is left to it alone. The loadings are those that best reproduce the
  covariances between statements, λᵢ × λⱼ ≈ cov(i, j), in least squares (« minimum
  residuals », where iterated principal-axis factoring also ends): starting from each
  statement's largest correlation with another times its SD, each loading in turn is set to
  its best value given the others, λᵢ = Σⱼ cov(i, j) × λⱼ / Σⱼ λⱼ² (j ≠ i), until nothing
  moves. A loading never explains more than its statement's variance.
  Unlike α, ω does not assume the statements weigh equally on what they measure, so it is
  usually a little higher; it needs at least three statements (two leave one factor
  undetermined).
- Spearman–Brown: a set lengthened by a factor m would reach m × ρ / (1 + (m − 1) × ρ). For a
  two-statement set, its reliability is read as 2r / (1 + r), r the correlation of the two; for
  sets of two or three statements the report says what α would become with three or four
  statements of the same quality.

Each statement:

- mean and SD, on 1–5 (keyed); for a knowledge question, the share right and its SD;
- corrected item–total correlation: the Pearson correlation between a statement and the rest
  of the set (the score without it). Below 0.20 the statement discriminates poorly: it does not
  go with the others;
- α if deleted: α of the set without that statement. When it is higher than α by ALPHA_GAIN
  (0.02) or more, compared as shown (two decimals), the statement lowers the set's consistency:
  flagged. A smaller gain is within what one sample changes from the next;
- floor and ceiling: the share at 1 and at 5 (keyed). From 80 %, an agreement statement
  saturates: nearly everyone gives the same answer, so it tells respondents apart poorly. For a
  knowledge question they read « share wrong » and « share right »; a question most get wrong
  is information, not a flaw, so only 95 % right or more is flagged (too easy).

With fewer than 30 respondents (FLAG_MIN_N) the figures move a lot from one sample to the
next: they are shown, the report says once « trop peu pour conclure », and no statement is
flagged.
"""

from dataclasses import dataclass, replace
from math import exp, inf, lgamma, log, sqrt
from operator import mul
from statistics import fmean

from orientation.content import SCALE_MAX, SCALE_MIN

POOR_DISCRIMINATION = 0.20
SATURATION = 0.80
TOO_EASY = 0.95
ALPHA_GAIN = 0.02  # α if deleted this much above α: the statement lowers it
FLAG_MIN_N = 30
CONFIDENCE = 0.95
LONGER_SETS = (3, 4)  # the lengths Spearman–Brown projects short sets to


@dataclass(frozen=True)
class ItemReport:
    code: str
    mean: float
    sd: float
    floor: float
    ceiling: float
    corrected_r: float | None
    alpha_if_deleted: float | None
    knowledge: bool = False
    scale_alpha: float | None = None
    too_few: bool = False

    @property
    def share_right(self):
        return self.ceiling

    @property
    def share_wrong(self):
        return self.floor

    @property
    def discriminates_poorly(self):
        return self.corrected_r is not None and self.corrected_r < POOR_DISCRIMINATION

    @property
    def saturates(self):
        if self.knowledge:
            return False  # most getting it wrong is information; see too_easy
        return self.floor >= SATURATION or self.ceiling >= SATURATION

    @property
    def too_easy(self):
        return self.knowledge and self.ceiling >= TOO_EASY

    @property
    def lowers_consistency(self):
        # Compared as shown (two decimals), so the flag never contradicts the figures; the
        # small tolerance keeps 0.72 − 0.70 from falling under 0.02 by binary rounding.
        gain = self.alpha_gain
        return gain is not None and gain >= ALPHA_GAIN - 1e-9

    @property
    def alpha_gain(self):
        """How much α would rise without this statement, as shown (two decimals)."""
        if self.alpha_if_deleted is None or self.scale_alpha is None:
            return None
        return round(self.alpha_if_deleted, 2) - round(self.scale_alpha, 2)

    @property
    def flags(self):
        """The names of the flags raised; none below FLAG_MIN_N respondents."""
        if self.too_few:
            return ()
        names = ("discriminates_poorly", "saturates", "too_easy", "lowers_consistency")
        return tuple(name for name in names if getattr(self, name))

    @property
    def flagged(self):
        return bool(self.flags)


@dataclass(frozen=True)
class ScaleReport:
    code: str
    n: int
    alpha: float | None
    items: tuple
    score_sd: float | None = None
    alpha_ci: tuple | None = None  # (low, high), Feldt
    omega: float | None = None
    spearman_brown: float | None = None  # two statements only
    projected: tuple = ()  # (statements, reliability) for longer sets

    @property
    def too_few(self):
        return self.n < FLAG_MIN_N

    @property
    def binary(self):
        """Right/wrong questions only: α is then KR-20."""
        return bool(self.items) and all(item.knowledge for item in self.items)


# --- Fisher's F distribution (the lean test of matching.py, Feldt's interval here) ---


def _continued_fraction(a, b, x):
    """The continued fraction of the incomplete beta function (modified Lentz's method)."""
    tiny, c, d = 1e-300, 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1 + numerator * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + numerator / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1) < 1e-14:
            break
    return h


def incomplete_beta(a, b, x):
    """The regularised incomplete beta function I_x(a, b)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(1 - x))
    if x < (a + 1) / (a + b + 2):
        return front * _continued_fraction(a, b, x) / a
    return 1 - front * _continued_fraction(b, a, 1 - x) / b


def f_test_p(f, df_between, df_within):
    """P(F ≥ f) for Fisher's F with these degrees of freedom."""
    if f == inf:
        return 0.0
    if f <= 0:
        return 1.0
    x = df_within / (df_within + df_between * f)
    return incomplete_beta(df_within / 2, df_between / 2, x)


def variance(values):
    """Sample variance in floating point: statistics.variance computes it exactly with
    fractions, which made a 5,000-respondent report take seconds; answers are small integers,
    so floats lose nothing that shows in two decimals."""
    mean = fmean(values)
    return sum((value - mean) ** 2 for value in values) / (len(values) - 1)


def covariance_matrix(columns):
    n = len(columns[0])
    centred = []
    for column in columns:
        # A constant column is exactly 0 apart from its mean: a rounded mean would leave dust.
        mean = column[0] if min(column) == max(column) else fmean(column)
        centred.append([value - mean for value in column])
    return [[sum(map(mul, a, b)) / (n - 1) for b in centred] for a in centred]


def _sum_variance(cov, indices):
    """The variance of the sum of some columns, from their covariances. Parts that cancel
    (one statement the mirror of another) leave rounding dust, not a spread: it counts as 0."""
    value = sum(cov[a][b] for a in indices for b in indices)
    return value if value > 1e-12 * sum(cov[a][a] for a in indices) else 0.0


def _alpha(k, item_variances, total_variance):
    if k < 2 or total_variance == 0:
        return None
    return k / (k - 1) * (1 - sum(item_variances) / total_variance)


def cronbach_alpha(rows):
    """α of complete rows (respondents × statements); None when it is undefined."""
    if len(rows) < 2 or len(rows[0]) < 2:
        return None
    columns = list(zip(*rows, strict=True))
    return _alpha(
        len(columns), [variance(c) for c in columns], variance([sum(row) for row in rows])
    )


def pearson(xs, ys):
    """Pearson's r; None when either side does not vary."""
    mx, my = fmean(xs), fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sqrt(sxx * syy)


def _correlation(covariance, variance_a, variance_b):
    """Pearson's r from a covariance and two variances; None when either side does not vary."""
    if variance_a <= 0 or variance_b <= 0:
        return None
    return covariance / sqrt(variance_a * variance_b)


def spearman_brown(reliability, factor):
    """The reliability of a set `factor` times as long, with statements of the same quality."""
    if reliability is None:
        return None
    denominator = 1 + (factor - 1) * reliability
    if denominator <= 0:
        return None
    return factor * reliability / denominator


def f_quantile(probability, df1, df2):
    """The value F with P(Fisher's F ≤ F) = probability, found by bisection on a log scale."""
    low, high = log(1e-9), log(1e9)
    for _ in range(40):  # the bracket's log width, 41, down to 4e-11
        middle = (low + high) / 2
        if 1 - f_test_p(exp(middle), df1, df2) < probability:
            low = middle
        else:
            high = middle
    return exp((low + high) / 2)


def feldt_interval(alpha, n, k, confidence=CONFIDENCE):
    """(low, high): Feldt's confidence interval for α of k statements over n respondents."""
    if alpha is None or n < 2 or k < 2:
        return None
    df1, df2 = n - 1, (n - 1) * (k - 1)
    tail = (1 - confidence) / 2
    low = 1 - (1 - alpha) * f_quantile(1 - tail, df1, df2)
    high = 1 - (1 - alpha) * f_quantile(tail, df1, df2)
    return low, high


def one_factor_loadings(covariances, rounds=2000, tolerance=1e-10):
    """Loadings on one common factor: the least-squares fit of the covariances between
    statements (module docstring)."""
    k = len(covariances)
    spreads = [sqrt(covariances[i][i]) for i in range(k)]
    loadings = [
        max(
            (abs(covariances[i][j]) / spreads[j] for j in range(k) if j != i and spreads[j]),
            default=0.0,
        )
        for i in range(k)
    ]
    for _ in range(rounds):
        moved = 0.0
        for i in range(k):
            others = [j for j in range(k) if j != i]
            fitted = sum(loadings[j] ** 2 for j in others)
            best = sum(covariances[i][j] * loadings[j] for j in others) / fitted if fitted else 0.0
            # A Heywood case (a loading beyond its statement's spread) is held at the spread.
            best = max(-spreads[i], min(spreads[i], best))
            moved = max(moved, abs(best - loadings[i]))
            loadings[i] = best
        if moved <= tolerance * max(spreads, default=0.0):
            break
    # The factor's direction is arbitrary: it points the way most statements do.
    return [-load for load in loadings] if sum(loadings) < 0 else loadings


def mcdonald_omega(covariances):
    """ω of the sum of the statements whose covariance matrix is given; None below three."""
    if len(covariances) < 3:
        return None
    loadings = one_factor_loadings(covariances)
    common = sum(loadings) ** 2
    unique = sum(covariances[i][i] - load * load for i, load in enumerate(loadings))
    if common + unique <= 0:
        return None
    return common / (common + unique)


def points(value, knowledge=False):
    """A keyed answer's points on 0–100, as the score counts them (assessments/scoring.py)."""
    return 100 * value if knowledge else (value - SCALE_MIN) * 25


def _item_report(code, column, knowledge, too_few):
    low, high = (0, 1) if knowledge else (SCALE_MIN, SCALE_MAX)
    n = len(column)
    return ItemReport(
        code=code,
        mean=fmean(column),
        sd=sqrt(variance(column)) if n > 1 else 0.0,
        floor=sum(1 for value in column if value == low) / n,
        ceiling=sum(1 for value in column if value == high) / n,
        corrected_r=None,
        alpha_if_deleted=None,
        knowledge=knowledge,
        too_few=too_few,
    )


def _projected(k, reliability):
    if reliability is None or reliability <= 0:
        return ()
    return tuple((m, spearman_brown(reliability, m / k)) for m in LONGER_SETS if m > k)


def scale_report(code, item_codes, rows, knowledge=(), weights=None):
    """Statistics of one set of statements (see the module docstring).

    knowledge: the codes of the right/wrong questions (keyed 1/0). weights: each statement's
    weight in the score, in the order of item_codes (equal when None).

    After one pass for the covariances of the statements' parts, everything comes from them:
    the score's variance is the sum of all cells; without statement i, the rest's variance is
    the sum of the cells outside row and column i, and its covariance with statement i the sum
    of row i outside its own cell."""
    n, k = len(rows), len(item_codes)
    if n == 0:
        return ScaleReport(code=code, n=0, alpha=None, items=())
    raw = list(zip(*rows, strict=True))
    kinds = [item_code in knowledge for item_code in item_codes]
    weights = weights or [1] * k
    shares = [weight / sum(weights) for weight in weights]
    items = [
        _item_report(c, column, kind, too_few=n < FLAG_MIN_N)
        for c, column, kind in zip(item_codes, raw, kinds, strict=True)
    ]
    if n < 2:
        return ScaleReport(code=code, n=n, alpha=None, items=tuple(items))

    parts = [
        [points(value, kind) * share for value in column]
        for column, kind, share in zip(raw, kinds, shares, strict=True)
    ]
    cov = covariance_matrix(parts)
    variances = [cov[i][i] for i in range(k)]
    score_variance = _sum_variance(cov, range(k))
    alpha = _alpha(k, variances, score_variance)
    for i in range(k):
        others = [j for j in range(k) if j != i]
        rest = _sum_variance(cov, others)
        items[i] = replace(
            items[i],
            corrected_r=_correlation(sum(cov[i][j] for j in others), variances[i], rest),
            alpha_if_deleted=_alpha(k - 1, [variances[j] for j in others], rest) if k > 2 else None,
            scale_alpha=alpha,
        )
    two = _correlation(cov[0][1], *variances) if k == 2 else None
    return ScaleReport(
        code=code,
        n=n,
        alpha=alpha,
        items=tuple(items),
        score_sd=sqrt(score_variance),
        alpha_ci=feldt_interval(alpha, n, k),
        omega=mcdonald_omega(cov) if n > 2 else None,
        spearman_brown=spearman_brown(two, 2),
        projected=_projected(k, spearman_brown(two, 2) if k == 2 else alpha),
    )
