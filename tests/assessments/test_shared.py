"""An adviser reads a student's results only by the student's code, while it is active: the
code is posted once, then the results are a page of their own, written for the adviser, that
lives as long as the share."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime

from assessments.exports import pseudonym
from assessments.models import AdviserAccess, Assessment, ShareLookup
from assessments.services import revoke_share, share_assessment
from config.redaction import redact
from tests.utils import FormClient, plain, text

from .factories import adviser, completed_attempt, started_attempt
from .journey import complete, take

NOT_FOUND = "Aucun résultat partagé ne correspond à ce code."
# What the student's own page says to the student, never the adviser's page.
STUDENT_WORDS = re.compile(
    r"\b(Tes résultats|Ton profil|Tes \d+ attendus|[Tt]u as répondu|Ta réponse|Tes points)\b"
)


def lookup(client, code):
    return client.post(reverse("assessments:shared-results"), {"code": code})


def opened(client, code):
    """The page a good code leads to, and its address."""
    response = lookup(client, code)
    assert response.status_code == 303, response.status_code
    url = response["Location"]
    return client.get(url), url


@pytest.fixture
def reader(client, db):
    client.force_login(adviser())
    return client


def student_share(student):
    """A student who took the questionnaire and shared it through their page: (token, code)."""
    token = take(student)
    student.post(reverse("assessments:share", args=[token]))
    return token, Assessment.objects.by_token(token).get().share_code


def test_a_good_code_leads_to_the_page_of_the_results(reader, version):
    attempt = completed_attempt()
    code = share_assessment(attempt)
    response = lookup(reader, f"{code[:4].lower()}-{code[4:]}")
    assert response.status_code == 303
    url = response["Location"]
    assert url.startswith("/conseiller/partages/")
    # The code itself never goes in an address (logs, history): a key derived from it.
    assert code not in url.upper()
    assert ShareLookup.objects.get().succeeded


def test_the_page_speaks_of_the_student_to_the_adviser(reader, version):
    attempt = completed_attempt()
    response, _url = opened(reader, share_assessment(attempt))
    page = plain(response)
    assert response.status_code == 200
    assert "Résultats partagés par un élève" in page
    assert "version 2026-1" in page and "Questionnaire terminé le" in page
    assert not STUDENT_WORDS.search(page), STUDENT_WORDS.search(page)
    # Each attendu with its code, band and score (rules 1 show scores), and what it means.
    assert "CG1 Maîtrise du français" in page
    assert re.search(
        r"CG1 Maîtrise du français « [^»]+ » Point d'appui \(proche du seuil\) 75 Un atout", page
    )
    assert "Les formations suggérées en premier, et pourquoi" in page
    assert "Pourquoi : les réponses qui ont le plus compté." in page
    assert "data-print" in text(response) and "js/print.js" in text(response)
    assert "Supprimer mes réponses" not in page and "Créer un code de partage" not in page
    assert "/q/" not in text(response)  # the private link never reaches the adviser


def test_the_address_is_kept_private(reader, version):
    response, _url = opened(reader, share_assessment(completed_attempt()))
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_the_address_never_reaches_a_log(reader, version):
    _response, url = opened(reader, share_assessment(completed_attempt()))
    key = url.rstrip("/").rsplit("/", 1)[-1]
    assert redact(f"GET {url} 200") == "GET /conseiller/partages/[masqué]/ 200"
    assert key not in redact(f"Referer: http://testserver{url}")


def test_results_of_rules_2_show_bands_intervals_and_the_verdict(reader, second_version):
    attempt = completed_attempt()
    assert attempt.result["rules"] == "2"
    response, _url = opened(reader, share_assessment(attempt))
    page = plain(response)
    assert response.status_code == 200
    assert "version 2026-2" in page and "Résultats partagés par un élève" in page
    assert not STUDENT_WORDS.search(page), STUDENT_WORDS.search(page)
    assert re.search(r"Compétences générales Point d'appui .{0,60}\(entre \d+ et \d+\)", page)
    assert "CG1 Maîtrise du français" in page and "Ses réponses" in page
    # An attendu of rules 2 has no score out of 100 (docs/method.md), only its band.
    assert "/100" not in page.split("Attendu par attendu")[1].split("Ses priorités")[0]
    # The knowledge check's answers stay the student's (« Personne d'autre ne voit ce résultat »).
    assert "Bonne réponse" not in page and "le détail des réponses reste à l'élève" in page
    # The same answer to every activity: no lean, and what the student is told to do about it.
    assert "Ses intérêts ne penchent pas encore vers une formation" in page
    assert "Sa page lui propose d'aller aux journées portes ouvertes" in page


def test_a_retake_is_compared_with_the_questionnaire_before(reader, second_version):
    student = FormClient()
    token = take(student)
    before = Assessment.objects.by_token(token).get().completed_at
    student.post(reverse("assessments:retake", args=[token]))
    complete(student, token)
    student.post(reverse("assessments:share", args=[token]))
    code = Assessment.objects.by_token(token).get().share_code
    response, _url = opened(reader, code)
    page = plain(response)
    day = date_format(localtime(before), "j F Y")
    assert page.count(f"Depuis le {day}") == 1 + 3  # the categories' table, and each category's
    assert page.count(" stable ") >= 3 + 17 and "en recul" not in page


def test_the_deass_caveat_is_said_with_the_formation(reader, second_version):
    def helping_people(item):
        if item.is_knowledge:
            return item.correct
        if item.expectation:
            return 2 if item.reverse_keyed else 4
        return 5 if item.dimension in ("ACC", "INS") else 2

    response, _url = opened(reader, share_assessment(completed_attempt(value=helping_people)))
    page = plain(response)
    assert "lui correspondent autant, sans que ses réponses permettent de les départager" in page
    assert "Celle qui ressort de ses intérêts" not in page and "À égalité avec d'autres" in page
    assert "À savoir (ce que sa page lui dit) : « Ce BUT ne donne pas le titre" in page
    assert "diplôme d'État d'assistant de service social (DEASS)" in page


def test_response_quality_is_explained_to_the_adviser(reader, version):
    hurried = completed_attempt(value=lambda item: 3, minutes=1)
    assert hurried.result["quality"]["too_fast"] and hurried.result["quality"]["straight_lining"]
    response, _url = opened(reader, share_assessment(hurried))
    page = plain(response)
    assert "Des réponses à reprendre avec l'élève" in page
    assert "L'élève a répondu très vite :" in page and "s par affirmation en moyenne" in page
    assert "la même réponse à toutes les affirmations de" in page
    assert "« Compétences générales »" in page
    assert "Tu as répondu très vite" not in page


def test_a_refresh_counts_no_lookup_and_every_opening_is_audited(reader, version):
    attempt = completed_attempt()
    first, url = opened(reader, share_assessment(attempt))
    again = reader.get(url)
    assert first.status_code == again.status_code == 200
    assert ShareLookup.objects.count() == 1
    assert (
        list(AdviserAccess.objects.values_list("username", "action", "target").order_by("at"))
        == [("conseillere", "shared_result", pseudonym(attempt.pk))] * 2
    )


def test_the_page_lives_as_long_as_the_share(reader, version):
    student = FormClient()
    token, code = student_share(student)
    _response, url = opened(reader, code)
    student.post(reverse("assessments:revoke", args=[token]))
    revoked = reader.get(url)
    assert revoked.status_code == 404 and NOT_FOUND in text(revoked)
    # Shared again: a new code, a new page; the old address stays closed.
    student.post(reverse("assessments:share", args=[token]))
    new_code = Assessment.objects.by_token(token).get().share_code
    assert new_code != code and reader.get(url).status_code == 404
    _response, new_url = opened(reader, new_code)
    student.post(reverse("assessments:delete", args=[token]))
    assert reader.get(new_url).status_code == 404


def test_other_advisers_may_open_the_address_and_nobody_else(client, version):
    attempt = completed_attempt()
    client.force_login(adviser())
    _response, url = opened(client, share_assessment(attempt))
    colleague = FormClient()
    colleague.force_login(adviser("collegue"))
    assert colleague.get(url).status_code == 200
    student = FormClient()
    student.force_login(get_user_model().objects.create_user("eleve", password="x"))
    assert student.get(url).status_code == 403
    anonymous = FormClient().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))
    assert AdviserAccess.objects.filter(action="shared_result").count() == 2


def test_a_wrong_address_is_a_failed_lookup(reader, version):
    attempt = completed_attempt()
    code = share_assessment(attempt)
    _response, url = opened(reader, code)
    wrong = reverse("assessments:shared-result", args=[attempt.pk, "0" * 32])
    for address in [wrong] * 9 + [reverse("assessments:shared-result", args=[999, "x" * 32])]:
        response = reader.get(address)
        assert response.status_code == 404 and NOT_FOUND in text(response)
    assert ShareLookup.objects.filter(succeeded=False).count() == 10
    assert lookup(reader, code).status_code == 429  # the same limit as codes typed wrong
    assert reader.get(url).status_code == 200  # a real address probes nothing: it still opens


def test_a_revoked_or_unknown_code_gives_the_same_answer(reader, version):
    attempt = completed_attempt()
    code = share_assessment(attempt)
    revoke_share(attempt)
    revoked, unknown = lookup(reader, code), lookup(reader, "ZZZZZZZZ")
    assert revoked.status_code == unknown.status_code == 404
    assert NOT_FOUND in text(revoked) and NOT_FOUND in text(unknown)


def test_guessing_is_rate_limited(reader, version):
    code = share_assessment(completed_attempt())
    for n in range(10):
        assert lookup(reader, f"WRONG{n:03d}").status_code == 404
    response = lookup(reader, code)
    assert response.status_code == 429
    assert "Trop de codes incorrects" in text(response)
    assert ShareLookup.objects.filter(succeeded=False).count() == 10


def test_an_unfinished_attempt_cannot_be_read(reader, version):
    attempt = started_attempt()
    attempt.share_code = "ABCDEFGH"
    attempt.save()
    assert lookup(reader, "ABCDEFGH").status_code == 404


def test_an_empty_lookup_is_a_clear_refusal_not_a_crash(reader, version):
    response = reader.post(reverse("assessments:shared-results"), {})
    assert response.status_code == 404
    assert NOT_FOUND in text(response)
