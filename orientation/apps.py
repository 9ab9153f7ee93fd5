from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrientationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "orientation"
    verbose_name = _("Contenu du questionnaire")
