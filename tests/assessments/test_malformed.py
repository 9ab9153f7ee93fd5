"""Bad input gets a clear message and a 4xx, never a 500, and nothing half-stored."""

import pytest
from django.urls import reverse

from assessments.models import Answer, Assessment
from orientation.models import Item
from orientation.services import clone_version
from tests.utils import text

from .journey import content_for, start, step_data, step_url


@pytest.fixture
def token(client, version):
    return start(client)


def post_step(client, token, **changes):
    data = step_data(content_for(token).step(1)) | changes
    return client.post(step_url(token, 1), data)


@pytest.mark.parametrize("value", ["0", "6", "-1", "abc", "4.5", " 4", "٣"])
def test_an_answer_off_the_scale_is_refused_whole(client, token, value):
    first = content_for(token).step(1).items[0]
    response = post_step(client, token, **{first.code: value})
    assert response.status_code == 400
    assert not Answer.objects.exists()
    assert "Il manque une réponse" in text(response)


def test_an_empty_answer_is_a_missing_one_and_the_others_are_kept(client, token):
    # Nothing chosen is what a browser sends for an unanswered question: the step is
    # incomplete, the answers given are stored and the page says which one is missing.
    step = content_for(token).step(1)
    response = post_step(client, token, **{step.items[0].code: ""})
    assert response.status_code == 200
    assert "Il manque une réponse" in text(response)
    stored = set(Answer.objects.values_list("item__code", flat=True))
    assert stored == {item.code for item in step.items[1:]}


def test_an_unknown_item_is_refused_whole(client, token):
    response = post_step(client, token, **{"ZZ-9": "3"})
    assert response.status_code == 400
    assert "qui ne sont pas sur cette page" in text(response)
    assert not Answer.objects.exists()


def test_an_item_of_another_step_is_refused_whole(client, token):
    other = content_for(token).step(2).items[0]
    response = post_step(client, token, **{other.code: "3"})
    assert response.status_code == 400
    assert not Answer.objects.exists()


def test_an_item_of_another_version_is_refused_whole(client, version, token):
    draft = clone_version(version, code="2026-2")
    cg1 = Item.objects.get(version=draft, code="CG1-a")
    Item.objects.create(
        version=draft,
        category=cg1.category,
        expectation=cg1.expectation,
        code="CG1-new",
        statement="Nouvelle affirmation",
    )
    response = post_step(client, token, **{"CG1-new": "3"})
    assert response.status_code == 400
    assert not Answer.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/q/{token}x/",
        "/q/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/etape/1/",
        "/q/short/etape/1/",
        "/q/{token}/etape/0/",
        "/q/{token}/etape/99999999999999999999/",
        "/q/../../etc/passwd/",
    ],
)
def test_a_tampered_link_is_a_clear_404(client, token, path):
    response = client.get(path.format(token=token))
    assert response.status_code == 404
    assert "Page introuvable" in text(response)


def test_a_post_to_a_tampered_link_stores_nothing(client, token):
    fake = "B" * 43
    data = step_data(content_for(token).step(1))
    assert client.post(step_url(fake, 1), data).status_code == 404
    assert not Answer.objects.exists()


def test_an_oversized_post_is_refused_with_a_message(client, token):
    data = step_data(content_for(token).step(1)) | {"padding": "x" * 300_000}
    response = client.post(step_url(token, 1), data)
    assert response.status_code == 413
    assert "Rien n'a été enregistré" in text(response)
    assert not Answer.objects.exists()


def test_too_many_fields_are_refused(client, token):
    data = step_data(content_for(token).step(1)) | {f"f{n}": "1" for n in range(500)}
    response = client.post(step_url(token, 1), data)
    assert response.status_code == 400
    assert not Answer.objects.exists()


def test_a_json_body_is_treated_as_an_empty_form(client, token):
    response = client.post(
        step_url(token, 1), data=b'{"CG1-a": 3}', content_type="application/json"
    )
    assert response.status_code == 200
    assert "Choisis une réponse pour chaque affirmation" in text(response)
    assert not Answer.objects.exists()


def test_a_repeated_field_keeps_a_single_valid_answer(client, token):
    step = content_for(token).step(1)
    data = step_data(step)
    body = "&".join(f"{code}={value}" for code, value in data.items()) + f"&{step.items[0].code}=9"
    response = client.post(
        step_url(token, 1), data=body, content_type="application/x-www-form-urlencoded"
    )
    # The last value wins, as in any Django form: 9 is off the scale, so nothing is stored.
    assert response.status_code == 400
    assert not Answer.objects.exists()


def test_starting_needs_a_post(client, version):
    assert client.get(reverse("assessments:start")).status_code == 405
    assert not Assessment.objects.exists()


def test_csrf_is_enforced_with_a_clear_page(version):
    from tests.utils import FormClient

    browser = FormClient(enforce_csrf_checks=True)
    response = browser.post(reverse("assessments:start"), {"class_code": ""})
    assert response.status_code == 403
    assert "La page a expiré" in text(response)
    assert not Assessment.objects.exists()
