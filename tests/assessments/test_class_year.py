"""A class through the school year: its size, colleagues who follow it, its handover, and the
class report to print."""

import pytest
from django.urls import reverse

from assessments.models import AdviserAccess, Cohort
from tests.utils import plain

from .factories import adviser, cohort, completed_attempt


@pytest.fixture
def owner(version):
    return adviser("principale")


@pytest.fixture
def group(owner):
    return cohort(owner, name="Terminale ST2S 1")


def test_the_class_size_turns_participation_into_a_share_of_the_class(client, owner, group):
    client.force_login(owner)
    url = reverse("assessments:cohort-rename", args=[group.pk])
    response = client.post(url, {"name": "Terminale ST2S 1", "size": "30"})
    assert response.status_code == 302
    for _n in range(3):
        completed_attempt(group)
    page = plain(client.get(reverse("assessments:cohort", args=[group.pk])))
    assert "Participation : 3 / 30 élèves ont terminé leur premier questionnaire." in page


def test_a_class_size_out_of_range_is_refused_with_a_message(client, owner, group):
    client.force_login(owner)
    url = reverse("assessments:cohort-rename", args=[group.pk])
    response = client.post(url, {"name": "Terminale ST2S 1", "size": "0"})
    assert response.status_code == 400
    assert "supérieure ou égale à 1" in plain(response)
    group.refresh_from_db()
    assert group.size is None


def test_an_invited_colleague_reads_the_class_but_cannot_give_it_away(client, owner, group):
    psy_en = adviser("psy-en")
    client.force_login(owner)
    response = client.post(
        reverse("assessments:cohort-invite", args=[group.pk]), {"invite-username": "psy-en"}
    )
    assert response.status_code == 302
    assert list(group.members.all()) == [psy_en]
    assert AdviserAccess.objects.filter(
        action="sharing", target=f"{group.code} +psy-en", username="principale"
    ).exists()

    client.force_login(psy_en)
    home = plain(client.get(reverse("assessments:adviser-home")))
    assert "Terminale ST2S 1" in home
    page = client.get(reverse("assessments:cohort", args=[group.pk]))
    assert page.status_code == 200
    assert "Voir qui suit ce groupe" in plain(page)
    sharing = plain(client.get(reverse("assessments:cohort-sharing", args=[group.pk])))
    assert "principale, responsable du groupe" in sharing and "Inviter" not in sharing
    assert AdviserAccess.objects.filter(action="dashboard", username="psy-en").exists()
    for name in ("cohort-archive", "cohort-invite", "cohort-handover"):
        response = client.post(
            reverse(f"assessments:{name}", args=[group.pk]), {"handover-username": "psy-en"}
        )
        assert response.status_code == 403
    group.refresh_from_db()
    assert group.owner == owner and not group.is_archived


def test_inviting_someone_who_is_no_adviser_says_so_and_changes_nothing(client, owner, group):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("eleve", password="x")
    client.force_login(owner)
    for username in ("eleve", "personne", "principale"):
        response = client.post(
            reverse("assessments:cohort-invite", args=[group.pk]), {"invite-username": username}
        )
        assert response.status_code == 400
        page = plain(response)
        assert "Aucun conseiller n'a cet identifiant." in page or "déjà responsable" in page
    assert not group.members.exists()


def test_a_colleague_may_leave_a_class_and_the_owner_may_remove_them(client, owner, group):
    first, second = adviser("pp"), adviser("psy-en")
    group.members.add(first, second)
    client.force_login(first)
    client.post(reverse("assessments:cohort-remove-member", args=[group.pk, first.pk]))
    client.post(reverse("assessments:cohort-remove-member", args=[group.pk, second.pk]))
    assert list(group.members.all()) == [second]  # a colleague cannot remove another
    client.force_login(owner)
    client.post(reverse("assessments:cohort-remove-member", args=[group.pk, second.pk]))
    assert not group.members.exists()


def test_handing_a_class_over_at_the_end_of_the_year(client, owner, group, settings):
    for _n in range(settings.MIN_GROUP_SIZE):
        completed_attempt(group)
    successor = adviser("successeur")
    client.force_login(owner)
    response = client.post(
        reverse("assessments:cohort-handover", args=[group.pk]),
        {"handover-username": "successeur", "handover-keep_access": "on"},
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.owner == successor and list(group.members.all()) == [owner]
    assert AdviserAccess.objects.filter(
        action="handover", target=f"{group.code} principale → successeur"
    ).exists()
    client.force_login(successor)
    page = plain(client.get(reverse("assessments:cohort", args=[group.pk])))
    assert "Participation 10 questionnaires commencés" in page
    sharing = plain(client.get(reverse("assessments:cohort-sharing", args=[group.pk])))
    assert (
        "successeur, responsable du groupe" in sharing and "principale, sur invitation" in sharing
    )


def test_handing_over_without_keeping_access_leaves_the_former_owner_out(client, owner, group):
    adviser("successeur")
    client.force_login(owner)
    client.post(
        reverse("assessments:cohort-handover", args=[group.pk]),
        {"handover-username": "successeur"},
    )
    assert client.get(reverse("assessments:cohort", args=[group.pk])).status_code == 404
    assert Cohort.objects.get(pk=group.pk).owner.username == "successeur"


def test_the_class_report_gives_teachers_activities_for_the_weakest_attendus(
    client, owner, group, second_version, settings
):
    for _n in range(settings.MIN_GROUP_SIZE):
        completed_attempt(group)
    client.force_login(owner)
    response = client.get(reverse("assessments:cohort-report", args=[group.pk]))
    assert response.status_code == 200
    page = plain(response)
    assert "Bilan de la classe — Terminale ST2S 1" in page
    assert "10 élèves ont terminé leur premier questionnaire." in page
    work = page[page.index("Trois attendus à travailler ensemble") : page.index("Repères est")]
    assert work.count("À préparer :") >= 6 and work.count("Ce que les élèves produisent") >= 6
    assert " tu " not in f" {work} " and "Tes " not in work  # written for teachers
    assert "BUT ou DEASS ?" in page and "Ce BUT ne donne pas le titre" in page
    assert "Qualité des réponses" in page and "Que faire" in page
    # Without the adviser's controls, with its charts.
    html = response.content.decode()
    assert "Appliquer les filtres" not in page and "Exporter" not in page
    assert html.count('<figure class="hchart"') == 2
    assert AdviserAccess.objects.filter(action="report", username="principale").exists()


def test_the_class_report_in_english(client, owner, group, second_version, settings):
    for _n in range(settings.MIN_GROUP_SIZE):
        completed_attempt(group)
    client.force_login(owner)
    url = reverse("assessments:cohort-report", args=[group.pk])
    page = plain(client.get(url, headers={"accept-language": "en"}))
    assert "Class report — Terminale ST2S 1" in page
    assert "To prepare:" in page and "What the students produce:" in page


def test_the_class_report_of_a_small_group_shows_no_figures(client, owner, group):
    completed_attempt(group)
    client.force_login(owner)
    page = plain(client.get(reverse("assessments:cohort-report", args=[group.pk])))
    assert "Moins de 10 questionnaires terminés" in page
    assert "Trois attendus" not in page and "Le profil de la classe" not in page


def retake(attempt, value, now=None):
    from django.utils import timezone

    from assessments.services import save_step, start_assessment
    from orientation.models import QuestionnaireVersion
    from orientation.outline import questionnaire_content

    content = questionnaire_content(QuestionnaireVersion.objects.current())
    again, _token = start_assessment(previous=attempt, now=now)
    save_step(again, {item.pk: value(item) for item in content.items}, now=now or timezone.now())
    return again


def low(item):
    return 4 if item.reverse_keyed else 2


def high(item):
    return 1 if item.reverse_keyed else 5


def compare(client, group, **params):
    return client.get(reverse("assessments:cohort-compare", args=[group.pk]), params)


def test_first_questionnaires_against_retakes_show_a_clear_rise(client, owner, group, settings):
    from .factories import consistent

    firsts = [
        completed_attempt(group, value=low if n % 2 else consistent)
        for n in range(settings.MIN_GROUP_SIZE)
    ]
    client.force_login(owner)
    page = plain(compare(client, group, mode="retake"))
    assert "questionnaires refaits, moins de 10 questionnaires en paquets complets" in page
    assert "Ce qui a changé" not in page
    for attempt in firsts:
        retake(attempt, high)
    response = compare(client, group, mode="retake")
    assert response.status_code == 200
    page = plain(response)
    assert "Avant : premiers questionnaires, 10 questionnaires" in page
    assert "Après : questionnaires refaits, 10 questionnaires" in page
    # CG1: half at 25 and half at 75 before (mean 50), all at 100 after.
    assert "CG1 Maîtrise du français 50,0 100,0 +50,0 hausse nette" in page
    assert AdviserAccess.objects.filter(action="dashboard", target__contains="compare").exists()


def test_two_periods_that_share_a_block_are_not_compared(client, owner, group, settings):
    from datetime import timedelta

    from django.utils import timezone

    start = timezone.now() - timedelta(days=60)
    for n in range(settings.MIN_GROUP_SIZE):
        completed_attempt(group, now=start + timedelta(days=n * 5))
    client.force_login(owner)
    day = (start + timedelta(days=20)).date()
    page = plain(
        compare(
            client,
            group,
            mode="periods",
            before_from=(start - timedelta(days=1)).date(),
            before_to=day,
            after_from=day + timedelta(days=1),
            after_to=timezone.localdate(),
        )
    )
    assert "se partagent un paquet" in page and "Ce qui a changé" not in page


def test_a_comparison_with_periods_in_the_wrong_order_says_so(client, owner, group):
    client.force_login(owner)
    response = compare(
        client,
        group,
        mode="periods",
        before_from="2026-10-01",
        before_to="2026-10-31",
        after_from="2026-09-01",
        after_to="2026-09-30",
    )
    assert response.status_code == 400
    assert "La période « après » doit commencer après la fin de la période « avant »." in plain(
        response
    )


def test_two_periods_of_whole_blocks_are_compared(client, owner, group, settings):
    from datetime import timedelta

    from django.utils import timezone

    autumn = timezone.now() - timedelta(days=120)
    for _n in range(settings.MIN_GROUP_SIZE):
        completed_attempt(group, value=low, now=autumn)
    for _n in range(settings.MIN_GROUP_SIZE):
        completed_attempt(group, value=high)
    client.force_login(owner)
    today = timezone.localdate()
    page = plain(
        compare(
            client,
            group,
            mode="periods",
            before_from=(autumn - timedelta(days=7)).date(),
            before_to=(autumn + timedelta(days=7)).date(),
            after_from=today - timedelta(days=7),
            after_to=today,
        )
    )
    assert "Avant : 10 questionnaires, commencés du" in page
    assert "Après : 10 questionnaires, commencés du" in page
    assert "CG1 Maîtrise du français 25,0 100,0 +75,0 hausse nette" in page


@pytest.mark.parametrize("stored", [10, 200])
def test_the_report_and_the_comparison_cost_the_same_queries_at_any_size(
    client, owner, group, stored, django_assert_num_queries
):
    from .factories import copies

    copies(completed_attempt(group), stored - 1)
    client.force_login(owner)
    report = reverse("assessments:cohort-report", args=[group.pk])
    compared = reverse("assessments:cohort-compare", args=[group.pk])
    client.get(report)
    client.get(compared)
    # session, user, adviser check, class and owner, versions, blocks with participation,
    # distributions, the audit log:
    with django_assert_num_queries(8):
        assert client.get(report).status_code == 200
    # session, user, adviser check, class, the audit log, versions, the blocks of each side,
    # the distributions of the one side that has enough questionnaires (nobody retook it):
    with django_assert_num_queries(9):
        assert client.get(compared).status_code == 200


def test_rare_formations_are_grouped_and_undecided_students_said(client, owner, group, settings):
    from assessments.models import Assessment
    from orientation.models import Track

    attempts = [completed_attempt(group) for _n in range(settings.MIN_GROUP_SIZE)]
    top = attempts[0].top_track
    rare = Track.objects.filter(version=top.version).exclude(pk=top.pk).first()
    Assessment.objects.filter(pk=attempts[0].pk).update(top_track=rare)
    Assessment.objects.filter(pk__in=[a.pk for a in attempts[1:3]]).update(top_track=None)
    client.force_login(owner)
    page = plain(client.get(reverse("assessments:cohort", args=[group.pk])))
    assert f"{top.name} 7 70 %" in page
    # One student's formation is never a row of its own: it could point at them.
    assert rare.name not in page[page.index("Formations suggérées en premier") :]
    assert "Autres formations (moins de 3 élèves chacune) 1 10 %" in page
    assert "Aucune formation ne ressort encore 2 20 %" in page


def test_the_contradiction_rate_of_version_2026_1_is_said_to_be_overstated(
    client, owner, group, settings
):
    for _n in range(settings.MIN_GROUP_SIZE):
        completed_attempt(group)
    client.force_login(owner)
    page = plain(client.get(reverse("assessments:cohort", args=[group.pk])))
    assert "En version 2026-1, la règle comptait aussi des réponses cohérentes" in page


def test_a_2026_2_class_gets_no_such_warning(client, owner, group, second_version, settings):
    for _n in range(settings.MIN_GROUP_SIZE):
        completed_attempt(group)
    client.force_login(owner)
    page = plain(client.get(reverse("assessments:cohort", args=[group.pk])))
    assert "Réponses contradictoires" in page and "la règle comptait aussi" not in page
