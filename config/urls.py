from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

# The legal pages name whoever deploys Repères (an académie, a lycée, an IUT).
publisher = {
    "publisher": settings.SITE_PUBLISHER,
    "contact_email": settings.SITE_CONTACT_EMAIL,
    "retention_days": settings.RETENTION_DAYS,
    "min_group_size": settings.MIN_GROUP_SIZE,
}


def page(template_name):
    return TemplateView.as_view(template_name=template_name, extra_context=publisher)


urlpatterns = [
    path("", page("home.html"), name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("confidentialite/", page("pages/privacy.html"), name="privacy"),
    path("accessibilite/", page("pages/accessibility.html"), name="accessibility"),
    path("mentions-legales/", page("pages/legal.html"), name="legal"),
    path("admin/", admin.site.urls),
]
