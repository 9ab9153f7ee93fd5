"""Turn a stored result into what the results page shows, so templates hold no logic.

No query here beyond reading the version's content, which each process keeps once read.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from orientation.models import SCALE
from orientation.outline import questionnaire_content

from . import recommendation

SCALE_LABELS = dict(SCALE)


@dataclass
class ExpectationRow:
    code: str
    label: str
    official_wording: str
    score: int
    band: object
    near: int | None
    advice: tuple
    delta: int | None = None


@dataclass
class CategoryRow:
    code: str
    name: str
    score: int
    band: object
    expectations: list = field(default_factory=list)


@dataclass
class Suggestion:
    track: object
    fit: int
    level: str
    level_label: str
    reasons: list
    companion_of: object = None


def _level_label(level):
    return {
        recommendation.STRONG: _("forte"),
        recommendation.MEDIUM: _("moyenne"),
        recommendation.WEAK: _("faible"),
    }[level]


def assessment_results(assessment):
    """The results page's context for a completed attempt, compared with its previous one."""
    content = questionnaire_content(assessment.version)
    previous = assessment.previous
    earlier = previous.result if previous is not None and previous.is_completed else None
    return {
        **results_view(assessment.result, content, earlier),
        "assessment": assessment,
        "content": content,
    }


def results_view(result, content, previous_result=None):
    """Everything the results page shows, from the stored result and the version's content."""
    bands = {band.code: band for band in content.bands}
    items = {item.code: item for item in content.items}
    previous = (previous_result or {}).get("expectations", {})

    categories = {}
    for step in content.steps:
        if step.code in result["categories"]:
            value = result["categories"][step.code]
            categories[step.code] = CategoryRow(
                code=step.code, name=step.name, score=value["score"], band=bands[value["band"]]
            )
    rows = []
    for expectation in content.expectations:
        value = result["expectations"][expectation.code]
        before = previous.get(expectation.code)
        row = ExpectationRow(
            code=expectation.code,
            label=expectation.label,
            official_wording=expectation.official_wording,
            score=value["score"],
            band=bands[value["band"]],
            near=value["near"],
            advice=expectation.advice,
            delta=value["score"] - before["score"] if before else None,
        )
        rows.append(row)
        categories[expectation.category].expectations.append(row)

    top_band = max(content.bands, key=lambda band: band.min_score)
    strengths = sorted(
        (row for row in rows if row.band.code == top_band.code), key=lambda r: -r.score
    )
    to_work = sorted((row for row in rows if row.band.code != top_band.code), key=lambda r: r.score)

    suggestions = []
    for fit in result["suggestions"]:
        track = content.track(fit["code"])
        reasons = [
            {
                "statement": items[code].statement,
                "answer": SCALE_LABELS[value],
            }
            for code, value, _weight in fit["reasons"]
            if code in items
        ]
        suggestions.append(
            Suggestion(
                track=track,
                fit=fit["fit"],
                level=fit["level"],
                level_label=_level_label(fit["level"]),
                reasons=reasons,
                companion_of=content.track(fit["companion_of"]) if fit["companion_of"] else None,
            )
        )
    suggested = {s.track.code for s in suggestions}
    others = [content.track(r["code"]) for r in result["ranking"] if r["code"] not in suggested]
    others += [t for t in content.tracks if t.code not in suggested and t not in others]

    quality = result["quality"]
    notes = []
    if quality["straight_lining"]:
        notes.append(
            _(
                "Tu as souvent répondu la même chose sur toute une étape. Si c'était pour aller "
                "vite, refais le questionnaire en prenant le temps : tes résultats seront plus "
                "justes."
            )
        )
    if quality["too_fast"]:
        notes.append(
            _(
                "Tu as répondu très vite. Les résultats sont plus utiles quand on lit chaque "
                "phrase en entier ; tu peux refaire le questionnaire quand tu veux."
            )
        )
    if quality["contradictory"]:
        notes.append(
            _(
                "Certaines de tes réponses semblent se contredire (d'accord avec une phrase et "
                "avec son contraire). C'est normal d'hésiter ; parles-en avec un adulte de "
                "confiance ou relis ces phrases en refaisant le questionnaire."
            )
        )
    band_counts = [
        (band, sum(1 for row in rows if row.band.code == band.code)) for band in content.bands
    ]
    category_list = list(categories.values())
    for category in category_list:
        category.chart = bar_chart(
            [(row.label, row.score, row.band) for row in category.expectations], content.bands
        )
    return {
        "categories": category_list,
        "category_chart": bar_chart(
            [(c.name, c.score, c.band) for c in category_list], content.bands
        ),
        "expectation_rows": rows,
        "strengths": strengths,
        "to_work": to_work,
        "priorities": to_work[:3],
        "suggestions": suggestions,
        "nothing_stands_out": result["nothing_stands_out"],
        "other_tracks": others,
        "quality_notes": notes,
        "band_counts": band_counts,
        "overall": result["overall"],
        "bands": content.bands,
        "has_comparison": bool(previous),
    }


ROW_HEIGHT = 30


def band_tones(bands):
    """Colour classes by band rank: the highest band is "strong", the lowest "low"."""
    ordered = sorted(bands, key=lambda band: band.min_score, reverse=True)
    return {
        band.code: "strong" if i == 0 else "low" if i == len(ordered) - 1 else "mid"
        for i, band in enumerate(ordered)
    }


def bar_chart(rows, bands):
    """Geometry of a horizontal bar chart (0–100) as plain numbers for an inline SVG."""
    tones = band_tones(bands)
    bars = [
        {
            "label": label,
            "score": score,
            "band": band.label,
            "tone": tones[band.code],
            "label_y": i * ROW_HEIGHT + 11,
            "bar_y": i * ROW_HEIGHT + 15,
            "width": score * 3,
        }
        for i, (label, score, band) in enumerate(rows)
    ]
    thresholds = [band.min_score * 3 for band in bands if band.min_score > 0]
    return {"bars": bars, "height": len(rows) * ROW_HEIGHT + 4, "thresholds": thresholds}


def stacked_chart(rows, bands):
    """Geometry of stacked bars: for each row, the share of students in each band (0–100 %)."""
    tones = band_tones(bands)
    bars = []
    for i, row in enumerate(rows):
        start, segments = 0, []
        for band, share in row.shares:
            segments.append({"x": start * 3, "width": share * 3, "tone": tones[band.code]})
            start += share
        bars.append(
            {
                "label": row.label,
                "label_y": i * ROW_HEIGHT + 11,
                "bar_y": i * ROW_HEIGHT + 15,
                "segments": segments,
            }
        )
    return {"bars": bars, "height": len(rows) * ROW_HEIGHT + 4}
