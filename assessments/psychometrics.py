"""Item-quality statistics for a set of statements (an attendu, or a category). No Django here.

Input: one row per respondent who answered every statement of the set, the answers already
keyed (a reverse-keyed statement's answer replaced by 6 − answer), so that a high value always
means the same thing. Variances and standard deviations are sample ones (divided by n − 1).

- Cronbach's α = k / (k − 1) × (1 − Σ item variances / variance of the total), k statements.
  It says how consistently the statements measure one thing; from about 0.7 is usual for a
  scale, but a 2- or 3-statement attendu gives lower values by construction.
- Corrected item–total correlation: the Pearson correlation between a statement and the sum
  of the *other* statements of the set. Below 0.20, the statement discriminates poorly: it
  does not go with the others.
- α if deleted: α of the set without that statement; higher than α means the set would be
  more consistent without it.
- Floor and ceiling: the share of respondents at 1 and at 5 (keyed). From 80 %, the statement
  saturates: nearly everyone gives the same answer, so it tells respondents apart poorly.
- With fewer than 30 respondents the figures move a lot from one sample to the next: the
  report says so instead of pretending precision.
"""

from dataclasses import dataclass
from math import sqrt
from statistics import fmean

POOR_DISCRIMINATION = 0.20
SATURATION = 0.80
SMALL_N = 30
SCALE_MIN, SCALE_MAX = 1, 5


@dataclass(frozen=True)
class ItemReport:
    code: str
    mean: float
    sd: float
    floor: float
    ceiling: float
    corrected_r: float | None
    alpha_if_deleted: float | None

    @property
    def discriminates_poorly(self):
        return self.corrected_r is not None and self.corrected_r < POOR_DISCRIMINATION

    @property
    def saturates(self):
        return self.floor >= SATURATION or self.ceiling >= SATURATION

    @property
    def flagged(self):
        return self.discriminates_poorly or self.saturates


@dataclass(frozen=True)
class ScaleReport:
    code: str
    n: int
    alpha: float | None
    items: tuple

    @property
    def too_few(self):
        return self.n < SMALL_N


def variance(values):
    """Sample variance in floating point: statistics.variance computes it exactly with
    fractions, which made a 5,000-respondent report take seconds; answers are small integers,
    so floats lose nothing that shows in two decimals."""
    mean = fmean(values)
    return sum((value - mean) ** 2 for value in values) / (len(values) - 1)


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


def scale_report(code, item_codes, rows):
    """Statistics of one set of statements (see the module docstring).

    α if deleted needs no second pass over the rows: without statement i, the total is the
    rest score (total − statement i) and the item variances are the others'."""
    n, k = len(rows), len(item_codes)
    if n == 0:
        return ScaleReport(code=code, n=0, alpha=None, items=())
    columns = list(zip(*rows, strict=True))
    totals = [sum(row) for row in rows]
    spread = n > 1
    item_variances = [variance(column) if spread else 0.0 for column in columns]
    items = []
    for index, item_code in enumerate(item_codes):
        column = columns[index]
        rest = [total - value for total, value in zip(totals, column, strict=True)]
        others = item_variances[:index] + item_variances[index + 1 :]
        items.append(
            ItemReport(
                code=item_code,
                mean=fmean(column),
                sd=sqrt(item_variances[index]),
                floor=sum(1 for value in column if value == SCALE_MIN) / n,
                ceiling=sum(1 for value in column if value == SCALE_MAX) / n,
                corrected_r=pearson(column, rest) if k > 1 and spread else None,
                alpha_if_deleted=(
                    _alpha(k - 1, others, variance(rest)) if k > 2 and spread else None
                ),
            )
        )
    alpha = _alpha(k, item_variances, variance(totals)) if spread else None
    return ScaleReport(code=code, n=n, alpha=alpha, items=tuple(items))
