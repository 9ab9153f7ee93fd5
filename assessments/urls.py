from django.urls import path, register_converter

from . import adviser_views as adviser
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
    path(
        "conseiller/groupes/<int:pk>/agregats.csv",
        adviser.cohort_export,
        {"kind": "aggregates"},
        name="cohort-export-aggregates",
    ),
    path(
        "conseiller/groupes/<int:pk>/reponses.csv",
        adviser.cohort_export,
        {"kind": "rows"},
        name="cohort-export-rows",
    ),
    path("conseiller/resultats-partages/", adviser.shared_results, name="shared-results"),
    path("conseiller/qualite/<int:version_pk>/", adviser.item_quality, name="item-quality"),
]
