"""The audit log of adviser access: what was opened, by whom; read-only for administrators."""

from django.urls import reverse

from assessments.exports import pseudonym
from assessments.models import AdviserAccess
from assessments.services import share_assessment
from tests.utils import plain

from .factories import adviser, cohort, completed_attempt


def test_dashboards_exports_and_shared_results_are_recorded(client, admin_client, version):
    owner = adviser("mme.durand")
    group = cohort(owner)
    for _n in range(10):
        completed_attempt(group)
    shared = completed_attempt(group)
    code = share_assessment(shared)
    client.force_login(owner)
    client.get(reverse("assessments:cohort", args=[group.pk]), {"date_from": "2026-09-01"})
    client.get(reverse("assessments:cohort-export-aggregates", args=[group.pk]))
    client.post(reverse("assessments:shared-results"), {"code": code}, follow=True)
    client.post(reverse("assessments:shared-results"), {"code": "AAAAAAAA"})  # a wrong code

    recorded = list(
        AdviserAccess.objects.order_by("at").values_list("username", "action", "target")
    )
    assert [(user, action) for user, action, _target in recorded] == [
        ("mme.durand", "dashboard"),
        ("mme.durand", "export"),
        ("mme.durand", "shared_result"),
    ]
    assert group.code in recorded[0][2] and "date_from=2026-09-01" in recorded[0][2]
    assert recorded[2][2] == pseudonym(shared.pk)  # the attempt, never a student's identity

    page = plain(admin_client.get(reverse("admin:assessments_adviseraccess_changelist")))
    assert "mme.durand" in page and "résultat partagé ouvert" in page
    assert admin_client.get(reverse("admin:assessments_adviseraccess_add")).status_code == 403
    entry = AdviserAccess.objects.first()
    delete = reverse("admin:assessments_adviseraccess_delete", args=[entry.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert AdviserAccess.objects.filter(pk=entry.pk).exists()
