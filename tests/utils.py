import html

from django.test import Client
from hypothesis import settings as hypothesis_settings


def examples(full):
    """How many examples a property test that sets its own count makes: `full` under the "ci"
    hypothesis profile, a tenth (at least 2) under "dev" (tests/conftest.py)."""
    if hypothesis_settings.get_current_profile_name() == "ci":
        return full
    return max(2, full // 10)


def text(response):
    """The page as a reader sees it: entities decoded, so apostrophes compare plainly."""
    return html.unescape(response.content.decode())


def plain(response):
    """The page's words only: tags removed, white space folded, as a screen reader reads."""
    import re

    return " ".join(re.sub(r"<[^>]+>", " ", text(response)).split())


def log_in_verified(client, user):
    """Log `user` in as after the second factor: a confirmed authenticator app and a session
    that gave its code (assessments/two_factor.py)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


class FormClient(Client):
    """A browser posting forms as browsers post ours: URL-encoded. No form of the site is
    multipart, and the request guard refuses multipart outside the admin (Django's test client
    would otherwise send every post as multipart)."""

    def post(self, path, data=None, content_type=None, **extra):
        if content_type is None and isinstance(data, dict | None):
            from urllib.parse import urlencode

            data = urlencode(
                {key: value for key, value in (data or {}).items() if value is not None},
                doseq=True,
            )
            content_type = "application/x-www-form-urlencoded"
        if content_type is None:
            return super().post(path, data, **extra)
        return super().post(path, data, content_type=content_type, **extra)
