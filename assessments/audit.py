"""The audit log of adviser access (models.AdviserAccess): one row per page that shows
students' data, written with the page."""

from .models import AdviserAccess


def record(request, action, target=""):
    AdviserAccess.objects.create(
        user=request.user, username=request.user.get_username(), action=action, target=target
    )
