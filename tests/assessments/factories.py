"""Attempts made through the real services, and bulk copies when many are needed."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from assessments import blocks
from assessments.accounts import advisers_group
from assessments.models import Assessment, Block, CategoryScore, Cohort, ExpectationScore
from assessments.services import save_step, start_assessment
from orientation.models import QuestionnaireVersion
from orientation.outline import questionnaire_content

PASSWORD = "un-mot-de-passe-solide-2026"


def adviser(username="conseillere"):
    user = get_user_model().objects.create_user(username, password=PASSWORD)
    user.groups.add(advisers_group())
    return user


def cohort(owner, name="Terminale ST2S 1", code=None):
    return Cohort.objects.create(owner=owner, name=name, code=code or Cohort.objects.free_code())


def consistent(item):
    return 2 if item.reverse_keyed else 4


def completed_attempt(cohort=None, value=consistent, now=None, minutes=10):
    now = now or timezone.now()
    content = questionnaire_content(QuestionnaireVersion.objects.current())
    assessment, _token = start_assessment(cohort=cohort, now=now - timedelta(minutes=minutes))
    save_step(assessment, {item.pk: value(item) for item in content.items}, now=now)
    assessment.refresh_from_db()
    return assessment


def started_attempt(cohort=None, now=None):
    assessment, _token = start_assessment(cohort=cohort, now=now or timezone.now())
    return assessment


def copies(model, count, cohort=None):
    """`count` more completed attempts like `model`, stored in bulk (scores and class blocks
    included, as the services would)."""
    first = Assessment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    created = Assessment.objects.bulk_create(
        Assessment(
            token_digest=hashlib.sha256(f"copy-{first}-{n}".encode()).hexdigest(),
            version_id=model.version_id,
            cohort=cohort if cohort is not None else model.cohort,
            started_at=model.started_at,
            updated_at=model.completed_at,
            completed_at=model.completed_at,
            result=model.result,
            overall_score=model.overall_score,
            top_track_id=model.top_track_id,
            flag_straight_lining=model.flag_straight_lining,
            flag_too_fast=model.flag_too_fast,
            flag_contradictory=model.flag_contradictory,
        )
        for n in range(count)
    )
    scores = list(model.expectation_scores.all())
    categories = list(model.category_scores.all())
    ExpectationScore.objects.bulk_create(
        ExpectationScore(assessment=a, expectation_id=s.expectation_id, score=s.score, band=s.band)
        for a in created
        for s in scores
    )
    CategoryScore.objects.bulk_create(
        CategoryScore(assessment=a, category_id=s.category_id, score=s.score, band=s.band)
        for a in created
        for s in categories
    )
    copied = Assessment.objects.filter(pk__in=[a.pk for a in created])
    # Into their class's blocks, in order, as completing them one by one would have.
    blocks.place(Assessment, Block, copied, settings.MIN_GROUP_SIZE)
    return created
