from django.urls import path, register_converter

from . import adviser_views as adviser
from . import two_factor_views as two_factor
from . import views


class TokenConverter:
    # secrets.token_urlsafe(32) gives 43 characters; anything far off is not a private link.
    regex = "[A-Za-z0-9_-]{20,64}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(TokenConverter, "token")

app_name = "assessments"
urlpatterns = [
    path("commencer/", views.start, name="start"),
    path("c/<str:code>/", views.home, name="join"),
    path("q/<token:token>/", views.resume, name="resume"),
    path("q/<token:token>/etape/<int:number>/", views.step, name="step"),
    path("q/<token:token>/resultats/", views.results, name="results"),
    path("q/<token:token>/resultats.json", views.results_copy, name="results-copy"),
    path("q/<token:token>/partager/", views.share, name="share"),
    path("q/<token:token>/partager/desactiver/", views.revoke, name="revoke"),
    path("q/<token:token>/supprimer/", views.delete, name="delete"),
    path("q/<token:token>/refaire/", views.retake, name="retake"),
    # The adviser space
    path("conseiller/", adviser.adviser_home, name="adviser-home"),
    path("conseiller/tableau-de-bord/", adviser.overview, name="overview"),
    path(
        "conseiller/tableau-de-bord/agregats.csv",
        adviser.overview_export,
        {"kind": "aggregates"},
        name="overview-export-aggregates",
    ),
    path(
        "conseiller/tableau-de-bord/reponses.csv",
        adviser.overview_export,
        {"kind": "rows"},
        name="overview-export-rows",
    ),
    path("conseiller/groupes/nouveau/", adviser.cohort_create, name="cohort-create"),
    path("conseiller/groupes/<int:pk>/", adviser.cohort_dashboard, name="cohort"),
    path("conseiller/groupes/<int:pk>/renommer/", adviser.cohort_rename, name="cohort-rename"),
    path("conseiller/groupes/<int:pk>/archiver/", adviser.cohort_archive, name="cohort-archive"),
    path("conseiller/groupes/<int:pk>/projeter/", adviser.cohort_project, name="cohort-project"),
    path("conseiller/groupes/<int:pk>/bilan/", adviser.cohort_report, name="cohort-report"),
    path("conseiller/groupes/<int:pk>/avant-apres/", adviser.cohort_compare, name="cohort-compare"),
    path("conseiller/groupes/<int:pk>/partage/", adviser.cohort_sharing, name="cohort-sharing"),
    path("conseiller/groupes/<int:pk>/inviter/", adviser.cohort_invite, name="cohort-invite"),
    path(
        "conseiller/groupes/<int:pk>/retirer/<int:user_pk>/",
        adviser.cohort_remove_member,
        name="cohort-remove-member",
    ),
    path(
        "conseiller/groupes/<int:pk>/transmettre/", adviser.cohort_handover, name="cohort-handover"
    ),
    path(
        "conseiller/groupes/<int:pk>/agregats.csv",
        adviser.cohort_export,
        name="cohort-export-aggregates",
    ),
    path("conseiller/resultats-partages/", adviser.shared_results, name="shared-results"),
    path("conseiller/partages/<int:pk>-<slug:key>/", adviser.shared_result, name="shared-result"),
    path("conseiller/qualite/<int:version_pk>/", adviser.item_quality, name="item-quality"),
    # Account security: the second factor (assessments/two_factor.py)
    path("conseiller/securite/", two_factor.security, name="two-factor"),
    path("conseiller/securite/configurer/", two_factor.setup, name="two-factor-setup"),
    path("conseiller/securite/verifier/", two_factor.verify, name="two-factor-verify"),
    path("conseiller/securite/desactiver/", two_factor.disable, name="two-factor-disable"),
    path("conseiller/securite/codes-de-secours/", two_factor.recovery, name="two-factor-recovery"),
]
