"""Keeping control: share and revoke, delete for real, retake and compare."""

from django.urls import reverse

from assessments.models import CODE_ALPHABET, Answer, Assessment, DailyTally, ExpectationScore
from tests.utils import text

from .journey import answer_step, complete, consistent, content_for, step_url, take


def test_sharing_creates_a_short_code_and_revoking_removes_it(client, version):
    token = take(client)
    response = client.post(reverse("assessments:share", args=[token]), follow=True)
    assessment = Assessment.objects.by_token(token).get()
    code = assessment.share_code
    assert len(code) == 8 and set(code) <= set(CODE_ALPHABET)
    assert f"Ton code de partage est {code}" in text(response)
    assert "Désactiver le partage" in text(response)

    response = client.post(reverse("assessments:revoke", args=[token]), follow=True)
    assessment.refresh_from_db()
    assert assessment.share_code is None
    assert "le code ne fonctionne plus" in text(response)
    assert code not in text(response)


def test_an_unfinished_attempt_cannot_be_shared(client, version):
    from .journey import start

    token = start(client)
    client.post(reverse("assessments:share", args=[token]))
    assert Assessment.objects.by_token(token).get().share_code is None


def test_deleting_asks_first_then_removes_everything(client, version):
    token = take(client)
    client.post(reverse("assessments:share", args=[token]))
    page = text(client.get(reverse("assessments:delete", args=[token])))
    assert "Oui, tout supprimer" in page
    assert Assessment.objects.exists()

    response = client.post(reverse("assessments:delete", args=[token]), follow=True)
    assert "ont été supprimés définitivement" in text(response)
    assert not Assessment.objects.exists()
    assert not Answer.objects.exists()
    assert not ExpectationScore.objects.exists()
    assert client.get(reverse("assessments:results", args=[token])).status_code == 404


def test_a_retake_is_linked_and_shows_the_change_per_attendu(client, version):
    first = take(client, value=lambda item: 3)
    response = client.post(reverse("assessments:retake", args=[first]))
    second = response["Location"].split("/q/")[1].split("/")[0]
    assert response["Location"] == step_url(second, 1)
    previous = Assessment.objects.by_token(first).get()
    retake = Assessment.objects.by_token(second).get()
    assert retake.previous == previous

    for number in range(1, len(content_for(second).steps) + 1):
        answer_step(client, second, number, value=consistent)
    page = text(client.get(reverse("assessments:results", args=[second])))
    assert "Depuis la dernière fois" in page
    assert "+25" in page  # every attendu went from 50 to 75


def retake(client, token):
    response = client.post(reverse("assessments:retake", args=[token]))
    return response["Location"].split("/")[2]


def test_deleting_erases_every_attempt_of_the_chain_and_says_so(client, version):
    first = take(client)
    second = retake(client, first)
    complete(client, second)
    third = retake(client, second)
    for token in (first, second):
        client.post(reverse("assessments:share", args=[token]))
    assert Assessment.objects.exclude(share_code=None).count() == 2
    page = text(client.get(reverse("assessments:delete", args=[third])))
    assert "tes 3 passations seront toutes effacées" in page

    response = client.post(reverse("assessments:delete", args=[third]), follow=True)
    assert "avec ceux de tes autres passations et tes codes de partage" in text(response)
    assert not Assessment.objects.exists() and not Answer.objects.exists()
    assert not ExpectationScore.objects.exists()
    assert not DailyTally.objects.exclude(n=0).exists()  # the national counts forget them too
    for token in (first, second, third):
        assert client.get(reverse("assessments:results", args=[token])).status_code == 404


def test_deleting_from_an_earlier_link_erases_the_later_attempts_too(client, version):
    other = take(client)  # another student's attempt stays
    first = take(client)
    second = retake(client, first)
    client.post(reverse("assessments:delete", args=[first]))
    assert not Assessment.objects.by_token(second).exists()
    assert Assessment.objects.by_token(other).exists()


def test_a_double_clicked_share_shows_one_working_code(client, version):
    token = take(client)
    pages = [
        text(client.post(reverse("assessments:share", args=[token]), follow=True))
        for _click in range(2)
    ]
    code = Assessment.objects.by_token(token).get().share_code
    assert all(f"Ton code de partage est {code}" in page for page in pages)
    client.post(reverse("assessments:revoke", args=[token]))
    client.post(reverse("assessments:share", args=[token]))
    assert Assessment.objects.by_token(token).get().share_code not in (None, code)


def test_keeping_actions_need_a_post(client, version):
    token = take(client)
    for name in ("share", "revoke", "retake"):
        assert client.get(reverse(f"assessments:{name}", args=[token])).status_code == 405
