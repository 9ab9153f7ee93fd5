from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _say_signed_out(sender, request, user, **kwargs):
    from django.contrib import messages

    if request is not None and user is not None:
        messages.info(request, _("Vous êtes déconnecté. À bientôt !"))


class AssessmentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "assessments"
    verbose_name = _("Passations et résultats")

    def ready(self):
        from django.contrib.auth.signals import user_logged_out

        # Signing out used to land on the students' home without a word.
        user_logged_out.connect(_say_signed_out, dispatch_uid="reperes-signed-out")
