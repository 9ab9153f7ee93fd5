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
