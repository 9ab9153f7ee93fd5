"""Helpers to take the questionnaire through the real views, as a browser would."""

import re

from django.urls import reverse

from assessments.models import Assessment
from orientation.models import QuestionnaireVersion
from orientation.outline import questionnaire_content

from .factories import consistent

TOKEN = re.compile(r"/q/([A-Za-z0-9_-]+)/")


def start(client, code=""):
    response = client.post(reverse("assessments:start"), {"class_code": code})
    assert response.status_code == 302, (response.status_code, response.get("Location"))
    return TOKEN.search(response["Location"]).group(1)


def content_for(token):
    return questionnaire_content(Assessment.objects.by_token(token).get().version)


def current_content():
    return questionnaire_content(QuestionnaireVersion.objects.current())


def step_url(token, number):
    return reverse("assessments:step", args=[token, number])


def step_data(step, value=consistent):
    return {item.code: value(item) for item in step.items}


def answer_step(client, token, number, value=consistent, **extra):
    step = content_for(token).step(number)
    return client.post(step_url(token, number), step_data(step, value) | extra)


def complete(client, token, value=consistent):
    for number in range(1, len(content_for(token).steps) + 1):
        response = answer_step(client, token, number, value)
        assert response.status_code == 302
    return response


def take(client, value=consistent, code=""):
    token = start(client, code)
    complete(client, token, value)
    return token
