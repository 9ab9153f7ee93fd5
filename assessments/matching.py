"""Which formations to suggest, and why — rules « 2 » (content version 2026-2 on). No Django.

The rules, in plain words:

1. Interests are measured by areas (« dimensions »: aider et accompagner, éduquer, animer,
   petite enfance…), each by at least three statements on the 1–5 agreement scale. An area's
   score is the mean of its answers.
2. Preferences are read relative to the student's own answers (an ipsative reading): each
   area's score minus the mean of all areas. A student who agrees with everything, or with
   nothing, has no preference yet; the general answer level moves nothing.
3. Each formation has a profile over the areas, set in the admin: 1 (a part of the job), 2
   (important), 3 (the heart of it). Its fit is how far the student's relative profile goes in
   the direction of the formation's profile: the projection of the one on the other, once the
   formation's weights are centred and scaled to length 1, in answer steps. A formation gains
   nothing from being linked to more statements or areas, and one whose profile matches the
   student's shape (not just one of its areas) fits best.
4. Say only what the data can tell apart. The measurement error of an area of three statements
   is about half an answer step, so:
   - the profile leans only when its areas differ more than the answers within each area
     would make them differ by chance: a one-way analysis of variance of the student's own
     interest answers (areas as groups), significant at 1 in 1,000 (LEAN_P). A student who
     answers at random around one level is thus told, 999 times in 1,000 at least, that the
     profile does not lean yet;
   - a formation « ressort » only with a fit of at least FIT_MIN (1.25 answer steps: about the
     gap between « tout à fait d'accord » and « ni d'accord ni pas d'accord » on its areas);
   - formations within TIE_MARGIN (half an answer step) of the best are tied with it, and
     shown as a tie, never ranked by the content's order (within a tie, by fit, then by code);
   - when no formation reaches FIT_MIN, the profile « ne penche pas encore »: that is a result,
     with what to do next, and no formation is put forward.
5. A formation that is not open straight after the bac (licence professionnelle, DECESF,
   DEJEPS) is never a first vœu: when it fits (or is a stated goal, rule 6), it is shown as a
   later step with its first step.
6. A goal statement names the formation it leads to (« je veux exercer le métier d'assistant(e)
   de service social, avec ce titre » → the DEASS). A student who answers it « tout à fait
   d'accord », at least one and a half answer steps above the mean of their interest answers,
   sees that formation first, as their goal, whatever its fit. (« Plutôt d'accord », or a
   student who is « tout à fait d'accord » with most things, is not a stated goal: answers at
   random around one level must not produce one.)
7. A suggested formation may name a companion (the BUT parcours assistance sociale names the
   DEASS, the DEASS names the BUT): it is shown right after it, to compare.
8. « Pourquoi ? » cites only statements of the formation's areas that the student agreed with
   (« plutôt d'accord » or more) and rated above their own mean: the three that weigh most
   (area weight × distance above the mean). When there is none, the page says so.

Nothing here is a decision or an admission probability: it is a lead to discuss.
"""

from dataclasses import dataclass, field
from math import inf, sqrt
from statistics import fmean

from orientation.content import AGREE_MIN, SCALE_MAX

from .psychometrics import f_test_p

LEAN_P = 0.001
FIT_MIN = 1.25
TIE_MARGIN = 0.5
SUGGESTION_COUNT = 3
REASON_COUNT = 3
GOAL_ANSWER = SCALE_MAX  # « tout à fait d'accord »
GOAL_LEAD = 1.5  # answer steps above the student's mean interest answer

STANDS_OUT, TIE, FLAT, GOAL = "stands_out", "tie", "flat", "goal"


@dataclass(frozen=True)
class Fit:
    code: str
    fit: float
    reasons: tuple = ()  # (item code, answer)
    leader: bool = False
    goal: bool = False
    companion_of: str | None = None


@dataclass(frozen=True)
class Suggestions:
    verdict: str
    first: tuple  # Fit, in the order shown
    later: tuple = ()  # formations after a first diploma that fit
    ranking: tuple = ()  # every formation, best fit first
    dimensions: dict = field(default_factory=dict)  # area code → relative score


def relative_profile(answers, dimensions):
    """Area scores minus their mean (rule 2), in answer steps; only areas answered in full."""
    scores = {
        d.code: fmean(answers[code] for code in d.items)
        for d in dimensions
        if d.items and all(code in answers for code in d.items)
    }
    if not scores:
        return {}
    level = fmean(scores.values())
    return {code: score - level for code, score in scores.items()}


def lean_p(answers, dimensions):
    """Rule 4: p of the one-way analysis of variance of the interest answers by area."""
    groups = [
        [answers[code] for code in d.items]
        for d in dimensions
        if d.items and all(code in answers for code in d.items)
    ]
    k, n = len(groups), sum(len(g) for g in groups)
    if k < 2 or n <= k:
        return 1.0
    grand = fmean(value for g in groups for value in g)
    between = sum(len(g) * (fmean(g) - grand) ** 2 for g in groups) / (k - 1)
    within = sum((value - fmean(g)) ** 2 for g in groups for value in g) / (n - k)
    if between == 0:
        return 1.0
    return f_test_p(between / within if within else inf, k - 1, n - k)


def direction(profile, dimension_codes):
    """A formation's weights over every area, centred and scaled to length 1 (rule 3)."""
    weights = [profile.get(code, 0) for code in dimension_codes]
    centre = fmean(weights)
    centred = [w - centre for w in weights]
    length = sqrt(sum(c * c for c in centred))
    if length == 0:
        return None
    return dict(zip(dimension_codes, (c / length for c in centred), strict=True))


def fit_of(relative, profile):
    unit = direction(profile, list(relative))
    if unit is None:
        return 0.0
    return sum(relative[code] * unit[code] for code in relative)


def reasons_for(formation, answers, dimensions, mean_answer):
    """Rule 8: agreed statements of the formation's areas, above the student's mean."""
    profile = dict(formation.profile)
    weighted = []
    for dimension in dimensions:
        weight = profile.get(dimension.code, 0)
        for code in dimension.items if weight else ():
            value = answers.get(code)
            if value is not None and value >= AGREE_MIN and value > mean_answer:
                weighted.append((weight * (value - mean_answer), code, value))
    weighted.sort(key=lambda row: (-row[0], row[1]))
    return tuple((code, value) for _w, code, value in weighted[:REASON_COUNT])


def suggest(answers, dimensions, formations, goals=()):
    """The suggestions for one student's interest answers (rules 1–8).

    dimensions, formations: the version's ContentDimension and ContentTrack values (a
    formation's profile: (area code, weight 1–3) pairs); goals: the ContentItem values that
    name a goal_track (orientation/content.py)."""
    relative = relative_profile(answers, dimensions)
    interest_codes = [code for d in dimensions for code in d.items if code in answers]
    mean_answer = fmean(answers[code] for code in interest_codes) if interest_codes else 0
    by_code = {f.code: f for f in formations}
    fits = sorted(
        (
            Fit(
                code=f.code,
                fit=round(fit_of(relative, dict(f.profile)), 2) if relative else 0.0,
                reasons=reasons_for(f, answers, dimensions, mean_answer),
            )
            for f in formations
            if f.profile
        ),
        key=lambda fit: (-fit.fit, fit.code),
    )
    open_now = [fit for fit in fits if not by_code[fit.code].after_first_diploma]

    goal_codes, later_goals = [], []
    for goal in goals:
        value, track = answers.get(goal.code), goal.goal_track
        if (
            value is not None
            and value >= GOAL_ANSWER
            and value - mean_answer >= GOAL_LEAD
            and track in by_code
            and track not in goal_codes + later_goals
        ):
            # A goal reached only after a first diploma is a later step too (rule 5).
            closed = by_code[track].after_first_diploma
            (later_goals if closed else goal_codes).append(track)

    best = open_now[0].fit if open_now else 0.0
    leans = lean_p(answers, dimensions) < LEAN_P
    leaders = [
        fit for fit in open_now if leans and fit.fit >= FIT_MIN and fit.fit >= best - TIE_MARGIN
    ]
    if goal_codes:
        verdict = GOAL
    elif not leaders:
        verdict = FLAT
    else:
        verdict = STANDS_OUT if len(leaders) == 1 else TIE

    fit_by_code = {fit.code: fit for fit in fits}
    chosen = [_replace(fit_by_code[code], goal=True) for code in goal_codes]
    if verdict != FLAT:
        leader_codes = {fit.code for fit in leaders}
        following = [fit for fit in open_now if leans and fit.fit >= FIT_MIN]
        for fit in following:
            if len(chosen) >= max(SUGGESTION_COUNT, len(leaders) + len(goal_codes)):
                break
            if fit.code not in goal_codes:
                chosen.append(_replace(fit, leader=fit.code in leader_codes))
    later = tuple(_replace(fit_by_code[code], goal=True) for code in later_goals) + tuple(
        fit
        for fit in fits
        if by_code[fit.code].after_first_diploma
        and fit.code not in later_goals
        and leans
        and fit.fit >= FIT_MIN
    )
    return Suggestions(
        verdict=verdict,
        first=_with_companions(chosen, by_code, fit_by_code),
        later=later,
        ranking=tuple(fits),
        dimensions={code: round(value, 2) for code, value in relative.items()},
    )


def _replace(fit, **changes):
    return Fit(**{**fit.__dict__, **changes})


def _with_companions(chosen, by_code, fit_by_code):
    """Rule 7: each suggestion followed by its companion, once."""
    shown, seen = [], set()
    chosen_codes = {fit.code for fit in chosen}
    for fit in chosen:
        if fit.code in seen:
            continue
        shown.append(fit)
        seen.add(fit.code)
        companion = by_code[fit.code].shown_with
        if companion and companion not in seen and companion not in chosen_codes:
            base = fit_by_code.get(companion) or Fit(code=companion, fit=0.0)
            shown.append(_replace(base, leader=False, goal=False, companion_of=fit.code))
            seen.add(companion)
    return tuple(shown)
