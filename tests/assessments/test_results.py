"""The results page: profile, advice, explained suggestions, quality notes, print view."""

import re

from django.urls import reverse

from assessments.models import Assessment
from assessments.services import compute_result, save_step, start_assessment
from orientation.outline import questionnaire_content
from tests.utils import plain, text

from .factories import consistent
from .journey import content_for, take


def results(client, token, **params):
    return client.get(reverse("assessments:results", args=[token]), params)


def likes_assistance_sociale(item):
    """Strengths everywhere; among interests, only the assistance sociale statements."""
    if item.expectation is not None:
        return consistent(item)
    return 5 if item.code.startswith("AS-") else 1


def test_the_results_page_shows_the_profile_per_category_and_attendu(client, version):
    token = take(client)
    assert (
        "Tes 18 attendus du BUT Carrières sociales : Point d'appui 18 · À consolider 0 · "
        "Piste de progrès 0." in plain(results(client, token))
    )
    page = text(results(client, token))
    for name in (
        "Compétences générales",
        "Compétences techniques et scientifiques",
        "Qualités humaines",
    ):
        assert name in page
    for expectation in content_for(token).expectations:
        assert expectation.label in page
    # The categories, then one chart per category, each with its values and a table beside it.
    assert page.count('<figure class="hchart"') == 4
    assert page.count("<table") == 5  # one per chart, plus the printed report's summary
    assert re.search(r"<figcaption class=\"hchart-title\" id=\"chart-categories-title\">", page)
    assert "<strong>75</strong> sur 100 · Point d'appui" in page


def test_weak_attendus_come_with_their_concrete_actions(client, version):
    token = take(client, value=lambda item: 3 if item.code.startswith("CG2") else consistent(item))
    page = text(results(client, token))
    cg2 = content_for(token).expectation("CG2")
    assert "Ce que tu peux travailler, et comment" in page
    for action in cg2.advice:
        assert action in page
    assert "Tes points d'appui" in page


def test_the_deass_follows_the_assistance_sociale_parcours_with_its_caveat(client, version):
    token = take(client, value=likes_assistance_sociale)
    assessment = Assessment.objects.by_token(token).get()
    codes = [s["code"] for s in assessment.result["suggestions"]]
    assert codes[:2] == ["BUT-AS", "DEASS"]
    page = text(results(client, token))
    assert page.index("1. BUT Carrières sociales, parcours assistance sociale") < page.index(
        "2. Diplôme d'État d'assistant de service social (DEASS)"
    )
    assert "ne délivre pas le diplôme d'État d'assistant de service social" in page
    assert "Pourquoi ?" in page
    assert "tu as répondu « Tout à fait d'accord »" in plain(results(client, token))
    assert "https://www.onisep.fr/http/redirection/formation/slug/FOR.7830" in page
    assert "informations vérifiées le 27 novembre 2026" in page


def test_answering_the_same_thing_everywhere_gets_a_kind_note(client, version):
    token = take(client, value=lambda item: 3)
    page = text(results(client, token))
    assert "Tu as souvent répondu la même chose" in page
    assessment = Assessment.objects.by_token(token).get()
    assert assessment.flag_straight_lining
    assert (
        "Aucune formation ne ressort nettement" not in page
        or assessment.result["nothing_stands_out"]
    )


def test_the_print_view_has_no_actions_and_a_print_button(client, version):
    token = take(client)
    page = text(results(client, token, vue="impression"))
    assert "Imprimer ou enregistrer en PDF" in page
    assert '<div class="results print-view">' in page
    assert '<script src="/static/js/print.js" defer></script>' in page


def test_the_printed_report_holds_every_attendu_three_priorities_and_the_leads(client, version):
    token = take(
        client, value=lambda item: 3 if item.code.startswith(("CG2", "QH4")) else consistent(item)
    )
    page = text(results(client, token, vue="impression"))
    report = page[page.index('class="print-only"') :]
    for expectation in content_for(token).expectations:
        assert f"{expectation.code} — {expectation.label}" in report
    priorities = report[report.index("Tes trois priorités") : report.index("Pistes de formation")]
    for action in content_for(token).expectation("CG2").advice:
        assert action in priorities
    assert "https://www.onisep.fr/" in report[report.index("Pistes de formation") :]


def test_stored_results_equal_results_recomputed_from_stored_answers(client, version):
    for value in (consistent, likes_assistance_sociale, lambda item: (item.pk % 5) + 1):
        token = take(client, value=value)
        assessment = Assessment.objects.by_token(token).get()
        answers = dict(assessment.answers.values_list("item_id", "value"))
        content = questionnaire_content(assessment.version)
        recomputed = compute_result(content, answers, assessment.result["duration_seconds"])
        assert recomputed == assessment.result
        stored = {
            score.expectation.code: score.score
            for score in assessment.expectation_scores.select_related("expectation")
        }
        assert stored == {code: v["score"] for code, v in recomputed["expectations"].items()}
        assert assessment.top_track.code == recomputed["suggestions"][0]["code"]


def test_a_fast_attempt_is_noted_but_scored(client, version):
    token = take(client)
    assessment = Assessment.objects.by_token(token).get()
    assert assessment.flag_too_fast  # the test client answers 73 statements in well under 146 s
    assert assessment.overall_score == 75
    assert "Tu as répondu très vite" in text(results(client, token))


def test_a_last_step_scored_ahead_is_scored_again_when_earlier_answers_changed(version):
    assessment, _token = start_assessment()
    content = questionnaire_content(assessment.version)
    earlier = {item.pk: 2 for step in content.steps[:3] for item in step.items}
    last = {item.pk: 4 for item in content.steps[3].items}
    save_step(assessment, earlier)
    # The caller read other answers than those now stored (another tab saved in between).
    assert save_step(assessment, last, saved={pk: 5 for pk in earlier})
    assessment.refresh_from_db()
    stored = {**earlier, **last}
    assert assessment.result == compute_result(
        content, stored, assessment.result["duration_seconds"]
    )
    assert assessment.result != compute_result(
        content, {**stored, **{pk: 5 for pk in earlier}}, assessment.result["duration_seconds"]
    )
