"""The suggestion rules of assessments/recommendation.py, without a database."""

from hypothesis import given
from hypothesis import strategies as st

from assessments.recommendation import (
    MEDIUM,
    STRONG,
    WEAK,
    level_for,
    nothing_stands_out,
    rank_tracks,
    suggest,
)
from orientation.content import ContentTrack, ContentWeight

TRACKS = [
    ContentTrack("AS", 1, shown_with="DEASS"),
    ContentTrack("ASSC", 2),
    ContentTrack("ES", 3),
    ContentTrack("DEASS", 4),
    ContentTrack("LIC", 5),
    ContentTrack("PREPA", 6),  # no statement points to it
]
WEIGHTS = [
    ContentWeight("AS", "as1", 3),
    ContentWeight("AS", "as2", 1),
    ContentWeight("ASSC", "an1", 3),
    ContentWeight("ES", "es1", 2),
    ContentWeight("DEASS", "title", 3),
    ContentWeight("DEASS", "as1", 2),
    ContentWeight("LIC", "uni", 1),
]
ITEMS = ["as1", "as2", "an1", "es1", "title", "uni"]
answer_sets = st.fixed_dictionaries({code: st.integers(1, 5) for code in ITEMS})


def test_affinity_is_the_weighted_mean_of_points_with_a_neutral_share():
    answers = {"as1": 5, "as2": 1, "an1": 3, "es1": 4, "title": 2, "uni": 1}
    fits = {fit.code: fit.fit for fit in rank_tracks(answers, TRACKS, WEIGHTS)}
    # AS: (3×100 + 1×0 + 3×50) / (4 + 3) = 64.3; ES: (2×75 + 150) / 5 = 60;
    # DEASS: (3×25 + 2×100 + 150) / 8 = 53.1; LIC: (0 + 150) / 4 = 37.5 → 38
    assert fits == {"AS": 64, "ASSC": 50, "ES": 60, "DEASS": 53, "LIC": 38}


def test_a_formation_known_from_fewer_statements_needs_more_agreement():
    answers = {code: 5 for code in ITEMS}
    fits = {fit.code: fit.fit for fit in rank_tracks(answers, TRACKS, WEIGHTS)}
    # Everything at "tout à fait d'accord": more evidence, higher affinity.
    assert fits["DEASS"] > fits["AS"] > fits["ASSC"] > fits["ES"] > fits["LIC"]
    assert fits["LIC"] < 100


def test_ties_keep_the_content_order_and_unlinked_tracks_are_not_ranked():
    answers = {code: 3 for code in ITEMS}
    ranked = rank_tracks(answers, TRACKS, WEIGHTS)
    assert [fit.code for fit in ranked] == ["AS", "ASSC", "ES", "DEASS", "LIC"]
    assert {fit.fit for fit in ranked} == {50}


def test_levels():
    assert [level_for(f) for f in (100, 75, 74, 50, 49, 0)] == [
        STRONG,
        STRONG,
        MEDIUM,
        MEDIUM,
        WEAK,
        WEAK,
    ]


def test_the_deass_comes_right_after_the_assistance_sociale_parcours():
    answers = {"as1": 5, "as2": 5, "an1": 4, "es1": 4, "title": 1, "uni": 1}
    ranked = rank_tracks(answers, TRACKS, WEIGHTS)
    suggestions = suggest(ranked, TRACKS)
    codes = [fit.code for fit in suggestions]
    assert codes[:2] == ["AS", "DEASS"]
    assert suggestions[1].companion_of == "AS"
    assert codes == ["AS", "DEASS", "ASSC", "ES"]


@given(answer_sets)
def test_whenever_as_is_suggested_the_deass_is_too_right_after(answers):
    suggestions = suggest(rank_tracks(answers, TRACKS, WEIGHTS), TRACKS)
    codes = [fit.code for fit in suggestions]
    assert len(codes) == len(set(codes))
    if "AS" in codes:
        assert "DEASS" in codes
        assert codes.index("DEASS") == codes.index("AS") + 1 or codes.index("DEASS") < codes.index(
            "AS"
        )


@given(answer_sets)
def test_suggestions_are_at_least_50_except_companions_and_the_single_fallback(answers):
    ranked = rank_tracks(answers, TRACKS, WEIGHTS)
    suggestions = suggest(ranked, TRACKS)
    assert suggestions, "there is always at least one lead"
    own = [fit for fit in suggestions if fit.companion_of is None]
    if nothing_stands_out(suggestions):
        assert len(own) == 1 and own[0] == ranked[0]
    else:
        assert all(fit.fit >= 50 for fit in own)
        assert len(own) <= 3


@given(answer_sets)
def test_ranking_is_by_affinity(answers):
    fits = [fit.fit for fit in rank_tracks(answers, TRACKS, WEIGHTS)]
    assert fits == sorted(fits, reverse=True)
    assert all(0 <= fit <= 100 for fit in fits)


def test_reasons_are_the_statements_that_weighed_most_agreements_first():
    answers = {"as1": 4, "as2": 5, "an1": 1, "es1": 1, "title": 1, "uni": 1}
    fit = rank_tracks(answers, TRACKS, WEIGHTS)[0]
    assert fit.code == "AS"
    # as1: 3 × 75 = 225, as2: 1 × 100 = 100
    assert [(r.item, r.value, r.weight) for r in fit.reasons] == [("as1", 4, 3), ("as2", 5, 1)]


def test_when_nothing_stands_out_only_the_best_is_suggested():
    answers = {code: 1 for code in ITEMS} | {"an1": 2}
    suggestions = suggest(rank_tracks(answers, TRACKS, WEIGHTS), TRACKS)
    assert [fit.code for fit in suggestions] == ["ASSC"]
    assert nothing_stands_out(suggestions)
