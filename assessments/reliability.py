"""How precise a score is: the reliability and spread used for « entre … et … » and for the
reliable change of a retake (rules 2; docs/method.md).

Before a version has enough answers, documented priors are used:

- a category (six or seven attendus, 18–21 statements): α = 0.75, SD = 15 points. Internal
  consistency of 18–21 five-point statements on related skills is usually 0.7–0.85;
- an attendu (three statements): α = 0.50, SD = 20 points. Spearman–Brown from an average
  inter-item correlation of 0.25 gives α = 0.50 for three statements.

Once MIN_RESPONDENTS completed questionnaires exist, the version's measured α and SD replace
them: `item_statistics.version_quality(version)` measures them (the item-quality report and the
`measure_reliability` command call it) and `store` keeps them in the shared cache, where result
pages read them without a query beyond the cache's.
"""

from dataclasses import dataclass
from math import sqrt

from django.core.cache import cache

MIN_RESPONDENTS = 200
CATEGORY_PRIOR = (0.75, 15.0)
EXPECTATION_PRIOR = (0.50, 20.0)


@dataclass(frozen=True)
class Precision:
    alpha: float
    sd: float
    measured: bool = False

    @property
    def sem(self):
        """Standard error of measurement: SD × √(1 − α)."""
        return self.sd * sqrt(1 - self.alpha)


def _key(version_id):
    return f"reliability:{version_id}"


def precision_for(version_id):
    """{("category"|"expectation", code): Precision}, measured where known; priors otherwise
    (the caller falls back with `lookup`)."""
    return cache.get(_key(version_id)) or {}


def lookup(table, kind, code):
    found = table.get((kind, code))
    if found is not None:
        return found
    alpha, sd = CATEGORY_PRIOR if kind == "category" else EXPECTATION_PRIOR
    return Precision(alpha=alpha, sd=sd)


def store(version_id, report):
    """Keep the measured figures of a quality report (item_statistics.version_quality)."""
    if report["respondents"] < MIN_RESPONDENTS:
        return {}
    table = {}
    for kind, rows in (("category", report["categories"]), ("expectation", report["expectations"])):
        for owner, scale in rows:
            if scale.alpha is not None and 0 < scale.alpha < 1 and scale.score_sd:
                table[(kind, owner.code)] = Precision(
                    alpha=round(scale.alpha, 3), sd=round(scale.score_sd, 1), measured=True
                )
    cache.set(_key(version_id), table, None)
    return table
