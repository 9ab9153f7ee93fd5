"""Attempts made through the real services, and bulk copies when many are needed."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from assessments import blocks
from assessments.accounts import advisers_group
from assessments.models import Answer, Assessment, Block, CategoryScore, Cohort, ExpectationScore
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
    """« Plutôt d'accord » with every strength: 75 points on every statement; a knowledge
    question answered right."""
    if item.is_knowledge:
        return item.correct
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


def copies(model, count, *, cohort=None, answers=None, bare=False):
    """`count` more completed attempts like `model`, stored in bulk as the services would have
    stored them: its scores, and their places in their class's blocks. The one way the tests
    make many attempts.

    `model` may be unsaved (`Assessment(version=…, completed_at=…, result={})`), to make attempts
    of a version no student can take, such as a draft. `answers` stores answers too: one
    {item id: value} for every copy, or a list of them, one per copy. `bare` makes only the
    attempt rows, inserted by the database itself: about a second for 100,000, where
    `bulk_create` takes a minute on PostgreSQL."""
    if bare:
        return _copy_rows_in_database(model, count)
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
    scores = list(model.expectation_scores.all()) if model.pk else []
    categories = list(model.category_scores.all()) if model.pk else []
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
    if answers is not None:
        each = [answers] * count if isinstance(answers, dict) else answers
        Answer.objects.bulk_create(
            Answer(assessment=a, item_id=item, value=value)
            for a, given in zip(created, each, strict=True)
            for item, value in given.items()
        )
    copied = Assessment.objects.filter(pk__in=[a.pk for a in created])
    # Into their class's blocks, in order, as completing them one by one would have.
    blocks.place(Assessment, Block, copied, settings.MIN_GROUP_SIZE)
    return created


COPIED_COLUMNS = (
    "version_id, cohort_id, started_at, updated_at, completed_at, result, overall_score, "
    "top_track_id, flag_straight_lining, flag_too_fast, flag_contradictory"
)


def _copy_rows_in_database(model, count):
    if connection.vendor == "postgresql":
        sql = (
            f"INSERT INTO assessments_assessment (token_digest, {COPIED_COLUMNS}) "
            f"SELECT lpad(to_hex(n), 64, '0'), {COPIED_COLUMNS} "
            "FROM assessments_assessment, generate_series(1, %s) AS n WHERE id = %s"
        )
    else:
        sql = (
            "WITH RECURSIVE series(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM series "
            "WHERE n < %s) "
            f"INSERT INTO assessments_assessment (token_digest, {COPIED_COLUMNS}) "
            f"SELECT printf('%%064x', n), {COPIED_COLUMNS} "
            "FROM assessments_assessment, series WHERE id = %s"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [count, model.pk])
