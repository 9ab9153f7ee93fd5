"""An adviser reads a student's results only by the student's code, while it is active."""

from django.urls import reverse

from assessments.models import ShareLookup
from assessments.services import revoke_share, share_assessment
from tests.utils import text

from .factories import adviser, completed_attempt


def lookup(client, code):
    return client.post(reverse("assessments:shared-results"), {"code": code})


def test_a_shared_result_opens_read_only_by_its_code(client, version):
    attempt = completed_attempt()
    code = share_assessment(attempt)
    client.force_login(adviser())
    response = lookup(client, f"{code[:4].lower()}-{code[4:]}")
    page = text(response)
    assert response.status_code == 200
    assert "Tes résultats" in page and "Maîtrise du français" in page
    assert "Supprimer mes réponses" not in page and "Créer un code de partage" not in page
    assert "/q/" not in page  # the private link never reaches the adviser


def test_a_revoked_or_unknown_code_gives_the_same_answer(client, version):
    attempt = completed_attempt()
    code = share_assessment(attempt)
    revoke_share(attempt)
    client.force_login(adviser())
    revoked, unknown = lookup(client, code), lookup(client, "ZZZZZZZZ")
    assert revoked.status_code == unknown.status_code == 404
    message = "Aucun résultat partagé ne correspond à ce code."
    assert message in text(revoked) and message in text(unknown)


def test_guessing_is_rate_limited(client, version):
    code = share_assessment(completed_attempt())
    client.force_login(adviser())
    for n in range(10):
        assert lookup(client, f"WRONG{n:03d}").status_code == 404
    response = lookup(client, code)
    assert response.status_code == 429
    assert "Trop de codes incorrects" in text(response)
    assert ShareLookup.objects.filter(succeeded=False).count() == 10


def test_an_unfinished_attempt_cannot_be_read(client, version):
    from .factories import started_attempt

    attempt = started_attempt()
    attempt.share_code = "ABCDEFGH"
    attempt.save()
    client.force_login(adviser())
    assert lookup(client, "ABCDEFGH").status_code == 404


def test_an_empty_lookup_is_a_clear_refusal_not_a_crash(client, version):
    client.force_login(adviser())
    response = client.post(reverse("assessments:shared-results"), {})
    assert response.status_code == 404
    assert "Aucun résultat partagé ne correspond à ce code." in text(response)
