"""Class codes on the home page and class links."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment, Cohort
from tests.utils import text

from .journey import start


@pytest.fixture
def cohort(db):
    adviser = get_user_model().objects.create_user("prof", password="x")
    return Cohort.objects.create(owner=adviser, name="Terminale ST2S 2", code="K7MQ2P")


def test_a_class_link_prefills_the_code(client, cohort, version):
    page = text(client.get(reverse("assessments:join", args=["k7mq2p"])))
    assert 'value="K7MQ2P"' in page
    assert "Tu rejoins le groupe « Terminale ST2S 2 »" in page


def test_a_class_code_links_the_attempt_to_its_cohort(client, cohort, version):
    token = start(client, code="k7-mq 2p")
    assert Assessment.objects.by_token(token).get().cohort == cohort


def test_an_unknown_class_link_says_so_and_lets_the_student_start(client, version):
    response = client.get(reverse("assessments:join", args=["NOPE42"]))
    assert response.status_code == 404
    page = text(response)
    assert "Ce lien de classe n'existe pas ou n'est plus actif" in page
    assert "Commencer le questionnaire" in page


def test_an_archived_code_is_refused_and_starting_without_it_works(client, cohort, version):
    cohort.archived_at = timezone.now()
    cohort.save()
    response = client.post(reverse("assessments:start"), {"class_code": "K7MQ2P"})
    assert response.status_code == 400
    page = text(response)
    assert "n'existe pas ou n'est plus actif" in page
    assert "Commencer sans code" in page
    assert not Assessment.objects.exists()
    response = client.post(
        reverse("assessments:start"), {"class_code": "K7MQ2P", "without_code": "1"}
    )
    assert response.status_code == 302
    assert Assessment.objects.get().cohort is None


def test_an_archived_class_link_is_refused(client, cohort, version):
    cohort.archived_at = timezone.now()
    cohort.save()
    assert client.get(reverse("assessments:join", args=["K7MQ2P"])).status_code == 404


def test_a_wrong_class_code_is_announced_at_the_top_with_the_error_in_the_title(client, version):
    response = client.post(reverse("assessments:start"), {"class_code": "ZZZZZZ"})
    html = text(response)
    assert response.status_code == 400
    assert "<title>Erreur :" in html
    summary = html.index('id="error-summary"')
    assert summary < html.index("<h1")
    assert "autofocus" in html[summary - 200 : summary + 200]
    assert 'href="#id_class_code"' in html
    # The language switch of this page returns to the home page by GET, not to the POST-only URL.
    assert f'name="next" value="{reverse("home")}"' in html


def test_the_home_page_promises_the_current_version_s_length(client, second_version):
    html = text(client.get(reverse("home")))
    assert "environ 15 minutes, en 5 étapes et 94 questions" in html
    assert "quelques questions « vrai ou faux »" in html
