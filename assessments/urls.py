from django.urls import path, register_converter

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
]
