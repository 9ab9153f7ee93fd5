"""Data does not outlive its purpose (QUALITY.md, privacy).

Completed attempts are deleted RETENTION_DAYS after completion; attempts never finished are
deleted ABANDONED_DAYS after their last save, since nobody is coming back for them; the log
of share-code lookups (only for rate limiting) is kept one day; staff login records (address and
browser, kept by django-axes for the lockout) LOGIN_LOG_DAYS; the audit log of adviser access
AUDIT_RETENTION_DAYS.
"""

from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import AdviserAccess, Assessment, ShareLookup

ABANDONED_DAYS = 30
LOOKUP_LOG_DAYS = 1
LOGIN_LOG_DAYS = 30


@transaction.atomic
def purge(*, now=None, dry_run=False):
    now = now or timezone.now()
    expired = Q(completed_at__lt=now - timedelta(days=settings.RETENTION_DAYS))
    abandoned = Q(completed_at__isnull=True, updated_at__lt=now - timedelta(days=ABANDONED_DAYS))
    lookups = ShareLookup.objects.filter(at__lt=now - timedelta(days=LOOKUP_LOG_DAYS))
    login_cutoff = now - timedelta(days=LOGIN_LOG_DAYS)
    logins = [
        AccessLog.objects.filter(attempt_time__lt=login_cutoff),
        AccessFailureLog.objects.filter(attempt_time__lt=login_cutoff),
        AccessAttempt.objects.filter(attempt_time__lt=login_cutoff),
    ]
    audit = AdviserAccess.objects.filter(at__lt=now - timedelta(days=settings.AUDIT_RETENTION_DAYS))
    counts = {
        "completed": Assessment.objects.filter(expired).count(),
        "abandoned": Assessment.objects.filter(abandoned).count(),
        "lookups": lookups.count(),
        "logins": sum(records.count() for records in logins),
        "audit": audit.count(),
    }
    if not dry_run:
        doomed = Assessment.objects.filter(expired | abandoned)
        # A retake of a deleted attempt stays, without its comparison.
        Assessment.objects.filter(previous__in=doomed).exclude(expired | abandoned).update(
            previous=None
        )
        doomed.delete()
        lookups.delete()
        for records in logins:
            records.delete()
        audit.delete()
    return counts
