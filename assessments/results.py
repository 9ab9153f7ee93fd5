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

from orientation.content import DISAGREE_MAX
from orientation.models import KNOWLEDGE_SCALE, SCALE
from orientation.outline import questionnaire_content
from orientation.templatetags.content import quoted

from . import recommendation, reliability, scoring
from .charts import band_tones, bar_chart

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
    """Everything the results page of rules 1 shows, from the stored result and the version's
    content; `previous_result`, the attempt this one retakes, adds each attendu's change."""
    previous = (previous_result or {}).get("expectations", {})
    categories, rows = _first_rules_rows(result, content, previous)
    strengths, to_work = _first_rules_strengths(rows, content.bands)
    suggestions = _first_rules_suggestions(result, content)
    return {
        "categories": categories,
        "category_chart": bar_chart([(c.name, c.score, c.band) for c in categories], content.bands),
        "expectation_rows": rows,
        "strengths": strengths,
        "to_work": to_work,
        "priorities": to_work[:3],
        "suggestions": suggestions,
        "nothing_stands_out": result["nothing_stands_out"],
        "other_tracks": _first_rules_others(result, content, suggestions),
        "quality_notes": _quality_notes(result["quality"]),
        "band_counts": [
            (band, sum(1 for row in rows if row.band.code == band.code)) for band in content.bands
        ],
        "overall": result["overall"],
        "bands": content.bands,
        "has_comparison": bool(previous),
    }


def _first_rules_rows(result, content, previous):
    """(categories, attendu rows): each category with its attendus and their chart."""
    bands = {band.code: band for band in content.bands}
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
    for category in categories.values():
        category.chart = bar_chart(
            [(row.label, row.score, row.band) for row in category.expectations], content.bands
        )
    return list(categories.values()), rows


def _first_rules_strengths(rows, bands):
    """(strengths, to work on): the attendus in the highest band, highest first, and the
    others, lowest first."""
    top_band = max(bands, key=lambda band: band.min_score)
    strengths = sorted(
        (row for row in rows if row.band.code == top_band.code), key=lambda r: -r.score
    )
    to_work = sorted((row for row in rows if row.band.code != top_band.code), key=lambda r: r.score)
    return strengths, to_work


def _first_rules_suggestions(result, content):
    items = {item.code: item for item in content.items}
    suggestions = []
    for fit in result["suggestions"]:
        reasons = [
            {"statement": items[code].statement, "answer": SCALE_LABELS[value]}
            for code, value, _weight in fit["reasons"]
            if code in items
        ]
        suggestions.append(
            Suggestion(
                track=content.track(fit["code"]),
                fit=fit["fit"],
                level=fit["level"],
                level_label=_level_label(fit["level"]),
                reasons=reasons,
                companion_of=content.track(fit["companion_of"]) if fit["companion_of"] else None,
            )
        )
    return suggestions


def _first_rules_others(result, content, suggestions):
    """The formations not suggested: in the result's ranking, then any the ranking lacks."""
    suggested = {s.track.code for s in suggestions}
    others = [content.track(r["code"]) for r in result["ranking"] if r["code"] not in suggested]
    return others + [t for t in content.tracks if t.code not in suggested and t not in others]


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
    rows = _attendu_rows(result, content, answers, previous, precision)
    categories = _category_blocks(result, content, rows, previous, precision)
    top_band = max(content.bands, key=lambda band: band.min_score)
    strengths = [row for row in rows.values() if row.band.code == top_band.code]
    to_work = _to_work(rows.values(), content.bands, top_band)
    knowledge = _knowledge_rows(content, answers)
    suggestions = [_card(fit, content, rows) for fit in result["suggestions"]]
    leading = [s for s in suggestions if s.leads]
    shown = {s.track.code for s in suggestions} | {fit["code"] for fit in result["later"]}
    return {
        "verdict": result["verdict"],
        "leaders": [s for s in suggestions if s.leader or s.goal],
        "suggestions": suggestions,
        # In view: the formations that stand out (or the goal) and those shown with them; the
        # others close to the student's interests open on demand. Without a lean, all open.
        "leading": leading or suggestions,
        "close_by": [s for s in suggestions if not s.leads] if leading else [],
        "later": [_card(fit, content, rows) for fit in result["later"]],
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
        "first_action": _first_action(to_work),
        "knowledge": knowledge,
        "knowledge_right": sum(1 for row in knowledge if row.right),
        "quality_notes": _quality_notes(result["quality"], mirror_pairs=True),
        "band_counts": _band_counts(rows.values(), content.bands),
        "low_interest": _low_interest(content, answers),
        "bands": content.bands,
        "has_comparison": previous is not None,
        "previous": previous,
        "measured_precision": any(p.measured for p in precision.values()),
        "file_copy": True,
    }


def _attendu_rows(result, content, answers, previous, precision):
    """Each attendu's row (code → AttenduRow): its band, the statements behind it with this
    attempt's answers, and its reliable change since `previous`."""
    bands = {band.code: band for band in content.bands}
    by_start = {band.min_score: band for band in content.bands}
    top_band = max(content.bands, key=lambda band: band.min_score)
    items_of = {}
    for item in content.items:
        if item.expectation and not item.is_knowledge:
            items_of.setdefault(item.expectation, []).append(item)
    before = previous.result.get("expectations", {}) if previous is not None else {}
    rows = {}
    for expectation in content.expectations:
        value = result["expectations"][expectation.code]
        earlier = before.get(expectation.code)
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
    return rows


def _category_blocks(result, content, rows, previous, precision):
    """Each category scored, with its margin of error, its attendus and its change."""
    bands = {band.code: band for band in content.bands}
    tones = band_tones(content.bands)
    before = previous.result.get("categories", {}) if previous is not None else {}
    category_of = {e.code: e.category for e in content.expectations}
    blocks = []
    for step in content.steps:
        value = result["categories"].get(step.code)
        if value is None:
            continue
        low, high = _interval(value["score"], reliability.lookup(precision, "category", step.code))
        earlier = before.get(step.code)
        blocks.append(
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
    return blocks


def _to_work(rows, bands, top_band):
    """The attendus below the highest band, lowest band first; within a band, those just
    under a threshold last (one answer from the next band)."""
    rank = {band.code: i for i, band in enumerate(sorted(bands, key=lambda b: b.min_score))}
    return sorted(
        (row for row in rows if row.band.code != top_band.code),
        key=lambda row: (rank[row.band.code], row.near_side != scoring.BELOW),
    )


def _first_action(to_work):
    # The first thing to do, said on the first screen: the first action for the attendu that
    # most needs work.
    if not to_work or not to_work[0].advice:
        return None
    return {"row": to_work[0], "action": to_work[0].advice[0]}


def _knowledge_rows(content, answers):
    return [
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


def _card(fit, content, rows):
    track = content.track(fit["code"])
    return FormationCard(
        track=track,
        goal=fit["goal"],
        leader=fit["leader"],
        companion_of=content.track(fit["companion_of"]) if fit["companion_of"] else None,
        reasons=_reasons(fit, content),
        attendus=[rows[code] for code in _ordered(content, track.expectations)],
    )


def _band_counts(rows, bands):
    """(band, attendus in it, of which just above its start) for each band."""
    rows = list(rows)
    return [
        (
            band,
            sum(1 for row in rows if row.band.code == band.code),
            sum(1 for row in rows if row.band.code == band.code and row.near_side == scoring.ABOVE),
        )
        for band in bands
    ]


def _low_interest(content, answers):
    """Disagreed with nearly every activity: the mean interest answer is 2 or less."""
    values = [answers[i.code] for i in content.items if i.dimension and i.code in answers]
    return bool(values) and sum(values) / len(values) <= DISAGREE_MAX


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
