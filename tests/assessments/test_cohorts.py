"""Cohorts: create, rename, archive, project; students appear only as counts."""

from django.urls import reverse

from assessments.models import CODE_ALPHABET, Cohort
from tests.utils import text

from .factories import adviser, cohort, completed_attempt, started_attempt


def logged_in(client, user):
    client.force_login(user)
    return client


def test_an_adviser_creates_a_cohort_with_a_join_code(client, version):
    user = adviser()
    logged_in(client, user)
    response = client.post(reverse("assessments:cohort-create"), {"name": "Terminale ST2S 2"})
    created = Cohort.objects.get()
    assert response["Location"] == reverse("assessments:cohort", args=[created.pk])
    assert (
        created.owner == user and len(created.code) == 6 and set(created.code) <= set(CODE_ALPHABET)
    )
    page = text(client.get(response["Location"]))
    assert "Terminale ST2S 2" in page and created.code in page


def test_a_cohort_needs_a_name(client, version):
    logged_in(client, adviser())
    response = client.post(reverse("assessments:cohort-create"), {"name": ""})
    assert response.status_code == 400
    assert not Cohort.objects.exists()


def test_renaming_and_archiving(client, version):
    user = adviser()
    group = cohort(user)
    logged_in(client, user)
    client.post(reverse("assessments:cohort-rename", args=[group.pk]), {"name": "Nouveau nom"})
    client.post(reverse("assessments:cohort-archive", args=[group.pk]))
    group.refresh_from_db()
    assert group.name == "Nouveau nom" and group.is_archived
    assert client.get(reverse("assessments:join", args=[group.code])).status_code == 404
    client.post(reverse("assessments:cohort-archive", args=[group.pk]))
    group.refresh_from_db()
    assert not group.is_archived


def test_the_projection_page_shows_code_link_and_qr_code(client, version):
    user = adviser()
    group = cohort(user, code="K7MQ2P")
    logged_in(client, user)
    page = text(client.get(reverse("assessments:cohort-project", args=[group.pk])))
    assert "K7MQ2P" in page
    assert "http://testserver/c/K7MQ2P/" in page
    assert 'src="data:image/svg+xml' in page
    assert 'alt="QR code qui ouvre http://testserver/c/K7MQ2P/"' in page


def test_an_archived_groups_projection_page_says_so_and_shows_no_code(client, version):
    user = adviser()
    group = cohort(user, code="K7MQ2P")
    logged_in(client, user)
    client.post(reverse("assessments:cohort-archive", args=[group.pk]))
    page = text(client.get(reverse("assessments:cohort-project", args=[group.pk])))
    assert "Ce groupe est archivé : son code ne permet plus de le rejoindre." in page
    assert "K7MQ2P" not in page and "data:image/svg+xml" not in page


def test_signing_out_lands_on_the_sign_in_page_which_says_so(client, version):
    user = adviser()
    logged_in(client, user)
    response = client.post(reverse("logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert "Vous êtes déconnecté." in text(response)


def test_students_appear_only_as_counts(client, version):
    user = adviser()
    group = cohort(user)
    completed_attempt(group)
    completed_attempt(group)
    started_attempt(group)
    logged_in(client, user)
    page = text(client.get(reverse("assessments:adviser-home")))
    row = page[page.index(group.name) :]
    assert "<td>3</td><td>2</td>" in row.replace(" ", "").replace("\n", "")
    assert "/q/" not in page


def test_an_empty_post_shows_the_error(client, version):
    logged_in(client, adviser())
    response = client.post(reverse("assessments:cohort-create"), {})
    assert response.status_code == 400
    assert "Ce champ est obligatoire" in text(response)
