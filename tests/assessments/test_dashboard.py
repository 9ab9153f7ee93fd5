"""Dashboards: right figures, nothing under the group threshold, fixed query counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import tallies
from assessments.models import Assessment
from orientation.services import clone_version, publish_version
from tests.utils import log_in_verified, plain, text

from .factories import adviser, cohort, completed_attempt, consistent, copies, started_attempt


@pytest.fixture
def owner(version):
    return adviser()


@pytest.fixture
def group(owner):
    return cohort(owner)


def dashboard(client, user, group=None, **params):
    log_in_verified(client, user)
    url = (
        reverse("assessments:cohort", args=[group.pk]) if group else reverse("assessments:overview")
    )
    return client.get(url, params)


def test_below_the_threshold_only_counts_show(client, owner, group, settings):
    for _n in range(settings.MIN_GROUP_SIZE - 1):
        completed_attempt(group)
    started_attempt(group)
    page = plain(dashboard(client, owner, group))
    assert "Moins de 10 questionnaires terminés" in page
    assert "10 questionnaires commencés" in page and "9 terminés" in page
    assert "Par attendu" not in page and "Exporter" not in page


def test_from_the_threshold_the_figures_show(client, owner, group, settings):
    def weak(item):
        return 1 if item.code.startswith("CG2") and not item.reverse_keyed else consistent(item)

    for n in range(settings.MIN_GROUP_SIZE):
        completed_attempt(group, value=weak if n < 4 else consistent)
    page = plain(dashboard(client, owner, group))
    assert "Moins de 10" not in page
    assert (
        "10 questionnaires commencés 10 terminés 100 % des questionnaires commencés sont terminés"
        in page
    )
    # CG2 has one reverse-keyed statement: 4 students at (0 + 0 + 75)/3 = 25, 6 at 75 → mean 55.
    assert "Culture générale et actualité 10 55,0 60 % 0 % 40 %" in page
    assert "Maîtrise du français 10 75,0 100 % 0 % 0 %" in page
    weakest = page[page.index("à travailler en priorité") :]
    assert weakest.index("CG2") < weakest.index("Formations suggérées")
    assert "Réponses contradictoires" in page and "Période par période" in page
    html = text(dashboard(client, owner, group))
    # Means as bar charts that say their values, per category and attendu; spread across bands.
    assert html.count('<figure class="hchart"') == 2 and html.count('<figure class="stacked"') == 2
    assert "<strong>55</strong> sur 100 · À consolider" in html
    assert "Répartition des élèves entre les repères, par attendu" in html


def test_the_dashboard_filters_by_dates(client, owner, group, settings):
    old = timezone.now() - timedelta(days=40)
    for _n in range(settings.MIN_GROUP_SIZE):
        completed_attempt(group, now=old)
    page = plain(
        dashboard(client, owner, group, date_from=(timezone.now() - timedelta(days=7)).date())
    )
    assert "Participation 0 questionnaires commencés" in page


def test_publishing_a_version_leaves_the_class_figures_in_place(
    client, owner, group, version, settings
):
    for _n in range(settings.MIN_GROUP_SIZE):
        completed_attempt(group)
    new = clone_version(version, code="2026-9")
    publish_version(new)
    page = plain(dashboard(client, owner, group))
    assert "Participation 10 questionnaires commencés 10 terminés" in page
    assert "Moins de 10" not in page and "Maîtrise du français 10 75,0" in page
    # The version filter narrows: the new version has none yet, the archived one has them all.
    narrowed = plain(dashboard(client, owner, group, version=new.pk))
    assert "Participation 0 questionnaires commencés" in narrowed
    assert "Participation 10 questionnaires commencés" in plain(
        dashboard(client, owner, group, version=version.pk)
    )
    # The export and the class report too.
    export = client.get(reverse("assessments:cohort-export-aggregates", args=[group.pk]))
    rows = b"".join(export.streaming_content).decode().splitlines()
    assert export.status_code == 200 and any(row.startswith("attendu;CG1;") for row in rows)
    report = plain(client.get(reverse("assessments:cohort-report", args=[group.pk])))
    assert "10 élèves ont terminé leur premier questionnaire" in report
    assert "Trois attendus à travailler ensemble" in report


def test_a_class_split_across_versions_reaches_the_minimum_as_one_class(
    client, owner, group, version, settings
):
    for _n in range(6):
        completed_attempt(group)
    publish_version(clone_version(version, code="2026-9"))
    for _n in range(settings.MIN_GROUP_SIZE - 6):
        completed_attempt(group)
    page = plain(dashboard(client, owner, group))
    assert "Participation 10 questionnaires commencés 10 terminés" in page
    assert "Moins de 10" not in page
    assert "plusieurs versions du questionnaire (2026-1, 2026-9)" in page
    assert "Maîtrise du français 10 75,0 100 % 0 % 0 %" in page
    assert "Affirmations différentes" not in page  # the clone kept every statement


def test_an_attendu_whose_statements_changed_says_so(client, owner, group, version, settings):
    from orientation.models import Item

    for _n in range(6):
        completed_attempt(group)
    new = clone_version(version, code="2026-9")
    item = Item.objects.filter(version=new, expectation__code="CG1").first()
    item.statement = "Une autre formulation de cette affirmation."
    item.save()
    publish_version(new)
    for _n in range(settings.MIN_GROUP_SIZE - 6):
        completed_attempt(group)
    page = plain(dashboard(client, owner, group))
    table = page[page.index("Moyenne par attendu et répartition") :]
    row = table[table.index("CG1 Maîtrise du français") :]
    assert row.startswith(
        "CG1 Maîtrise du français Affirmations différentes selon la version (2026-1, 2026-9)"
    )
    assert page.count("Affirmations différentes") == 1


def test_a_reversed_date_range_is_explained_and_shows_no_figures(client, owner, group, settings):
    for _n in range(settings.MIN_GROUP_SIZE):
        completed_attempt(group)
    response = dashboard(client, owner, group, date_from="2026-11-20", date_to="2026-11-01")
    assert response.status_code == 400
    page = plain(response)
    assert "La date de début doit précéder la date de fin" in page
    assert "Participation" not in page and "Par attendu" not in page


def test_the_overview_covers_the_advisers_cohorts_and_admins_see_all(
    client, owner, group, admin_user, settings
):
    other_group = cohort(adviser("autre"))
    for _n in range(settings.MIN_GROUP_SIZE):
        completed_attempt(group)
        completed_attempt(other_group)
    completed_attempt(None)
    tallies.rebuild()  # administrators read the national summary, counted each night
    assert "Participation 10 questionnaires commencés" in plain(dashboard(client, owner))
    assert "Participation 21 questionnaires commencés" in plain(dashboard(client, admin_user))


@pytest.mark.parametrize("stored", [10, 1000])
def test_query_counts_do_not_grow_with_the_data(
    client, owner, group, stored, django_assert_num_queries
):
    copies(completed_attempt(group), stored - 1)
    assert Assessment.objects.filter(cohort=group).count() == stored
    client.force_login(owner)
    url = reverse("assessments:cohort", args=[group.pk])
    client.get(url)
    # session, user, adviser check, cohort and its owner, versions (filter), blocks with
    # participation, flags, formations and trend, distributions per category and attendu, the
    # audit log:
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200
