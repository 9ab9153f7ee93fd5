"""Synthetic data for trying the adviser side: a demo adviser, cohorts and a few hundred attempts.

Answers come from a simple latent-trait model, so dashboards and reliability figures look like
real data: each synthetic student has a general level and a level per category (correlated),
each statement a difficulty; an answer is 3 + 1.2 × (level − difficulty) + noise, rounded and
kept on the 1–5 scale, then reversed for reverse-keyed statements. Interests come from one
latent taste per family of formations, shifted by the cohort's profile.
"""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from orientation.content import SCALE_MAX, SCALE_MIN, keyed
from orientation.models import QuestionnaireVersion
from orientation.outline import questionnaire_content

from . import tallies
from .accounts import advisers_group
from .models import Cohort
from .services import save_step, start_assessment

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-conseiller-2026"
# Some students take the questionnaire again later in the year (before/after for a class).
RETAKE_SHARE, RETAKE_AFTER = 0.4, timedelta(weeks=5)
# Interest leanings per class, by 2026-1 statement family and by 2026-2 dimension.
COHORTS = [
    ("Terminale ST2S 1 (démo)", {"AS": 0.8, "ES": 0.5, "ACC": 0.8, "INS": 0.4, "EDU": 0.5}),
    ("Terminale générale 3 (démo)", {"ALT-UNI": 0.8, "VTD": 0.4, "UNI": 0.8, "TER": 0.4}),
    ("Première ST2S 2 (démo)", {"ASSC": 0.6, "ES": 0.6, "ANI": 0.6, "EDU": 0.6}),
]


def _family(item):
    # 2026-2 groups interest statements by dimension; 2026-1 by the code's prefix.
    if item.dimension:
        return item.dimension
    return item.code.rsplit("-", 1)[0] if not item.code.startswith("ALT-") else item.code


def _clamp(value):
    return max(SCALE_MIN, min(SCALE_MAX, round(value)))


def seed_demo(*, attempts=300, seed=2026, now=None):
    rng = random.Random(seed)
    now = now or timezone.now()
    adviser, created = get_user_model().objects.get_or_create(username=DEMO_USERNAME)
    if created:
        adviser.set_password(DEMO_PASSWORD)
        adviser.save()
    adviser.groups.add(advisers_group())
    cohorts = []
    for name, bias in COHORTS:
        cohort = Cohort.objects.filter(owner=adviser, name=name).first() or Cohort.objects.create(
            owner=adviser, name=name, code=Cohort.objects.free_code()
        )
        cohorts.append((cohort, bias))

    content = questionnaire_content(QuestionnaireVersion.objects.current())
    difficulty = {item.pk: rng.gauss(0, 0.5) for item in content.items}
    knowledge = {item.pk for item in content.items if item.is_knowledge}
    item_reversed = {item.pk: item.reverse_keyed for item in content.items}
    completed = 0
    # In date order, as classes take it: a class's blocks then cover periods of the year.
    starts = sorted(now - timedelta(days=rng.uniform(0, 56)) for _n in range(attempts))
    for started in starts:
        cohort, bias = rng.choice(cohorts)
        general = rng.gauss(0, 1)
        level = {step.code: 0.6 * general + 0.8 * rng.gauss(0, 1) for step in content.steps}
        taste = {}
        values = {}
        straight = rng.random() < 0.03
        for step in content.steps:
            for item in step.items:
                if item.is_knowledge:
                    # Right more often when the category's level is higher; else unsure.
                    right = rng.random() < 0.45 + 0.15 * level[step.code]
                    values[item.pk] = item.correct if right else rng.choice((3, 3 - item.correct))
                    continue
                if straight:
                    values[item.pk] = 3
                    continue
                if item.expectation is None:
                    family = _family(item)
                    if family not in taste:
                        taste[family] = rng.gauss(bias.get(family, 0), 1)
                    latent = taste[family]
                else:
                    latent = level[step.code]
                value = _clamp(3 + 1.2 * (latent - difficulty[item.pk]) + rng.gauss(0, 0.8))
                values[item.pk] = keyed(value, item.reverse_keyed)
        assessment, _token = start_assessment(cohort=cohort, now=started)
        if rng.random() < 0.1:
            # Some leave after the first step: they count as started, not completed.
            first = {item.pk: values[item.pk] for item in content.steps[0].items}
            save_step(assessment, first, now=started + timedelta(minutes=2))
            continue
        save_step(assessment, values, now=started + timedelta(minutes=rng.uniform(4, 15)))
        completed += 1
        if started + RETAKE_AFTER < now and rng.random() < RETAKE_SHARE:
            # Later in the year, after the class's workshops: a little further on each step.
            again, _token = start_assessment(previous=assessment, now=started + RETAKE_AFTER)
            better = {
                pk: _clamp(value + (-1 if item_reversed[pk] else 1) * (rng.random() < 0.35))
                for pk, value in values.items()
                if pk not in knowledge
            }
            better.update({pk: values[pk] for pk in knowledge})
            save_step(again, better, now=started + RETAKE_AFTER + timedelta(minutes=9))
            completed += 1
    for cohort, _bias in cohorts:
        # A class is a little larger than the students who started: some never do.
        started = cohort.assessments.filter(previous__isnull=True).count()
        Cohort.objects.filter(pk=cohort.pk).update(size=min(Cohort.MAX_SIZE, started + 3))
    with transaction.atomic():
        tallies.rebuild()  # what the nightly job does, so that the national figures show
    return adviser, [cohort for cohort, _bias in cohorts], completed
