"""Request guards (config/middleware.py): a busy database and staff caching."""

from django.db import OperationalError
from django.urls import reverse

from assessments import services
from tests.utils import plain


def test_a_database_still_locked_gives_a_503_that_says_to_retry(client, version, monkeypatch):
    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "start_assessment", locked)
    response = client.post(reverse("assessments:start"), {"class_code": ""})
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "réessaie dans un instant" in plain(response)
    assert response["X-Content-Type-Options"] == "nosniff"


def test_another_database_error_is_not_disguised(client, version, monkeypatch):
    def broken(**kwargs):
        raise OperationalError("no such table: assessments_assessment")

    monkeypatch.setattr(services, "start_assessment", broken)
    client.raise_request_exception = False
    assert client.post(reverse("assessments:start"), {"class_code": ""}).status_code == 500


def test_exports_are_never_cached(admin_client, version):
    response = admin_client.get(reverse("assessments:overview-export-aggregates"), follow=True)
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    response = admin_client.get(reverse("admin:index"))
    assert response["Cache-Control"] == "private, no-store, max-age=0"


def test_student_pages_keep_their_own_caching(client, version):
    assert "no-store" not in client.get(reverse("home")).get("Cache-Control", "")
