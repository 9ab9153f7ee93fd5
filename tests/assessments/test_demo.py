"""seed_demo: refused in production; in development, data that looks real."""

import io

import pytest
from django.core.management import CommandError, call_command

from assessments.demo import seed_demo
from assessments.item_statistics import version_quality
from assessments.models import Assessment, Cohort


def test_seed_demo_refuses_to_run_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG=1"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not Cohort.objects.exists()


def test_seed_demo_creates_an_adviser_cohorts_and_realistic_answers(version, settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", "--attempts", "120", stdout=out)
    assert "demo / demo-conseiller-2026" in out.getvalue()
    assert Cohort.objects.filter(owner__username="demo").count() == 3
    firsts = Assessment.objects.filter(previous__isnull=True)
    assert 90 <= firsts.completed().count() < 120 and firsts.count() == 120
    # Some take it again later in the year, for the before/after of their class.
    assert 15 <= Assessment.objects.filter(previous__isnull=False).completed().count() <= 50
    for group in Cohort.objects.all():
        assert group.size == group.assessments.filter(previous__isnull=True).count() + 3
    report = version_quality(version)
    for _step, scale in report["categories"]:
        assert scale.alpha > 0.6  # a latent trait behind the answers makes them consistent


def test_seed_demo_can_run_twice(version):
    seed_demo(attempts=5)
    seed_demo(attempts=5)
    assert Cohort.objects.count() == 3
