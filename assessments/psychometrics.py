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
from statistics import fmean, variance

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


def cronbach_alpha(rows):
    """α of complete rows (respondents × statements); None when it is undefined."""
    if len(rows) < 2 or len(rows[0]) < 2:
        return None
    k = len(rows[0])
    columns = list(zip(*rows, strict=True))
    total_variance = variance([sum(row) for row in rows])
    if total_variance == 0:
        return None
    return k / (k - 1) * (1 - sum(variance(column) for column in columns) / total_variance)


def pearson(xs, ys):
    """Pearson's r; None when either side does not vary."""
    mx, my = fmean(xs), fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sqrt(sxx * syy)


def scale_report(code, item_codes, rows):
    """Statistics of one set of statements (see the module docstring)."""
    n = len(rows)
    if n == 0:
        return ScaleReport(code=code, n=0, alpha=None, items=())
    columns = list(zip(*rows, strict=True))
    totals = [sum(row) for row in rows]
    items = []
    for index, item_code in enumerate(item_codes):
        column = columns[index]
        rest = [total - value for total, value in zip(totals, column, strict=True)]
        others = [row[:index] + row[index + 1 :] for row in rows]
        items.append(
            ItemReport(
                code=item_code,
                mean=fmean(column),
                sd=sqrt(variance(column)) if n > 1 else 0.0,
                floor=sum(1 for value in column if value == SCALE_MIN) / n,
                ceiling=sum(1 for value in column if value == SCALE_MAX) / n,
                corrected_r=pearson(column, rest) if len(item_codes) > 1 and n > 1 else None,
                alpha_if_deleted=cronbach_alpha(others) if len(item_codes) > 2 else None,
            )
        )
    return ScaleReport(code=code, n=n, alpha=cronbach_alpha(rows), items=tuple(items))
