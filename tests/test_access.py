"""Who may open what: every adviser- and object-scoped URL, for every kind of visitor.

The last test walks the URL configuration: a new adviser-space or private-link URL without a
case here fails the suite.
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from assessments.models import Assessment, Cohort
from tests.assessments.factories import adviser, cohort, completed_attempt
from tests.utils import plain

# name → (method, needs a cohort id)
ADVISER_URLS = {
    "adviser-home": ("get", False),
    "overview": ("get", False),
    "overview-export-aggregates": ("get", False),
    "overview-export-rows": ("get", False),
    "cohort-create": ("post", False),
    "shared-results": ("post", False),
    "shared-result": ("get", False),
    "cohort": ("get", True),
    "cohort-rename": ("post", True),
    "cohort-archive": ("post", True),
    "cohort-project": ("get", True),
    "cohort-export-aggregates": ("get", True),
    "cohort-report": ("get", True),
    "cohort-compare": ("get", True),
    "cohort-sharing": ("get", True),
    "cohort-invite": ("post", True),
    "cohort-remove-member": ("post", True),
    "cohort-handover": ("post", True),
    "two-factor": ("get", False),
    "two-factor-setup": ("post", False),
    "two-factor-verify": ("post", False),
    "two-factor-disable": ("post", False),
    "two-factor-recovery": ("post", False),
}
STAFF_URLS = {"item-quality": "version"}
TOKEN_URLS = {
    "resume": "get",
    "step": "get",
    "results": "get",
    "results-copy": "get",
    "share": "post",
    "revoke": "post",
    "delete": "post",
    "retake": "post",
}


@pytest.fixture
def owned(version):
    owner = adviser("proprietaire")
    group = cohort(owner, name="Groupe de la propriétaire")
    group.members.add(adviser("collegue"))
    return owner, group


def call(client, name, method, group=None, data=None):
    args = [group.pk] if group is not None else []
    if name == "shared-result":  # a shared result's page: an attempt and a key from its code
        args = [Assessment.objects.values_list("pk", flat=True).first() or 1, "0" * 32]
    if name == "cohort-remove-member":
        args.append(group.members.values_list("pk", flat=True).first() or group.owner_id)
    # A takeover attempt names its author as the colleague to invite or hand the class to.
    data = {**(data or {}), "invite-username": "autre", "handover-username": "autre"}
    return getattr(client, method)(reverse(f"assessments:{name}", args=args), data)


def unchanged(group):
    fresh = Cohort.objects.get(pk=group.pk)
    return (
        fresh.name == group.name
        and fresh.archived_at == group.archived_at
        and fresh.owner_id == group.owner_id
        and set(fresh.members.values_list("username", flat=True)) == {"collegue"}
    )


@pytest.mark.parametrize("name", ADVISER_URLS)
def test_anonymous_visitors_and_students_are_sent_to_login(client, owned, name):
    _owner, group = owned
    method, scoped = ADVISER_URLS[name]
    completed_attempt(group)  # a student of this cohort, holding only their private link
    response = call(client, name, method, group if scoped else None, {"name": "Piraté"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert unchanged(group) and Cohort.objects.count() == 1


@pytest.mark.parametrize("name", ADVISER_URLS)
def test_a_logged_in_user_who_is_not_an_adviser_is_refused(client, owned, name):
    _owner, group = owned
    method, scoped = ADVISER_URLS[name]
    client.force_login(get_user_model().objects.create_user("eleve", password="x"))
    response = call(client, name, method, group if scoped else None, {"name": "Piraté"})
    assert response.status_code == 403
    assert unchanged(group) and Cohort.objects.count() == 1


@pytest.mark.parametrize("name", [n for n, (_m, scoped) in ADVISER_URLS.items() if scoped])
def test_another_adviser_cannot_open_or_change_a_cohort(client, owned, name):
    _owner, group = owned
    method, _scoped = ADVISER_URLS[name]
    client.force_login(adviser("autre"))
    response = call(client, name, method, group, {"name": "Piraté"})
    assert response.status_code == 404
    assert unchanged(group)


def test_another_adviser_sees_none_of_a_cohort_in_lists(client, owned, settings):
    _owner, group = owned
    for _n in range(settings.MIN_GROUP_SIZE):
        completed_attempt(group)
    client.force_login(adviser("autre"))
    assert group.name not in client.get(reverse("assessments:adviser-home")).content.decode()
    assert "Participation 0 questionnaires commencés" in plain(
        client.get(reverse("assessments:overview"))
    )


@pytest.mark.parametrize("name", STAFF_URLS)
def test_the_item_quality_report_is_for_administrators_only(
    client, admin_client, owned, version, name
):
    url = reverse(f"assessments:{name}", args=[version.pk])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(owned[0])
    assert client.get(url).status_code == 403  # signed in, not staff: refused, not sent to log in
    assert admin_client.get(url).status_code == 200


@pytest.mark.parametrize("name", TOKEN_URLS)
def test_a_private_link_opens_nothing_but_its_own_attempt(client, version, name):
    attempt = completed_attempt()
    before = Assessment.objects.values().get(pk=attempt.pk)
    args = ["Z" * 43] + ([1] if name == "step" else [])
    response = getattr(client, TOKEN_URLS[name])(reverse(f"assessments:{name}", args=args))
    assert response.status_code == 404
    assert Assessment.objects.values().get(pk=attempt.pk) == before
    assert Assessment.objects.count() == 1


def named_patterns(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{pattern.namespace}:" if pattern.namespace else ""
            yield from named_patterns(pattern.url_patterns, prefix + namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + pattern.name, str(pattern.pattern)


def test_every_adviser_or_private_link_url_has_an_access_test():
    covered = {f"assessments:{n}" for n in (*ADVISER_URLS, *STAFF_URLS, *TOKEN_URLS)}
    scoped = {
        name
        for name, route in named_patterns(get_resolver().url_patterns)
        if name.startswith("assessments:") and route.startswith(("conseiller/", "q/"))
    }
    assert scoped, "the URL walk found nothing: the test itself is broken"
    assert scoped - covered == set()
