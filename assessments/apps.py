from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _forget_rendered_questions(sender, file_path, **kwargs):
    """In development, an edited template shows at once: a step's questions are rendered once
    per process (assessments/views.py) and would keep the old markup until a restart."""
    if file_path.suffix == ".html":
        from django.core.cache import caches

        from .views import _question

        caches["fragments"].clear()  # the footer and the brand (templates/base.html)
        _question.cache_clear()


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
        from django.utils.autoreload import file_changed

        # Signing out used to land on the students' home without a word.
        user_logged_out.connect(_say_signed_out, dispatch_uid="reperes-signed-out")
        file_changed.connect(_forget_rendered_questions, dispatch_uid="reperes-templates")
