"""The national dashboard reads daily tallies rebuilt by the scheduled job; once counted, they
must equal the attempts, and no student's action writes to them."""

import random
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from assessments import stats, tallies
from assessments.models import Assessment, DailyTally
from assessments.services import delete_assessment, save_step
from orientation.outline import questionnaire_content
from tests.utils import log_in_verified, plain

from .factories import adviser, cohort, completed_attempt, started_attempt


def national_and_live(version):
    """The dashboard from the tallies just counted, and the same dashboard computed from every
    attempt."""
    tallies.rebuild()
    content = questionnaire_content(version)
    live = stats.LiveFigures(Assessment.objects.filter(version=version))
    return (
        stats.dashboard(stats.TalliedFigures(version), content),
        stats.dashboard(live, content),
    )


def stored_tallies():
    return sorted(DailyTally.objects.exclude(n=0).values_list("day", "code", "n", "total"))


@pytest.fixture
def varied(version, settings):
    """Attempts over three weeks and two classes, answered at random, some left unfinished."""
    settings.MIN_GROUP_SIZE = 3
    rng = random.Random(7)
    groups = [cohort(adviser("a"), "A"), cohort(adviser("b"), "B"), None]
    now = timezone.now()
    attempts = []
    for n in range(24):
        when = now - timedelta(days=rng.randrange(21), hours=rng.randrange(12))
        attempts.append(
            completed_attempt(
                rng.choice(groups), value=lambda item: rng.randint(1, 5), now=when, minutes=n
            )
        )
    unfinished = [started_attempt(rng.choice(groups), now=now - timedelta(days=n)) for n in (1, 9)]
    content = questionnaire_content(version)
    save_step(unfinished[0], {item.pk: 3 for item in content.steps[0].items})
    return attempts


def test_the_national_dashboard_equals_the_figures_of_every_attempt(varied, version):
    national, live = national_and_live(version)
    assert not national.suppressed and national.completed == 24 and national.started == 26
    assert national == live
    assert len(national.weeks) >= 3


def test_deleting_and_purging_take_attempts_out_of_the_next_count(varied, version, settings):
    delete_assessment(varied[0])
    delete_assessment(varied[1])
    national, live = national_and_live(version)
    assert national.completed == 22 and national == live

    settings.RETENTION_DAYS = 10
    call_command("purge", stdout=StringIO())  # the scheduled job counts again after purging
    content = questionnaire_content(version)
    national = stats.dashboard(stats.TalliedFigures(version), content)
    live = stats.dashboard(stats.LiveFigures(Assessment.objects.all()), content)
    assert 0 < national.completed < 22 and national == live

    for attempt in Assessment.objects.all():
        delete_assessment(attempt)
    tallies.rebuild()
    assert stored_tallies() == []


def test_no_students_action_writes_to_the_summary(version):
    """Starting, completing and deleting never touch the tallies (they used to, inside the
    student's transaction)."""
    before = stored_tallies()
    attempt = completed_attempt()
    started_attempt()
    delete_assessment(attempt)
    assert stored_tallies() == before == []


def test_a_rebuild_counts_the_same_twice_and_says_when(varied):
    from assessments.models import SummaryBuild

    call_command("rebuild_tallies", stdout=StringIO())
    first = stored_tallies()
    call_command("rebuild_tallies", stdout=StringIO())
    assert stored_tallies() == first != []
    assert SummaryBuild.objects.count() == 1
    assert tallies.built() == SummaryBuild.objects.get().built_at


def test_counts_larger_than_one_statement_are_written_in_batches(version):
    day = timezone.localdate()
    counts = {(version.pk, day - timedelta(days=n)): {"started": [1, 0]} for n in range(2500)}
    tallies.apply(counts)
    tallies.apply(counts)
    assert DailyTally.objects.filter(n=2).count() == 2500


def test_the_date_filter_counts_attempts_by_the_day_they_were_started(varied, version):
    tallies.rebuild()
    since = timezone.localdate() - timedelta(days=7)
    content = questionnaire_content(version)
    live = stats.LiveFigures(
        Assessment.objects.filter(version=version, started_at__date__gte=since)
    )
    national = stats.dashboard(stats.TalliedFigures(version, date_from=since), content)
    assert national == stats.dashboard(live, content)
    assert national.started < 26


@pytest.mark.parametrize("stored", [12, 60])
def test_the_national_dashboard_costs_the_same_queries_at_any_size(
    client, admin_user, version, stored, django_assert_num_queries
):
    for _n in range(stored):
        completed_attempt()
    tallies.rebuild()
    log_in_verified(client, admin_user)
    url = reverse("assessments:overview")
    client.get(url)
    # session, user, versions (filter), when the summary was counted, its totals, the weekly
    # trend, the audit log:
    with django_assert_num_queries(7):
        page = plain(client.get(url))
    assert f"Participation {stored} questionnaires commencés" in page
    assert "Chiffres nationaux comptés le" in page


def test_the_national_dashboard_says_when_it_was_counted_and_what_is_missing(
    client, admin_user, version
):
    tallies.rebuild()
    completed_attempt()
    log_in_verified(client, admin_user)
    page = plain(client.get(reverse("assessments:overview")))
    assert "Participation 0 questionnaires commencés" in page
    assert "Chiffres nationaux comptés le" in page and "recomptés chaque nuit" in page
