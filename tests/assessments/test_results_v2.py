"""The results page of rules 2 (content 2026-2), read as the student reads it, and the
results of 2026-1 kept exactly as they were."""

import re

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime

from assessments.models import Assessment
from assessments.services import compute_result
from orientation.outline import questionnaire_content
from tests.assessments.factories import consistent
from tests.assessments.journey import content_for, take
from tests.utils import text

from .journey import start


def page(client, token, query=""):
    response = client.get(reverse("assessments:results", args=[token]) + query)
    assert response.status_code == 200
    # Forms carry a fresh CSRF token on every page: everything else is the page itself.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text(response))


def interests(areas=(), goal=None, attendu=None):
    """Agrees with the statements of `areas` (5), with nothing else (2); `attendu` gives the
    keyed answer for attendu statements (4 by default); knowledge questions answered right."""

    def value(item):
        if item.is_knowledge:
            return item.correct
        if item.expectation:
            keyed = attendu(item) if attendu else 4
            return 6 - keyed if item.reverse_keyed else keyed
        if item.goal_track:
            return 5 if item.goal_track == goal else 2
        return 5 if item.dimension in areas else 2

    return value


def test_a_student_drawn_to_social_support_and_insertion_reads_a_tie_between_but_and_deass(
    client, second_version
):
    token = take(client, interests(("ACC", "INS")))
    html = page(client, token)
    lead = html[html.index("Tes résultats") : html.index("Ton profil par catégorie")]
    assert "plusieurs formations te correspondent autant" in lead
    assert "BUT CS assistance sociale" in lead and "DEASS" in lead
    # The BUT's caveat says it does not give the title.
    assert "ne donne pas le titre" in html
    assert "/100" not in html


def test_wanting_the_title_puts_the_deass_first_with_the_but_beside_it(client, second_version):
    token = take(client, interests(("ACC",), goal="DEASS"))
    html = page(client, token)
    assert "Tu as dit vouloir exercer un métier précis" in html
    cards = html[html.index("Des formations qui pourraient") :]
    assert cards.index("Diplôme d'État d'assistant de service social") < cards.index(
        "BUT Carrières sociales, parcours assistance sociale"
    )
    assert "Ton objectif" in cards


def test_answering_the_same_everywhere_is_told_the_profile_does_not_lean(client, second_version):
    for value in (3, 5):
        token = take(client, lambda item, v=value: item.correct if item.is_knowledge else v)
        html = page(client, token)
        assert "ne penchent pas encore" in html
        assert "Ton profil ne penche pas encore" in html
        assert "portes ouvertes" in html
        assert "ressort" not in html[: html.index("Ton profil par catégorie")]


def test_a_formation_after_a_first_diploma_is_a_later_step_with_its_first_step(
    client, second_version
):
    token = take(client, interests(("FAM", "ACC")))
    html = page(client, token)
    later = html[html.index("Plus tard, après un premier diplôme") :]
    assert "Première étape" in later
    assert "conseiller en économie sociale familiale" in later.lower() or "DECESF" in later
    first = html[html.index("Des formations qui pourraient") : html.index("Plus tard")]
    assert "BTS économie sociale familiale" in first


def test_the_knowledge_check_is_corrected_and_explained(client, second_version):
    def value(item):
        if item.is_knowledge:
            return 3  # « je ne sais pas » everywhere
        return consistent(item)

    token = take(client, value)
    html = page(client, token)
    start = html.index("Ce que tu sais de la formation")
    section = html[start : html.index("D'autres formations,")]
    assert "Bonnes réponses : 0 sur 5." in section
    assert section.count("tu ne savais pas") == 5
    assert "L411-1" in section
    assert "Connaître le parcours visé</strong> — Piste de progrès" in html


def test_a_band_one_answer_from_its_threshold_says_so_on_both_sides(client, second_version):
    def value(item):
        if item.is_knowledge:
            return item.correct
        if item.expectation == "CG1":  # 4, 4 and a reverse answered 3: 66.7, below 75
            return 3 if item.reverse_keyed else 4
        return consistent(item)  # 75 exactly: just above

    token = take(client, value)
    html = page(client, token)
    assert "juste en dessous du seuil « Point d'appui », à une réponse près" in html
    assert "juste au-dessus du seuil « Point d'appui », à une réponse près" in html


def test_an_honest_shy_and_diligent_student_is_not_told_to_contradict_themself(
    client, second_version
):
    shy = {"QH3", "CG7", "QH2"}
    token = take(client, interests(("EDU",), attendu=lambda it: 2 if it.expectation in shy else 5))
    assessment = Assessment.objects.by_token(token).get()
    assert assessment.result["quality"]["contradictory_expectations"] == []
    assert "se contredire" not in page(client, token)
    assert "son contraire exact" not in page(client, token)


def test_a_retake_reports_only_changes_beyond_the_measurement_error(client, second_version):
    token = take(client)
    previous = Assessment.objects.by_token(token).get()
    response = client.post(reverse("assessments:retake", args=[token]))
    new = re.search(r"/q/([A-Za-z0-9_-]+)/", response["Location"]).group(1)
    assert new == token  # the private link follows the student to the retake
    from tests.assessments.journey import complete

    # A little lower everywhere: one answer per attendu one step down — within the error.
    def slightly_lower(item):
        base = consistent(item)
        if item.is_knowledge or not item.code.endswith("-a"):
            return base
        return base - 1 if not item.reverse_keyed else base + 1

    complete(client, new, slightly_lower)
    html = page(client, new)
    day = date_format(localtime(previous.completed_at), "j F Y")
    assert f"« Depuis le {day} » compare avec ton questionnaire de ce jour-là" in html
    # Per category at first sight, per attendu in the details; none beyond the error.
    assert html.count(f"stable depuis le {day}") == 3 + 18
    assert "en recul" not in html and "en progrès" not in html
    assert f"Le {day} : 75 sur 100" in html  # the previous result drawn under each bar


def test_stored_results_of_both_versions_are_recomputed_exactly_from_their_answers(client, version):
    first = take(client)
    from orientation.loading import SECOND_FIXTURE, load_questionnaire

    load_questionnaire(SECOND_FIXTURE)
    second = take(client, interests(("ANI", "TER")))
    for token, rules in ((first, "1"), (second, "2")):
        assessment = Assessment.objects.by_token(token).get()
        content = questionnaire_content(assessment.version)
        answers = dict(assessment.answers.values_list("item_id", "value"))
        recomputed = compute_result(content, answers, assessment.result["duration_seconds"])
        assert recomputed == assessment.result
        assert assessment.result.get("rules", "1") == rules


def test_a_2026_1_result_keeps_its_page_when_2026_2_is_published(client, version):
    token = take(client)
    before = page(client, token)
    printed = page(client, token, "?vue=impression")
    from orientation.loading import SECOND_FIXTURE, load_questionnaire

    load_questionnaire(SECOND_FIXTURE)
    assert content_for(token).version_code == "2026-1"
    assert page(client, token) == before
    assert page(client, token, "?vue=impression") == printed
    assert "/100" in before  # the page it always had


def test_the_method_page_explains_the_rules(client):
    response = client.get(reverse("method"))
    assert response.status_code == 200
    html = text(response)
    assert "Comment sont calculés tes résultats ?" in html
    assert "Jacobson" in html
    assert "article 22" in html


def test_the_results_page_links_to_the_method(client, second_version):
    token = take(client)
    assert (
        reverse("method")
        in client.get(reverse("assessments:results", args=[token])).content.decode()
    )


def test_a_knowledge_question_refuses_an_answer_off_its_scale(client, second_version):
    token = start(client)
    step = content_for(token).step(2)
    data = {item.code: consistent(item) for item in step.items}
    knowledge = next(item for item in step.items if item.is_knowledge)
    data[knowledge.code] = 4
    response = client.post(reverse("assessments:step", args=[token, 2]), data)
    assert response.status_code in (302, 400)
    assessment = Assessment.objects.by_token(token).get()
    assert not assessment.answers.filter(item_id=knowledge.pk).exists()


def test_a_retake_on_a_new_version_is_not_compared_point_for_point(client, version):
    from orientation.loading import SECOND_FIXTURE, load_questionnaire

    from .journey import complete

    token = take(client)
    load_questionnaire(SECOND_FIXTURE)
    response = client.post(reverse("assessments:retake", args=[token]))
    new = re.search(r"/q/([A-Za-z0-9_-]+)/", response["Location"]).group(1)
    complete(client, new)
    html = page(client, new)
    assert "était une version différente" in html
    assert "Depuis le" not in html


def test_the_knowledge_check_the_bands_the_retake_and_the_method_read_in_english(
    client, second_version
):
    client.cookies["django_language"] = "en"

    def unsure(item):
        return 3 if item.is_knowledge else consistent(item)

    token = take(client, unsure)
    response = client.post(reverse("assessments:retake", args=[token]))
    new = re.search(r"/q/([A-Za-z0-9_-]+)/", response["Location"]).group(1)
    from .journey import complete

    complete(client, new, unsure)
    html = page(client, new)
    assert "Correct answers: 0 out of 5." in html
    assert "Your answer: I don’t know" in html
    assert "just above the" in html
    assert "unchanged since" in html
    assert "How are your results calculated?" in html
    method = text(client.get(reverse("method")))
    assert "How are your results calculated?" in method
    assert "Jacobson" in method


def test_plutot_d_accord_everywhere_is_not_told_it_has_eighteen_plain_strengths(
    client, second_version
):
    html = page(client, take(client))
    assert "Point d'appui 18 (dont 17 juste au-dessus du seuil)" in " ".join(
        re.sub(r"<[^>]+>", " ", html).split()
    )
    # Each category sits exactly on the start of « Point d'appui »: its margin reaches below.
    assert "à la limite de « À consolider »" in html.replace("\u00a0", " ")


def test_disagreeing_with_nearly_every_activity_is_told_to_look_beyond_the_social_sector(
    client, second_version
):
    html = page(client, take(client, lambda item: item.correct if item.is_knowledge else 1))
    assert "ne penchent pas encore" in html
    assert "le secteur social n'est peut-être pas ce qui t'attire le plus" in html


def test_the_student_can_download_a_copy_with_no_token_in_it(client, second_version):
    import json

    token = take(client, interests(("ENF",)))
    html = page(client, token)
    url = reverse("assessments:results-copy", args=[token])
    assert url in html
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="reperes-resultats-')
    body = response.content.decode()
    assert token not in body
    data = json.loads(body)
    assert data["schema"] == "reperes-resultats/1"
    assert data["questionnaire"]["version"] == "2026-2"
    assert data["suggestions"]["verdict"] == "stands_out"
    assert data["suggestions"]["formations"][0]["code"] == "DEEJE"
    assert len(data["attendus"]) == 18 and len(data["knowledge_check"]) == 5
    assert all(item["right"] for item in data["knowledge_check"])


def test_a_2026_1_result_has_no_file_copy(client, version):
    token = take(client)
    assert client.get(reverse("assessments:results-copy", args=[token])).status_code == 404
    assert "resultats.json" not in page(client, token)
