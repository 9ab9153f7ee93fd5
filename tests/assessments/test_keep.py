"""Keeping control: share and revoke, delete for real, retake and compare."""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from assessments.models import CODE_ALPHABET, Answer, Assessment, DailyTally, ExpectationScore
from tests.utils import text

from .factories import consistent
from .journey import answer_step, complete, content_for, step_url, take


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


def test_a_retake_keeps_the_private_link_and_lists_the_earlier_results(client, version):
    token = take(client, value=lambda item: 3)
    previous = Assessment.objects.by_token(token).get()
    response = client.post(reverse("assessments:retake", args=[token]))
    # The same link now leads to the new attempt; the earlier one hangs from it.
    assert response["Location"] == step_url(token, 1)
    retake = Assessment.objects.by_token(token).get()
    assert retake.pk != previous.pk and retake.previous == previous
    assert "Ton lien privé ne change pas" in text(client.get(step_url(token, 1)))

    for number in range(1, len(content_for(token).steps) + 1):
        answer_step(client, token, number, value=consistent)
    page = text(client.get(reverse("assessments:results", args=[token])))
    assert "Depuis la dernière fois" in page
    assert "+25" in page  # every attendu went from 50 to 75
    day = date_format(timezone.localtime(previous.completed_at), "j F Y")
    assert "Tes questionnaires précédents" in page and f"Le {day}" in page

    earlier = text(client.get(reverse("assessments:results", args=[token]) + "?passation=1"))
    assert f"Ce sont tes résultats du {day}, pas les derniers." in earlier
    assert "+25" not in earlier and "Créer un code de partage" not in earlier
    assert (
        client.get(reverse("assessments:results", args=[token]) + "?passation=2").status_code == 404
    )


def test_deleting_erases_every_attempt_of_the_chain_and_says_so(client, version):
    token = take(client)
    client.post(reverse("assessments:share", args=[token]))
    client.post(reverse("assessments:retake", args=[token]))
    complete(client, token)
    client.post(reverse("assessments:share", args=[token]))
    client.post(reverse("assessments:retake", args=[token]))
    assert Assessment.objects.count() == 3
    assert Assessment.objects.exclude(share_code=None).count() == 2
    third = token
    page = text(client.get(reverse("assessments:delete", args=[third])))
    assert "tes 3 passations seront toutes effacées" in page

    response = client.post(reverse("assessments:delete", args=[third]), follow=True)
    assert "avec ceux de tes autres passations et tes codes de partage" in text(response)
    assert not Assessment.objects.exists() and not Answer.objects.exists()
    assert not ExpectationScore.objects.exists()
    assert not DailyTally.objects.exclude(n=0).exists()  # the national counts forget them too
    assert client.get(reverse("assessments:results", args=[third])).status_code == 404


def test_deleting_a_retake_erases_the_earlier_attempts_and_nobody_else_s(client, version):
    other = take(client)  # another student's attempt stays
    token = take(client)
    client.post(reverse("assessments:retake", args=[token]))
    assert Assessment.objects.count() == 3
    client.post(reverse("assessments:delete", args=[token]))
    assert list(Assessment.objects.all()) == [Assessment.objects.by_token(other).get()]


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
