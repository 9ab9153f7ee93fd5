"""A student's actions racing each other (two tabs, a double click): a clear 404, never a 500,
and nothing half-done (QUALITY.md R6)."""

import pytest
from django.urls import reverse

from assessments import services, views
from assessments.models import Assessment, DailyTally

from .journey import take


@pytest.fixture
def deleted_meanwhile(monkeypatch):
    """The attempt is read by the view, then deleted by another request before the write."""
    original = views._get_assessment

    def read_then_lose(token, *related):
        assessment = original(token, *related)
        services.delete_assessment(Assessment.objects.get(pk=assessment.pk))
        return assessment

    monkeypatch.setattr(views, "_get_assessment", read_then_lose)


@pytest.mark.parametrize("action", ["share", "revoke", "retake", "delete"])
def test_an_action_on_an_attempt_deleted_meanwhile_is_a_404(
    client, version, deleted_meanwhile, action
):
    token = take(client)
    response = client.post(reverse(f"assessments:{action}", args=[token]))
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()
    assert not Assessment.objects.exists()  # no retake pointing at nothing, nothing re-shared
    assert not DailyTally.objects.exclude(n=0).exists()  # counted out once, not twice


def test_services_refuse_an_attempt_that_is_gone(version, client):
    token = take(client)
    assessment = Assessment.objects.by_token(token).get()
    assert services.delete_assessment(assessment) == 1
    for action in (services.share_assessment, services.revoke_share):
        with pytest.raises(Assessment.DoesNotExist):
            action(assessment)
    with pytest.raises(Assessment.DoesNotExist):
        services.start_assessment(previous=assessment)
    assert services.delete_assessment(assessment) == 0
    assert not Assessment.objects.exists()
