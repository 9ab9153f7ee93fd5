"""purge: old and abandoned attempts go; recent ones stay; --dry-run changes nothing."""

import io
from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from assessments.models import AdviserAccess, Answer, Assessment, ShareLookup
from assessments.retention import LOGIN_LOG_DAYS as RETENTION_LOGIN_DAYS
from assessments.retention import purge

from .factories import PASSWORD, adviser, completed_attempt, started_attempt


def test_purge_deletes_what_outlived_its_purpose(version, settings):
    now = timezone.now()
    old = completed_attempt(now=now - timedelta(days=settings.RETENTION_DAYS + 1))
    recent = completed_attempt(now=now - timedelta(days=settings.RETENTION_DAYS - 1))
    abandoned = started_attempt(now=now - timedelta(days=31))
    in_progress = started_attempt(now=now - timedelta(days=2))
    retake = completed_attempt(now=now)
    retake.previous = old
    retake.save()
    ShareLookup.objects.create(adviser=adviser(), at=now - timedelta(days=2))

    counts = purge(now=now)

    assert counts == {"completed": 1, "abandoned": 1, "lookups": 1, "logins": 0, "audit": 0}
    remaining = set(Assessment.objects.values_list("pk", flat=True))
    assert remaining == {recent.pk, in_progress.pk, retake.pk}
    assert not Answer.objects.filter(assessment_id__in=[old.pk, abandoned.pk]).exists()
    retake.refresh_from_db()
    assert retake.previous is None
    assert abandoned.pk not in remaining


def test_dry_run_counts_and_deletes_nothing(version, settings):
    completed_attempt(now=timezone.now() - timedelta(days=settings.RETENTION_DAYS + 5))
    out = io.StringIO()
    call_command("purge", "--dry-run", stdout=out)
    assert "Questionnaires terminés seraient supprimés : 1" in out.getvalue()
    assert Assessment.objects.count() == 1
    call_command("purge", stdout=out)
    assert Assessment.objects.count() == 0


def test_retention_follows_the_setting(version, settings):
    settings.RETENTION_DAYS = 30
    completed_attempt(now=timezone.now() - timedelta(days=31))
    assert purge()["completed"] == 1


def test_staff_login_records_and_the_audit_log_are_purged_in_time(client, version, settings):
    settings.AUDIT_RETENTION_DAYS = 90
    owner = adviser("prof")
    client.post(reverse("login"), {"username": "inconnu", "password": "mauvais"})
    client.post(reverse("login"), {"username": "prof", "password": PASSWORD})
    client.get(reverse("assessments:overview"))
    assert AccessAttempt.objects.filter(username="inconnu").exists()  # address, browser
    assert AccessLog.objects.filter(username="prof").exists()
    assert AdviserAccess.objects.filter(user=owner).count() == 1
    now = timezone.now()

    assert purge(now=now + timedelta(days=RETENTION_LOGIN_DAYS - 1))["logins"] == 0
    counts = purge(now=now + timedelta(days=RETENTION_LOGIN_DAYS + 1))
    assert counts["logins"] >= 2 and counts["audit"] == 0
    assert not AccessLog.objects.exists() and not AccessAttempt.objects.exists()
    assert not AccessFailureLog.objects.exists()
    assert AdviserAccess.objects.exists()
    assert purge(now=now + timedelta(days=91))["audit"] == 1
    assert not AdviserAccess.objects.exists()
