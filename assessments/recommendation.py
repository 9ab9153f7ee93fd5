"""Which formations to suggest, and why. No Django here: plain values in, plain values out.

The rules, in plain words:

1. Each formation (a BUT Carrières sociales parcours or an alternative) is linked by the admins
   to interest statements, each with a weight from 1 (a hint) to 3 (decisive).
2. A formation's affinity is the weighted mean of the points of its statements (0–100, see
   scoring.py: 1 → 0, 3 → 50, 5 → 100), to which a neutral answer (50) of weight 3 is added,
   rounded to a whole number. That neutral share means a formation known from one or two
   statements needs more agreement to stand out than one known from several: without it, a
   single « tout à fait d'accord » would put a formation at 100 above parcours measured by
   three statements. A formation linked to no statement is never ranked.
3. Formations are ranked by affinity, highest first; ties keep the content's order.
4. Affinity level: « forte » from 75, « moyenne » from 50, « faible » below.
5. Suggested: the 3 best formations with an affinity of at least 50. If none reaches 50, the
   single best is suggested and marked as such: nothing stands out clearly.
6. A formation may name a companion to show with it (the BUT parcours assistance sociale names
   the DEASS, the only diploma giving the title of assistant de service social): whenever the
   formation is suggested, its companion is suggested right after it, whatever its affinity.
7. Each suggestion is explained by the statements that weighed most in it: weight × points,
   the three largest, answers of « plutôt d'accord » or more first.

Nothing here is a decision or an admission probability: it is a lead to discuss.
"""

from dataclasses import dataclass

from orientation.content import AGREE_MIN

from .scoring import item_points, round_half_up

STRONG, MEDIUM, WEAK = "strong", "medium", "weak"
SUGGESTION_COUNT = 3
SUGGESTION_MIN_FIT = 50
REASON_COUNT = 3
PRIOR_WEIGHT = 3
NEUTRAL_POINTS = 50


@dataclass(frozen=True)
class Reason:
    item: str
    value: int
    weight: int


@dataclass(frozen=True)
class TrackFit:
    code: str
    fit: int
    level: str
    reasons: tuple = ()
    companion_of: str | None = None  # set when suggested as another formation's companion


def level_for(fit):
    return STRONG if fit >= 75 else MEDIUM if fit >= 50 else WEAK


def rank_tracks(answers, tracks, weights):
    """Every formation linked to at least one statement, ranked by affinity (rules 2–4, 7).

    tracks, weights: the version's ContentTrack and ContentWeight values
    (orientation/content.py)."""
    by_track = {}
    for weight in weights:
        by_track.setdefault(weight.track, []).append(weight)
    ranked = []
    for track in sorted(tracks, key=lambda t: t.position):
        links = [w for w in by_track.get(track.code, []) if w.item in answers]
        if not links:
            continue
        total = sum(w.weight for w in links) + PRIOR_WEIGHT
        points = sum(w.weight * item_points(answers[w.item]) for w in links)
        fit = round_half_up((points + PRIOR_WEIGHT * NEUTRAL_POINTS) / total)
        contributions = sorted(
            links,
            key=lambda w: (answers[w.item] >= AGREE_MIN, w.weight * item_points(answers[w.item])),
            reverse=True,
        )
        reasons = tuple(
            Reason(item=w.item, value=answers[w.item], weight=w.weight)
            for w in contributions[:REASON_COUNT]
        )
        ranked.append(TrackFit(code=track.code, fit=fit, level=level_for(fit), reasons=reasons))
    # sorted() is stable: equal affinities keep the content's order.
    return sorted(ranked, key=lambda fit: fit.fit, reverse=True)


def suggest(ranked, tracks):
    """The suggestions (rules 5 and 6), from rank_tracks' output."""
    chosen = [fit for fit in ranked if fit.fit >= SUGGESTION_MIN_FIT][:SUGGESTION_COUNT]
    if not chosen and ranked:
        chosen = ranked[:1]
    companions = {track.code: track.shown_with for track in tracks if track.shown_with}
    fits = {fit.code: fit for fit in ranked}
    suggestions, seen = [], set()
    for fit in chosen:
        if fit.code in seen:
            continue
        suggestions.append(fit)
        seen.add(fit.code)
        companion = companions.get(fit.code)
        if companion and companion not in seen:
            base = fits.get(companion) or TrackFit(code=companion, fit=0, level=WEAK)
            suggestions.append(
                TrackFit(
                    code=base.code,
                    fit=base.fit,
                    level=base.level,
                    reasons=base.reasons,
                    companion_of=fit.code,
                )
            )
            seen.add(companion)
    return suggestions


def nothing_stands_out(suggestions):
    """True when even the best formation has a weak affinity (rule 5's fallback)."""
    return bool(suggestions) and suggestions[0].fit < SUGGESTION_MIN_FIT
