from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from assessments import account_views
from assessments import views as assessment_views

from . import health

urlpatterns = [
    path("", assessment_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("", include("assessments.urls")),
    # Before Django's own: the same names, wrapped in rate limits (assessments/account_views).
    path("conseiller/login/", account_views.login, name="login"),
    path("conseiller/password_reset/", account_views.password_reset, name="password_reset"),
    path("conseiller/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "confidentialite/",
        TemplateView.as_view(template_name="pages/privacy.html"),
        name="privacy",
    ),
    path(
        "accessibilite/",
        TemplateView.as_view(template_name="pages/accessibility.html"),
        name="accessibility",
    ),
    path(
        "methode/",
        TemplateView.as_view(
            template_name="pages/method.html",
            extra_context={"min_group": settings.MIN_GROUP_SIZE},
        ),
        name="method",
    ),
    path(
        "mentions-legales/",
        TemplateView.as_view(template_name="pages/legal.html"),
        name="legal",
    ),
    path("admin/", admin.site.urls),
]
