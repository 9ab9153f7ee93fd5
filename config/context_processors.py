from django.conf import settings


def site(request):
    """Deployment facts the public pages state: who publishes, retention, group size."""
    return {
        "publisher": settings.SITE_PUBLISHER,
        "contact_email": settings.SITE_CONTACT_EMAIL,
        "retention_days": settings.RETENTION_DAYS,
        "min_group_size": settings.MIN_GROUP_SIZE,
        "password_reset_enabled": settings.PASSWORD_RESET_ENABLED,
    }
