"""Taking the questionnaire: steps, errors, resume, idempotent saves."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from assessments.models import Answer, Assessment, CategoryScore, ExpectationScore
from assessments.services import compute_result, save_step
from assessments.steps import load_step_state
from tests.utils import text

from .journey import answer_step, content_for, start, step_url, take


def test_the_home_page_starts_the_questionnaire(client, version):
    page = text(client.get(reverse("home")))
    assert "Commencer le questionnaire" in page
    assert "Code de ta classe (facultatif)" in page
    token = start(client)
    assessment = Assessment.objects.by_token(token).get()
    assert assessment.version == version and assessment.cohort is None
    assert len(token) >= 43  # 32 random bytes, ≥ 128 bits


def test_step_one_shows_its_statements_scale_progress_and_private_link(client, version):
    token = start(client)
    response = client.get(step_url(token, 1))
    page = text(response)
    step = content_for(token).step(1)
    assert response.status_code == 200
    assert "Étape 1 sur 4" in page and step.name in page
    assert page.count("<fieldset") == len(step.items) <= 20
    assert page.count("<legend>") == len(step.items)
    for label in ("Pas du tout d'accord", "Ni d'accord ni pas d'accord", "Tout à fait d'accord"):
        assert page.count(label) == len(step.items)
    assert "Garde ce lien pour reprendre" in page
    assert f"http://testserver/q/{token}/" in page
    # It works without JavaScript: the only script is the app's own, for reading aloud.
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/js/student.js" defer>']


def test_the_whole_journey_ends_on_stored_results(client, version):
    token = start(client)
    for number in (1, 2, 3):
        response = answer_step(client, token, number)
        assert response["Location"] == step_url(token, number + 1)
    response = answer_step(client, token, 4)
    assert response["Location"] == reverse("assessments:results", args=[token])
    assessment = Assessment.objects.by_token(token).get()
    assert assessment.is_completed
    assert assessment.answers.count() == len(content_for(token).items)
    assert ExpectationScore.objects.filter(assessment=assessment).count() == 18
    assert CategoryScore.objects.filter(assessment=assessment).count() == 3
    assert assessment.result["overall"] == assessment.overall_score == 75


def test_missing_answers_come_back_kept_with_a_linked_summary(client, version):
    token = start(client)
    step = content_for(token).step(1)
    data = {item.code: 5 for item in step.items[:-2]}
    response = client.post(step_url(token, 1), data)
    page = text(response)
    assert response.status_code == 200
    assert "Il manque 2 réponses" in page
    for item in step.items[-2:]:
        assert f'href="#{item.code}-1"' in page
        assert f'id="err-{item.code}"' in page
    assert f'id="{step.items[0].code}-5" name="{step.items[0].code}" value="5" checked' in page
    assert page.startswith("<!doctype html>") and "<title>Erreur :" in page
    # What was answered is stored, so the page can say so; a resumed step shows it.
    assert "Tes autres réponses sont enregistrées." in page
    stored = dict(Answer.objects.values_list("item__code", "value"))
    assert stored == data
    resumed = text(client.get(step_url(token, 1)))
    assert resumed.count('value="5" checked') == len(data)


def test_an_empty_step_asks_for_every_answer_and_claims_nothing_kept(client, version):
    token = start(client)
    page = text(client.post(step_url(token, 1), {}))
    assert "Choisis une réponse pour chaque affirmation" in page
    assert "Tes autres réponses" not in page
    assert not Answer.objects.exists()


def test_continue_after_going_back_goes_to_the_next_step(client, version):
    token = start(client)
    answer_step(client, token, 1)
    answer_step(client, token, 2)
    response = answer_step(client, token, 1)
    assert response["Location"] == step_url(token, 2)


def test_resuming_from_the_private_link_in_another_browser(client, another_browser, version):
    token = start(client)
    answer_step(client, token, 1)
    answer_step(client, token, 2)
    response = another_browser.get(reverse("assessments:resume", args=[token]))
    assert response["Location"] == step_url(token, 3)
    assert another_browser.get(step_url(token, 1)).status_code == 200
    complete_from = [3, 4]
    for number in complete_from:
        answer_step(another_browser, token, number)
    assert another_browser.get(reverse("assessments:resume", args=[token]))["Location"] == reverse(
        "assessments:results", args=[token]
    )


def test_back_saves_what_was_answered_and_keeps_earlier_answers(client, version):
    token = start(client)
    answer_step(client, token, 1, value=lambda item: 2)
    step2 = content_for(token).step(2)
    first = step2.items[0]
    response = client.post(step_url(token, 2), {first.code: 5, "direction": "back"})
    assert response["Location"] == step_url(token, 1)
    page = text(client.get(step_url(token, 1)))
    assert page.count('value="2" checked') == len(content_for(token).step(1).items)
    page = text(client.get(step_url(token, 2)))
    assert f'id="{first.code}-5" name="{first.code}" value="5" checked' in page


def test_a_later_step_opens_only_after_the_earlier_ones(client, version):
    token = start(client)
    assert client.get(step_url(token, 3))["Location"] == step_url(token, 1)
    assert client.get(step_url(token, 9)).status_code == 404


def test_a_reposted_step_stores_each_answer_once(client, version):
    token = start(client)
    answer_step(client, token, 1, value=lambda item: 2)
    answer_step(client, token, 1, value=lambda item: 5)
    answers = Answer.objects.filter(assessment__token_digest__isnull=False)
    assert answers.count() == len(content_for(token).step(1).items)
    assert set(answers.values_list("value", flat=True)) == {5}


def test_a_double_clicked_last_step_completes_once(client, version):
    token = start(client)
    for number in (1, 2, 3):
        answer_step(client, token, number)
    first = answer_step(client, token, 4)
    second = answer_step(client, token, 4)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == reverse("assessments:results", args=[token])
    assert ExpectationScore.objects.count() == 18


def test_the_stored_time_taken_counts_from_the_start_of_the_attempt(client, version):
    token = start(client)
    for number in (1, 2, 3):
        answer_step(client, token, number)
    started = timezone.now() - timedelta(minutes=12)
    Assessment.objects.by_token(token).update(started_at=started)
    answer_step(client, token, 4)
    stored = Assessment.objects.by_token(token).get()
    assert stored.is_completed
    assert 12 * 60 <= stored.result["duration_seconds"] < 13 * 60
    assert not stored.flag_too_fast


def test_a_completed_attempt_goes_to_its_results(client, version):
    token = take(client)
    assert client.get(step_url(token, 2))["Location"] == reverse(
        "assessments:results", args=[token]
    )


def test_results_wait_for_the_last_step(client, version):
    token = start(client)
    response = client.get(reverse("assessments:results", args=[token]))
    assert response["Location"] == reverse("assessments:resume", args=[token])


def test_english_steps(client, version):
    token = start(client)
    client.cookies["django_language"] = "en"
    page = text(client.get(step_url(token, 1)))
    assert "Step 1 of 4" in page and "Strongly agree" in page
    assert "Keep this link to come back" in page


def test_an_attempt_stores_no_name_email_or_address():
    names = {
        field.name.lower()
        for model in (Assessment, Answer, ExpectationScore, CategoryScore)
        for field in model._meta.get_fields()
    }
    for forbidden in ("name", "email", "ip", "ip_address", "user", "user_agent", "remote_addr"):
        assert forbidden not in names


def test_the_scale_follows_the_language_of_each_request(client, version):
    token = start(client)
    items = len(content_for(token).step(1).items)
    french = text(client.get(step_url(token, 1), HTTP_ACCEPT_LANGUAGE="fr"))
    english = text(client.get(step_url(token, 1), HTTP_ACCEPT_LANGUAGE="en"))
    assert french.count("Tout à fait d'accord") == items
    assert english.count("Strongly agree") == items and "Tout à fait d'accord" not in english


def test_an_answer_off_the_scale_comes_back_unchecked(client, version):
    token = start(client)
    step = content_for(token).step(1)
    data = {item.code: 4 for item in step.items} | {step.items[0].code: "9"}
    page = text(client.post(step_url(token, 1), data))
    assert page.count(" checked") == len(step.items) - 1
    assert f'name="{step.items[0].code}" value="9"' not in page


def test_an_edited_template_shows_at_once_in_development(client, version):
    """The step's rendered questions are kept per process; runserver's file watcher clears
    them when a template changes."""
    from pathlib import Path

    from django.utils.autoreload import file_changed

    from assessments.views import _question

    token = start(client)
    assert client.get(step_url(token, 1)).status_code == 200
    assert _question.cache_info().currsize > 0
    file_changed.send(sender=None, file_path=Path("app.py"))
    assert _question.cache_info().currsize > 0
    file_changed.send(sender=None, file_path=Path("templates/includes/likert_options.html"))
    assert _question.cache_info().currsize == 0


def test_a_step_read_before_another_tab_saved_keeps_both_tabs_answers(client, version):
    token = start(client)
    content = content_for(token)
    state = load_step_state(token)
    answer_step(client, token, 1)  # another tab, after this one read the attempt
    second = {item.pk: 5 for item in content.step(2).items}
    assert save_step(state, second, saved=state.saved) is False
    stored = dict(Answer.objects.values_list("item_id", "value"))
    assert len(stored) == len(content.step(1).items) + len(second)
    assert all(stored[pk] == 5 for pk in second)


def test_a_completion_read_before_an_earlier_step_changed_scores_the_stored_answers(
    client, version
):
    token = start(client)
    content = content_for(token)
    last = len(content.steps)
    for number in range(1, last):
        answer_step(client, token, number)
    state = load_step_state(token)
    answer_step(client, token, 1, value=lambda item: 1)  # another tab changes step 1 meanwhile
    values = {item.pk: 4 for item in content.step(last).items}
    assert save_step(state, values, saved=state.saved) is True
    assessment = Assessment.objects.by_token(token).get()
    answers = dict(assessment.answers.values_list("item_id", "value"))
    assert all(answers[item.pk] == 1 for item in content.step(1).items)
    duration = assessment.result["duration_seconds"]
    assert assessment.result == compute_result(content, answers, duration)
