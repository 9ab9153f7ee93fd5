"""Test settings: production settings with fast hashing and a known secret."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key-not-used-anywhere-else")
# Plain HTTP in tests; the security-header tests turn HTTPS settings on explicitly.
os.environ.setdefault("DJANGO_HTTPS", "0")

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_RESET_ENABLED = True
# Serve static files from the apps' folders, as in development: no collectstatic in tests.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Tests start many attempts from one client; tests/test_throttles.py sets the real limits.
THROTTLE_SCALE = 1000
