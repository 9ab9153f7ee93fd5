"""Class figures cannot be picked apart (assessments/blocks.py): every figure an adviser sees is
a sum of whole closed blocks of at least MIN_GROUP_SIZE first questionnaires, whose membership
never changes once closed; so no two filters, and no two moments, differ by fewer students."""

from datetime import timedelta
from itertools import combinations
from uuid import uuid4

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from assessments import blocks, stats
from assessments.models import Assessment, Block
from assessments.services import delete_assessment, start_assessment
from orientation.outline import questionnaire_content
from tests.utils import examples, log_in_verified, plain

from .factories import adviser, cohort, completed_attempt, consistent, started_attempt
from .journey import complete, take


def days_ago(n):
    return timezone.now() - timedelta(days=n)


def figures(owner, version, group=None, date_from=None, date_to=None):
    return stats.figures_for(
        owner, cohort=group, version=version, date_from=date_from, date_to=date_to
    )


def published_ids(owner, version, group=None, date_from=None, date_to=None):
    found = figures(owner, version, group, date_from, date_to)
    board = stats.dashboard(found, questionnaire_content(version))
    ids = frozenset(found.published().completed().values_list("pk", flat=True))
    assert board.counted == len(ids)  # the dashboard counts exactly the questionnaires shown
    return ids


def test_a_block_closes_at_the_minimum_and_the_next_one_waits(version, settings):
    owner = adviser()
    group = cohort(owner)
    for _n in range(settings.MIN_GROUP_SIZE + 3):
        completed_attempt(group)
    first, second = Block.objects.filter(cohort=group).order_by("number")
    assert first.closed_at is not None and first.members.count() == settings.MIN_GROUP_SIZE
    assert second.closed_at is None and second.members.count() == 3
    board = stats.dashboard(figures(owner, version, group), questionnaire_content(version))
    assert board.completed == 13 and board.counted == 10 and board.held_back == 3


def test_a_completion_joins_the_next_block_when_others_filled_the_one_it_saw_opening(
    version, settings, monkeypatch
):
    """A whole class completing at once (found under load on PostgreSQL): the block this
    completion tried to open was opened by another, then filled and closed by others before
    it could be read. The completion opens the next one instead of failing."""
    from django.db import IntegrityError

    owner = adviser()
    group = cohort(owner)
    # What the others left: the block they opened and filled, closed.
    Block.objects.create(cohort=group, retake=False, number=1, closed_at=timezone.now())
    create = blocks._create
    raced = []

    def others_were_faster(cohort_id, retake):
        if not raced:  # this completion's insert lost to theirs
            raced.append(True)
            raise IntegrityError("one_open_block_a_class")
        return create(cohort_id, retake)

    monkeypatch.setattr(blocks, "_create", others_were_faster)
    attempt = completed_attempt(group)
    attempt.refresh_from_db()
    assert attempt.completed_at is not None
    assert attempt.block.number == 2 and attempt.block.closed_at is None
    assert raced == [True]


def test_a_late_completion_never_moves_anyone_between_blocks(version, settings):
    """The attacker's case: a student who started weeks ago finishes now; before, blocks were
    rebuilt by start week and another student's scores could be solved for."""
    settings.MIN_GROUP_SIZE = 3
    owner = adviser()
    group = cohort(owner)
    late = started_attempt(group, now=days_ago(30))
    for n in (29, 28, 22, 15, 14, 8):
        completed_attempt(group, now=days_ago(n), minutes=5)
    before = {b.pk: set(b.members.values_list("pk", flat=True)) for b in Block.objects.all()}
    shown_before = published_ids(owner, version, group)
    content = questionnaire_content(version)
    from assessments.services import save_step

    save_step(late, {item.pk: consistent(item) for item in content.items})
    after = {b.pk: set(b.members.values_list("pk", flat=True)) for b in Block.objects.all()}
    for pk, members in before.items():
        if Block.objects.get(pk=pk).closed_at is not None:
            assert after[pk] == members
    shown_after = published_ids(owner, version, group)
    assert shown_before <= shown_after
    assert len(shown_after - shown_before) in (0, 3, 4, 5)  # a whole new block or nothing


@hypothesis_settings(
    max_examples=examples(12),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.integers(0, 34), min_size=4, max_size=16))
def test_no_two_moments_or_filters_differ_by_fewer_than_the_minimum(version, settings, days):
    settings.MIN_GROUP_SIZE = 3
    owner = adviser(f"c-{uuid4().hex[:12]}")  # examples share the test's database
    group = cohort(owner)
    today = timezone.localdate()
    bounds = [None, *(today - timedelta(days=n) for n in range(0, 36, 5))]
    filters = [(a, b) for a in bounds for b in bounds if a is None or b is None or a <= b]
    seen = set()
    for started in days:
        # Started on a random day, completed now: in completion order, as in a real class.
        attempt, _token = start_assessment(cohort=group, now=days_ago(started))
        content = questionnaire_content(version)
        from assessments.services import save_step

        save_step(attempt, {item.pk: consistent(item) for item in content.items})
        seen |= {published_ids(owner, version, group, *f) for f in filters}
    for one, other in combinations(seen, 2):
        assert len(one ^ other) == 0 or len(one ^ other) >= settings.MIN_GROUP_SIZE


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


# 861 pairs of dates, each read as the class page would: the longest test of `make test`
# otherwise; the lonely-day test below keeps the finding in the everyday suite.
@pytest.mark.slow
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
    published = {f: published_ids(owner, version, group, *f) for f in filters}
    assert len(set(published.values())) > 1  # the filters do select different students
    for one, other in combinations(set(published.values()), 2):
        differing = len(one ^ other)
        assert differing == 0 or differing >= settings.MIN_GROUP_SIZE, (one, other)


def test_the_lonely_day_of_the_report_is_never_isolated(spread, version, settings):
    """The finding: 5–14 October (14 students) minus 5–15 October (15) gave one student."""
    owner, group = spread
    lonely_day = timezone.localdate(days_ago(20) - timedelta(minutes=5))
    since = lonely_day - timedelta(days=9)
    before = published_ids(owner, version, group, since, lonely_day - timedelta(days=1))
    with_it = published_ids(owner, version, group, since, lonely_day)
    assert before == with_it or len(with_it ^ before) >= settings.MIN_GROUP_SIZE


def test_a_class_under_the_minimum_is_left_out_of_the_advisers_overview(version):
    owner = adviser()
    big, small = cohort(owner, "Grande"), cohort(owner, "Petite")
    for _n in range(12):
        completed_attempt(big)
    for _n in range(3):
        completed_attempt(small)
    assert published_ids(owner, version) == published_ids(owner, version, big)
    board = stats.dashboard(figures(owner, version), questionnaire_content(version))
    assert board.completed == 15 and board.counted == 10 and board.held_back == 5


def test_retakes_never_pad_a_class(client, version, settings):
    """The attacker's padding: one questionnaire, then retakes, each a new completed attempt
    in the class. Only first questionnaires count, so retakes add nobody."""
    owner = adviser()
    group = cohort(owner)
    for _n in range(settings.MIN_GROUP_SIZE - 1):
        completed_attempt(group)
    token = take(client, code=group.code)
    for _n in range(4):
        response = client.post(reverse("assessments:retake", args=[token]))
        token = response["Location"].split("/")[2]
        complete(client, token)
    assert Assessment.objects.filter(cohort=group).completed().count() == 14
    board = stats.dashboard(figures(owner, version, group), questionnaire_content(version))
    assert board.counted == 10  # the nine others and the first questionnaire, once
    # Retakes fill blocks of their own (for before/after), never a block of first ones.
    assert not Assessment.objects.filter(previous__isnull=False, block__retake=False).exists()
    assert Assessment.objects.filter(previous__isnull=False, block__retake=True).count() == 4


def test_a_retake_does_not_rejoin_an_archived_class(client, version):
    owner = adviser()
    group = cohort(owner)
    token = take(client, code=group.code)
    group.archived_at = timezone.now()
    group.save()
    response = client.post(reverse("assessments:retake", args=[token]))
    retake = Assessment.objects.by_token(response["Location"].split("/")[2]).get()
    assert retake.cohort is None


def test_a_deletion_hides_a_block_that_falls_under_the_minimum(version, settings):
    owner = adviser()
    group = cohort(owner)
    attempts = [completed_attempt(group) for _n in range(settings.MIN_GROUP_SIZE + 2)]
    shown = published_ids(owner, version, group)
    assert len(shown) == settings.MIN_GROUP_SIZE
    delete_assessment(attempts[0])
    assert published_ids(owner, version, group) == frozenset()  # hidden, never merged
    # The two waiting in the open block stay there: they never fill the hole.
    assert set(Block.objects.get(cohort=group, closed_at=None).members.all()) == set(attempts[-2:])


def test_participation_covers_the_blocks_shown_so_nothing_is_negative(spread, version):
    owner, group = spread
    today = timezone.localdate()
    for first in range(0, 40, 3):
        day = today - timedelta(days=first)
        board = stats.dashboard(
            figures(owner, version, group, day, day), questionnaire_content(version)
        )
        assert board.held_back >= 0 and board.counted <= board.completed <= board.started


def test_the_dashboard_says_what_waits_and_how_dates_are_rounded(client, spread, version):
    owner, group = spread
    log_in_verified(client, owner)
    page = plain(client.get(reverse("assessments:cohort", args=[group.pk])))
    assert "4 questionnaires terminés ne sont pas encore dans les résultats" in page
    day = (timezone.localdate() - timedelta(days=20)).isoformat()
    url = reverse("assessments:cohort", args=[group.pk])
    page = plain(client.get(url, {"date_from": day, "date_to": day}))
    assert "arrondies à des paquets entiers d'au moins 10 questionnaires" in page
