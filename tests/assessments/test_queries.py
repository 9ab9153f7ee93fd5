"""Query counts per student page do not grow with the questionnaire or the stored data."""

import pytest
from django.urls import reverse

from assessments.models import Assessment
from orientation.models import Category, Expectation, Item, TrackWeight
from orientation.services import clone_version, publish_version

from .factories import copies
from .journey import answer_step, content_for, start, step_data, step_url, take

# Exact counts, pinned (QUALITY.md P3 allows a step 4 and results 6).
STEP_QUERIES = 1
RESULTS_QUERIES = 1


def small_version(version):
    """Publish a 20-statement version: one statement per attendu, two interests."""
    draft = clone_version(version, code="court")
    for expectation in Expectation.objects.filter(version=draft):
        extra = Item.objects.filter(expectation=expectation).order_by("position")[1:]
        Item.objects.filter(pk__in=[item.pk for item in extra]).delete()
    interests = Item.objects.filter(version=draft, category__kind=Category.Kind.INTERESTS)
    keep = list(interests.filter(code__in=["AS-2", "ALT-ASS"]).values_list("pk", flat=True))
    TrackWeight.objects.filter(version=draft).exclude(item_id__in=keep).delete()
    interests.exclude(pk__in=keep).delete()
    publish_version(draft)
    assert Item.objects.filter(version=draft).count() == 20
    return draft


def stored_attempts(client, count):
    """`count` completed attempts, copied in bulk from a real one."""
    copies(Assessment.objects.by_token(take(client)).get(), count - 1)


def get(client, url, django_assert_num_queries, queries):
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200, response.status_code


@pytest.mark.parametrize("size", ["20 items", "73 items"])
@pytest.mark.parametrize("stored", [10, 1000])
def test_query_counts_do_not_depend_on_size(
    client, version, size, stored, django_assert_num_queries
):
    if size == "20 items":
        small_version(version)
    stored_attempts(client, stored)

    token = start(client)
    client.get(step_url(token, 1))  # the published content is read once per process, then kept
    # the attempt by token joined to its answers
    get(client, step_url(token, 1), django_assert_num_queries, STEP_QUERIES)
    answer_step(client, token, 1)
    answer_step(client, token, 2)
    get(client, step_url(token, 3), django_assert_num_queries, STEP_QUERIES)

    token = take(client)
    url = reverse("assessments:results", args=[token])
    client.get(url)
    # attempt by token (with its previous attempt joined)
    get(client, url, django_assert_num_queries, RESULTS_QUERIES)


def test_exact_counts_of_a_2026_2_results_page_are_pinned(
    client, second_version, settings, django_assert_num_queries
):
    token = take(client)
    url = reverse("assessments:results", args=[token])
    client.get(url)
    # attempt by token (with its previous attempt joined), its answers (the statements behind
    # each band), and the measured reliability from the cache when the cache is a table
    in_database = settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache")
    get(client, url, django_assert_num_queries, 2 + in_database)


def test_showing_a_step_reads_the_attempt_and_its_answers_in_one_query(
    client, version, django_assert_num_queries
):
    token = start(client)
    answer_step(client, token, 1)
    with django_assert_num_queries(1):
        assert client.get(step_url(token, 2)).status_code == 200


def test_saving_a_step_is_one_read_and_two_writes(client, version, django_assert_num_queries):
    token = start(client)
    data = step_data(content_for(token).step(1))
    client.get(step_url(token, 1))
    # the state read; in one transaction (a savepoint inside the test's): the attempt touched
    # if unchanged since the read (the lock), the answers upserted
    with django_assert_num_queries(5):
        assert client.post(step_url(token, 1), data).status_code == 302


def test_completing_reads_nothing_the_step_state_did_not_hold(
    client, version, django_assert_num_queries
):
    token = start(client)
    content = content_for(token)
    steps = len(content.steps)
    for number in range(1, steps):
        answer_step(client, token, number)
    data = step_data(content.step(steps))
    # the state read (started_at included: no deferred field loads later); in one
    # transaction: the attempt completed if unchanged since the read (the lock), the
    # answers upserted, its attendu and category scores
    with django_assert_num_queries(7):
        response = client.post(step_url(token, steps), data)
    assert response["Location"] == reverse("assessments:results", args=[token])
    assert Assessment.objects.by_token(token).get().result["duration_seconds"] >= 0
