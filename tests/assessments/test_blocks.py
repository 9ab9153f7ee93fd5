"""Class figures cannot be picked apart: every published figure is a union of whole blocks of at
least MIN_GROUP_SIZE students, so no two filters differ by fewer (QUALITY.md, privacy)."""

from datetime import date, timedelta
from itertools import combinations

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from assessments import stats
from assessments.models import Assessment
from orientation.outline import questionnaire_content
from tests.utils import log_in_verified, plain

from .factories import adviser, cohort, completed_attempt, started_attempt

MONDAY = date(2026, 9, 7)


@given(
    st.dictionaries(
        st.tuples(st.integers(1, 3), st.integers(1, 2)),
        st.lists(st.integers(0, 12), min_size=1, max_size=12),
        max_size=4,
    ),
    st.integers(1, 10),
)
def test_blocks_hold_enough_students_and_cover_each_week_once(weekly_counts, k):
    weekly = {
        key: [(MONDAY + timedelta(weeks=i), n, 50 * n) for i, n in enumerate(counts) if n]
        for key, counts in weekly_counts.items()
    }
    weekly = {key: weeks for key, weeks in weekly.items() if weeks}
    blocks = stats.build_blocks(weekly, k)
    for key, weeks in weekly.items():
        mine = [b for b in blocks if (b.cohort_id, b.version_id) == key]
        total = sum(n for _monday, n, _total in weeks)
        if total < k:
            assert mine == []  # too few in all: nothing published yet
            continue
        assert all(b.completed >= k for b in mine)
        assert sum(b.completed for b in mine) == total
        # Each week in exactly one block, blocks in order and not overlapping.
        for monday, _n, _total in weeks:
            assert sum(b.first_week <= monday <= b.last_week for b in mine) == 1
        assert mine[0].opens and mine[-1].closes
        assert all(a.last_week < b.first_week for a, b in zip(mine, mine[1:], strict=False))


def days_ago(n):
    return timezone.now() - timedelta(days=n)


@pytest.fixture
def spread(version):
    """A class whose 24 students started on scattered days over five weeks, one of them alone
    on its day and in its week, and a few questionnaires left unfinished."""
    owner = adviser()
    group = cohort(owner)
    plan = [34] * 6 + [30] * 5 + [20] + [14] * 7 + [6] * 3 + [1, 0]
    for n in plan:
        completed_attempt(group, now=days_ago(n), minutes=5)
    started_attempt(group, now=days_ago(20))
    return owner, group


def published_ids(owner, group, date_from, date_to, version):
    figures = stats.figures_for(
        owner, cohort=group, version=version, date_from=date_from, date_to=date_to
    )
    board = stats.dashboard(figures, questionnaire_content(version))
    ids = set(figures.published().completed().values_list("pk", flat=True))
    assert board.counted == len(ids)  # the dashboard counts exactly the published students
    return ids


def test_no_two_date_filters_differ_by_fewer_than_the_minimum(spread, version, settings):
    owner, group = spread
    today = timezone.localdate()
    bounds = [None, *(today - timedelta(days=n) for n in range(0, 40, 1))]
    filters = [
        (start, end)
        for start in bounds
        for end in bounds
        if start is None or end is None or start <= end
    ]
    published = {f: frozenset(published_ids(owner, group, *f, version)) for f in filters}
    assert len(set(published.values())) > 1  # the filters do select different students
    for one, other in combinations(set(published.values()), 2):
        differing = len(one ^ other)
        assert differing == 0 or differing >= settings.MIN_GROUP_SIZE, (one, other)


def test_the_lonely_day_of_the_report_is_never_isolated(spread, version, settings):
    """The finding: 5–14 October (14 students) minus 5–15 October (15) gave one student."""
    owner, group = spread
    lonely_day = timezone.localdate(days_ago(20) - timedelta(minutes=5))
    before = published_ids(
        owner, group, lonely_day - timedelta(days=9), lonely_day - timedelta(days=1), version
    )
    with_it = published_ids(owner, group, lonely_day - timedelta(days=9), lonely_day, version)
    assert before == with_it or len(with_it - before) >= settings.MIN_GROUP_SIZE


def test_a_class_under_the_minimum_is_left_out_of_the_advisers_overview(version, settings):
    owner = adviser()
    big, small = cohort(owner, "Grande"), cohort(owner, "Petite")
    for _n in range(12):
        completed_attempt(big)
    for _n in range(3):
        completed_attempt(small)
    everything = stats.figures_for(owner, version=version)
    only_big = stats.figures_for(owner, cohort=big, version=version)
    assert set(everything.published().values_list("pk", flat=True)) == set(
        only_big.published().values_list("pk", flat=True)
    )
    board = stats.dashboard(everything, questionnaire_content(version))
    assert board.completed == 15 and board.counted == 12 and board.held_back == 3


def test_the_dashboard_says_what_is_held_back_and_how_dates_are_rounded(client, spread, version):
    owner, group = spread
    small = cohort(owner, "Petite")
    for _n in range(2):
        completed_attempt(small)
    log_in_verified(client, owner)
    from django.urls import reverse

    page = plain(client.get(reverse("assessments:overview")))
    assert "2 questionnaires terminés ne sont pas encore dans les résultats" in page
    day = (timezone.localdate() - timedelta(days=20)).isoformat()
    page = plain(
        client.get(
            reverse("assessments:cohort", args=[group.pk]), {"date_from": day, "date_to": day}
        )
    )
    assert "les dates choisies sont arrondies à des semaines entières" in page
    assert Assessment.objects.filter(cohort=group).count() == 25


def test_participation_covers_the_blocks_shown_so_nothing_is_negative(spread, version):
    owner, group = spread
    today = timezone.localdate()
    for first in range(0, 40, 3):
        day = today - timedelta(days=first)
        figures = stats.figures_for(
            owner, cohort=group, version=version, date_from=day, date_to=day
        )
        board = stats.dashboard(figures, questionnaire_content(version))
        assert board.held_back >= 0 and board.counted <= board.completed <= board.started
