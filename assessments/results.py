"""Turn a stored result into what the results page shows, so templates hold no logic.

Each set of rules has its page: `results_view` keeps the page results of rules 1 (2026-1)
always had; `second_rules_view` builds the page of rules 2 (bands with their statements, the
knowledge check corrected, precision and reliable change, the suggestions' verdict). Queries:
the version's content, which each process keeps once read, and for rules 2 the attempt's
answers (one query) and the measured reliability (one cache read).
"""

from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from orientation.models import KNOWLEDGE_SCALE, SCALE
from orientation.outline import questionnaire_content
from orientation.templatetags.content import quoted

from . import recommendation, reliability, scoring

SCALE_LABELS = dict(SCALE)
KNOWLEDGE_LABELS = dict(KNOWLEDGE_SCALE)


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
    official_translation: str = ""

    @property
    def official(self):
        return _official(self)


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
    """The results page's context for a completed attempt, compared with its previous one,
    with the template of its rules: a result of rules 1 (2026-1) keeps the page it had; one of
    rules 2 also shows its statements' answers (one query)."""
    content = questionnaire_content(assessment.version)
    previous = assessment.previous
    earlier = previous if previous is not None and previous.is_completed else None
    if assessment.result.get("rules", scoring.RULES_FIRST) == scoring.RULES_FIRST:
        view = results_view(assessment.result, content, earlier.result if earlier else None)
        template = "assessments/results_first_rules.html"
    else:
        codes = {item.pk: item.code for item in content.items}
        answers = {
            codes[pk]: value
            for pk, value in assessment.answers.values_list("item_id", "value")
            if pk in codes
        }
        # Scores of two different questionnaires are not comparable point for point.
        same = earlier is not None and earlier.version_id == assessment.version_id
        view = second_rules_view(
            assessment.result,
            content,
            answers,
            earlier if same else None,
            reliability.precision_for(content.version_id),
        )
        view["previous_other_version"] = earlier if earlier is not None and not same else None
        template = "assessments/results.html"
    return {**view, "assessment": assessment, "content": content, "template": template}


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
            official_translation=expectation.official_wording_translation,
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

    notes = _quality_notes(result["quality"])
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


# A bar chart that reads alone, in HTML so that its text wraps and follows the reader's text
# size: each row says its label and its value in words (« 72 sur 100 · Point d'appui ») above
# a bar filled by band, with a pattern as well as a colour; the previous result, when there is
# one, as a thin grey bar under it; dashed marks at each band's start on every bar and a scale
# under the chart that names them (« 50 » over « À consolider »). Widths and positions are whole
# percents, set by classes (static/css/reperes.css): the content security policy allows no
# inline style. The advisers' stacked bars are built the same way.

# A stacked segment this wide or wider writes its percentage inside: « 10 % » takes some 40 px,
# 8 % of a bar on a wide screen or on paper, 12 % of a bar on a 390 px phone (the narrower ones
# are hidden there, static/css/reperes.css). Every share is said to screen readers, and the
# table beside the chart gives them all.
PERCENT_INSIDE = 8
PERCENT_INSIDE_NARROW = 12


def band_tones(bands):
    """Colour classes by band rank: the highest band is "strong", the lowest "low"."""
    ordered = sorted(bands, key=lambda band: band.min_score, reverse=True)
    return {
        band.code: "strong" if i == 0 else "low" if i == len(ordered) - 1 else "mid"
        for i, band in enumerate(ordered)
    }


def bar_chart(rows, bands, previous=None, intervals=None):
    """What an HTML bar chart (0–100) shows, as plain values for includes/bar_chart.html.

    rows: (label, score, band); previous: the earlier score of each row (None where unknown);
    intervals: (low, high) of each row's margin of error, said beside its value."""
    tones = band_tones(bands)
    previous = previous or [None] * len(rows)
    intervals = intervals or [None] * len(rows)
    ordered = sorted(bands, key=lambda band: band.min_score)
    bars = [
        {
            "label": label,
            "score": score,
            "band": band.label,
            "tone": tones[band.code],
            "width": max(0, min(100, round(score))),
            "before": before,
            "interval": interval,
        }
        for (label, score, band), before, interval in zip(rows, previous, intervals, strict=True)
    ]
    starts = [band.min_score for band in ordered]
    # The scale under the bars: one zone per band, from its start (the lowest from 0) to the
    # next band's, named where it begins.
    lows, ends = [0, *starts[1:]], [*starts[1:], 100]
    zones = [
        {"band": band, "low": low, "width": end - low}
        for band, low, end in zip(ordered, lows, ends, strict=True)
    ]
    legend = [
        {
            "band": band,
            "tone": tones[band.code],
            "low": band.min_score,
            "high": (starts[i + 1] - 1) if i + 1 < len(ordered) else 100,
        }
        for i, band in enumerate(ordered)
    ]
    return {
        "bars": bars,
        "thresholds": [start for start in starts if start > 0],
        "zones": zones,
        "legend": legend[::-1],
        "has_before": any(score is not None for score in previous),
    }


def stacked_chart(rows, bands):
    """What an HTML stacked bar chart shows, as plain values for includes/stacked_chart.html.

    rows: each with a code, a label and its shares, (band, whole percent) highest band first;
    each share is written inside its segment when the segment is wide enough to hold it."""
    tones = band_tones(bands)
    bars = [
        {
            "code": row.code,
            "label": row.label,
            "segments": [
                {
                    "band": band.label,
                    "tone": tones[band.code],
                    "share": share,
                    "width": max(0, min(100, share)),
                    "written": share >= PERCENT_INSIDE,
                    "tight": share < PERCENT_INSIDE_NARROW,
                }
                for band, share in row.shares
            ],
        }
        for row in rows
    ]
    return {
        "bars": bars,
        "legend": [{"band": band, "tone": tones[band.code]} for band in bands],
        "ticks": [0, 50, 100],
    }


# --- Rules 2 (2026-2 on): bands with their statements, precision said, changes that are real ---


@dataclass
class Statement:
    text: str
    answer: str
    reverse_keyed: bool = False


def _official(row):
    """An attendu's official wording, French in every language, with its translation beside
    it: written here rather than by an include, as a results page says it some thirty times."""
    wording = quoted(row.official_wording)
    if not row.official_translation:
        return wording
    return format_html(
        '{} <span class="translation">({} {})</span>',
        wording,
        _("traduction :"),
        quoted(row.official_translation),
    )


def _since(change, since):
    """« en progrès / en recul / stable depuis le [date] », a reliable change (rules 2)."""
    if change is None or since is None:
        return ""
    date = date_format(localtime(since), "j F Y")
    if change > 0:
        return _("en progrès depuis le %(date)s") % {"date": date}
    if change < 0:
        return _("en recul depuis le %(date)s") % {"date": date}
    return _("stable depuis le %(date)s") % {"date": date}


@dataclass
class AttenduRow:
    code: str
    label: str
    official_wording: str
    band: object
    near_side: str | None
    near_band: object
    advice: tuple
    statements: list
    change: int | None = None  # +1, 0, −1 (reliable change) or None without a comparison
    previous_band: object = None
    top: bool = False  # in the highest band
    official_translation: str = ""
    since: object = None  # when the previous questionnaire was completed, with a comparison

    @property
    def official(self):
        return _official(self)

    @property
    def since_note(self):
        return _since(self.change, self.since)

    @property
    def near_note(self):
        """« (juste au-dessus du seuil « … », à une réponse près) » when one answer decides;
        built here rather than by an include: a results page says it up to fifty times."""
        if self.near_side == scoring.ABOVE:
            note = _("juste au-dessus du seuil « %(band)s », à une réponse près")
        elif self.near_side == scoring.BELOW:
            note = _("juste en dessous du seuil « %(band)s », à une réponse près")
        else:
            return ""
        return format_html(' <span class="near">({})</span>', note % {"band": self.near_band.label})


@dataclass
class CategoryBlock:
    code: str
    name: str
    score: int
    low: int
    high: int
    band: object
    expectations: list = field(default_factory=list)
    change: int | None = None
    previous_score: int | None = None
    borderline: object = None  # the neighbouring band the margin of error reaches into
    tone: str = ""  # the band's colour and pattern (band_tones)
    since: object = None

    @property
    def since_note(self):
        return _since(self.change, self.since)


@dataclass
class KnowledgeRow:
    statement: str
    answer: str
    correct_label: str
    right: bool
    dont_know: bool
    explanation: str


@dataclass
class FormationCard:
    track: object
    goal: bool
    leader: bool
    companion_of: object
    reasons: list
    attendus: list  # AttenduRow of the attendus that matter for it

    @property
    def leads(self):
        """Shown first (its caveat in view): it stands out, it is the goal, or it goes with one."""
        return self.leader or self.goal or self.companion_of is not None


def _borderline(low, high, band, bands):
    """The other band a score's interval reaches into, if any: the interval crosses its start."""
    for other in bands:
        if other.code == band.code:
            continue
        if low < other.min_score <= high or (other.min_score <= low < band.min_score):
            return other
    # The interval dips below the band's own start: the band under it.
    if low < band.min_score:
        below = [b for b in bands if b.min_score < band.min_score]
        return max(below, key=lambda b: b.min_score) if below else None
    return None


def _interval(score, precision):
    """The score ± one standard error of measurement, kept in 0–100, rounded to 5."""
    half = precision.sem

    def five(value):
        return int(5 * round(max(0, min(100, value)) / 5))

    return five(score - half), five(score + half)


def second_rules_view(result, content, answers, previous, precision):
    """Everything the results page shows for a result of rules 2.

    answers: {item code: answer} of this attempt (the statements behind each band and the
    knowledge check's corrections). previous: the completed attempt this one retakes, if any.
    precision: reliability.precision_for(version).
    """
    bands = {band.code: band for band in content.bands}
    by_start = {band.min_score: band for band in content.bands}
    items_of = {}
    for item in content.items:
        if item.expectation and not item.is_knowledge:
            items_of.setdefault(item.expectation, []).append(item)
    before = previous.result if previous is not None else {}
    before_expectations = before.get("expectations", {})
    before_categories = before.get("categories", {})

    top_band = max(content.bands, key=lambda band: band.min_score)
    tones = band_tones(content.bands)
    rows = {}
    for expectation in content.expectations:
        value = result["expectations"][expectation.code]
        earlier = before_expectations.get(expectation.code)
        rows[expectation.code] = AttenduRow(
            code=expectation.code,
            label=expectation.label,
            official_wording=expectation.official_wording,
            band=bands[value["band"]],
            near_side=value.get("side"),
            near_band=by_start.get(value["near"]),
            advice=expectation.advice,
            statements=[
                Statement(item.statement, SCALE_LABELS.get(answers.get(item.code), "—"))
                for item in items_of.get(expectation.code, [])
            ],
            change=_change(earlier, value["score"], precision, "expectation", expectation.code),
            since=previous.completed_at if previous is not None else None,
            previous_band=bands.get(earlier["band"]) if earlier else None,
            top=value["band"] == top_band.code,
            official_translation=expectation.official_wording_translation,
        )

    category_of = {e.code: e.category for e in content.expectations}
    categories = []
    for step in content.steps:
        value = result["categories"].get(step.code)
        if value is None:
            continue
        low, high = _interval(value["score"], reliability.lookup(precision, "category", step.code))
        earlier = before_categories.get(step.code)
        categories.append(
            CategoryBlock(
                code=step.code,
                name=step.name,
                score=value["score"],
                low=low,
                high=high,
                band=bands[value["band"]],
                expectations=[row for code, row in rows.items() if category_of[code] == step.code],
                change=_change(earlier, value["score"], precision, "category", step.code),
                since=previous.completed_at if previous is not None else None,
                previous_score=earlier["score"] if earlier else None,
                borderline=_borderline(low, high, bands[value["band"]], content.bands),
                tone=tones[value["band"]],
            )
        )

    ordered = sorted(content.bands, key=lambda band: band.min_score)
    rank = {band.code: i for i, band in enumerate(ordered)}
    strengths = [row for row in rows.values() if row.band.code == top_band.code]
    to_work = sorted(
        (row for row in rows.values() if row.band.code != top_band.code),
        key=lambda row: (rank[row.band.code], row.near_side != scoring.BELOW),
    )
    knowledge = [
        KnowledgeRow(
            statement=item.statement,
            answer=KNOWLEDGE_LABELS.get(answers.get(item.code), "—"),
            correct_label=KNOWLEDGE_LABELS[item.correct],
            right=answers.get(item.code) == item.correct,
            dont_know=answers.get(item.code) == 3,
            explanation=item.explanation,
        )
        for item in content.items
        if item.is_knowledge
    ]

    def card(fit):
        track = content.track(fit["code"])
        return FormationCard(
            track=track,
            goal=fit["goal"],
            leader=fit["leader"],
            companion_of=content.track(fit["companion_of"]) if fit["companion_of"] else None,
            reasons=_reasons(fit, content),
            attendus=[rows[code] for code in _ordered(content, track.expectations)],
        )

    verdict = result["verdict"]
    suggestions = [card(fit) for fit in result["suggestions"]]
    leading = [s for s in suggestions if s.leads]
    shown = {s.track.code for s in suggestions} | {fit["code"] for fit in result["later"]}
    quality = result["quality"]
    return {
        "verdict": verdict,
        "leaders": [s for s in suggestions if s.leader or s.goal],
        "suggestions": suggestions,
        # In view: the formations that stand out (or the goal) and those shown with them; the
        # others close to the student's interests open on demand. Without a lean, all open.
        "leading": leading or suggestions,
        "close_by": [s for s in suggestions if not s.leads] if leading else [],
        "later": [card(fit) for fit in result["later"]],
        "other_tracks": [t for t in content.tracks if t.code not in shown],
        "categories": categories,
        "category_chart": bar_chart(
            [(c.name, c.score, c.band) for c in categories],
            content.bands,
            previous=[c.previous_score for c in categories],
            intervals=[(c.low, c.high) for c in categories],
        ),
        "expectation_rows": list(rows.values()),
        "strengths": strengths,
        "to_work": to_work,
        "priorities": to_work[:3],
        "more_to_work": to_work[3:],
        # The first thing to do, said on the first screen: the first action for the attendu
        # that most needs work.
        "first_action": (
            {"row": to_work[0], "action": to_work[0].advice[0]}
            if to_work and to_work[0].advice
            else None
        ),
        "knowledge": knowledge,
        "knowledge_right": sum(1 for row in knowledge if row.right),
        "quality_notes": _quality_notes(quality, mirror_pairs=True),
        "band_counts": [
            (
                band,
                sum(1 for row in rows.values() if row.band.code == band.code),
                sum(
                    1
                    for row in rows.values()
                    if row.band.code == band.code and row.near_side == scoring.ABOVE
                ),
            )
            for band in content.bands
        ],
        "low_interest": _low_interest(content, answers),
        "bands": content.bands,
        "has_comparison": previous is not None,
        "previous": previous,
        "measured_precision": any(p.measured for p in precision.values()),
        "file_copy": True,
    }


def _low_interest(content, answers):
    """Disagreed with nearly every activity: the mean interest answer is 2 or less."""
    values = [answers[i.code] for i in content.items if i.dimension and i.code in answers]
    return bool(values) and sum(values) / len(values) <= 2


def _ordered(content, codes):
    wanted = set(codes)
    return [e.code for e in content.expectations if e.code in wanted]


def _change(earlier, score, precision, kind, code):
    if earlier is None:
        return None
    found = reliability.lookup(precision, kind, code)
    return scoring.reliable_change(earlier["score"], score, found.sd, found.alpha)


def _reasons(fit, content):
    items = {item.code: item for item in content.items}
    return [
        {"statement": items[code].statement, "answer": SCALE_LABELS[value]}
        for code, value in fit["reasons"]
        if code in items
    ]


def _quality_notes(quality, mirror_pairs=False):
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
        if mirror_pairs:
            notes.append(
                _(
                    "Pour au moins trois attendus, tu as donné la même réponse à une phrase et "
                    "à son contraire exact (par exemple d'accord avec les deux). C'est normal "
                    "d'hésiter ; relis ces phrases en refaisant le questionnaire, ou parles-en "
                    "avec un adulte de confiance."
                )
            )
        else:
            notes.append(
                _(
                    "Certaines de tes réponses semblent se contredire (d'accord avec une phrase "
                    "et avec son contraire). C'est normal d'hésiter ; parles-en avec un adulte "
                    "de confiance ou relis ces phrases en refaisant le questionnaire."
                )
            )
    return notes


# --- The student's own copy (rules 2): docs/results-schema.md ----------------------------------

RESULTS_SCHEMA = "reperes-resultats/1"


def results_copy(assessment, view):
    """The results page of rules 2 as plain data, for the student's own file: no token, no
    identifier, nothing the page does not show."""

    def band(row_band):
        return {"code": row_band.code, "label": row_band.label}

    def formation(card):
        track = card.track
        return {
            "code": track.code,
            "name": track.name,
            "duration": track.duration,
            "official_url": track.official_url,
            "goal": card.goal,
            "leader": card.leader,
            "shown_to_compare_with": card.companion_of.code if card.companion_of else None,
            "after_first_diploma": track.after_first_diploma,
            "first_step": track.first_step,
            "caveat": track.caveat,
            "reasons": [reason["statement"] for reason in card.reasons],
            "attendus": [row.code for row in card.attendus],
        }

    content = view["content"]
    return {
        "schema": RESULTS_SCHEMA,
        "questionnaire": {
            "version": content.version_code,
            "rules": content.rules,
            "content_date": content.content_date.isoformat(),
        },
        "completed_at": assessment.completed_at.isoformat(),
        "categories": [
            {
                "code": c.code,
                "name": c.name,
                "band": band(c.band),
                "score": c.score,
                "interval": [c.low, c.high],
                "change": c.change,
            }
            for c in view["categories"]
        ],
        "attendus": [
            {
                "code": row.code,
                "label": row.label,
                "official_wording": row.official_wording,
                "band": band(row.band),
                "one_answer_from": (
                    {"side": row.near_side, "band": band(row.near_band)} if row.near_side else None
                ),
                "change": row.change,
                "statements": [{"text": s.text, "answer": s.answer} for s in row.statements],
                "advice": list(row.advice),
            }
            for row in view["expectation_rows"]
        ],
        "knowledge_check": [
            {
                "question": row.statement,
                "answer": row.answer,
                "right_answer": row.correct_label,
                "right": row.right,
                "explanation": row.explanation,
            }
            for row in view["knowledge"]
        ],
        "suggestions": {
            "verdict": view["verdict"],
            "formations": [formation(card) for card in view["suggestions"]],
            "after_a_first_diploma": [formation(card) for card in view["later"]],
        },
        "notes": [str(note) for note in view["quality_notes"]],
    }
