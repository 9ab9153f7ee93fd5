"""Repères settings: one module, read from the environment.

Defaults are safe for development (SQLite file in the project, DEBUG off unless asked).
Production refuses to start without a secret key. Every variable is documented in
.env.example.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be 0 or 1 (got {value!r}).")


def env_int(name, default, minimum=0):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number (got {value!r}).") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum} (got {number}).")
    return number


def env_list(name, default):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [part.strip() for part in value.split(",") if part.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off. Generate one with: "
            'python -c "import secrets; print(secrets.token_urlsafe(50))"'
        )
    # Development only: a fixed key is harmless because nothing signed with it leaves the machine.
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "orientation",
    "assessments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything that can answer early, so that every page carries the headers.
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Malformed bodies get the project's 400 page before the CSRF check reads them.
    "config.middleware.RequestGuardMiddleware",
    "config.middleware.DatabaseBusyMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "assessments.two_factor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.middleware.StaffPagesMiddleware",
    # Last, as django-axes asks, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]
if os.environ.get("DATABASE_REPLICA_URL"):
    # Outermost but security headers: its cookie is set on every POST's answer, even an error.
    MIDDLEWARE.insert(1, "config.db.pin_after_write")

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # `|local` marks content left in French on an English page (orientation/templatetags).
            "builtins": ["orientation.templatetags.content"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# Behind PgBouncer in transaction mode (deploy/pgbouncer.ini) one connection's transactions may
# run in different server sessions, so nothing may outlive a transaction: neither a server-side
# cursor (the CSV export streams through one) nor a prepared statement (the step's query).
TRANSACTION_POOLER = env_bool("DATABASE_TRANSACTION_POOLER")


def for_postgresql(database):
    """PostgreSQL options of a database, primary or replica."""
    if database["ENGINE"] == "django.db.backends.postgresql":
        database["DISABLE_SERVER_SIDE_CURSORS"] = TRANSACTION_POOLER
        # psycopg's threshold: 0 prepares a statement on first use, None never. Django's
        # cursors bind on the client and never prepare; only the step's query asks for it
        # (assessments/steps.py).
        database.setdefault("OPTIONS", {})["prepare_threshold"] = None if TRANSACTION_POOLER else 0
    return database


for_postgresql(DATABASES["default"])
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A whole class saves its answers in the same minute: WAL lets readers run beside the
    # writer, IMMEDIATE takes the write lock at BEGIN so a transaction waits (up to the busy
    # timeout) instead of failing with "database is locked" when it upgrades from read to write.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA temp_store=MEMORY;"
        ),
    }
    # Connections persist as on PostgreSQL: opening one (SQL functions registered, pragmas
    # run) took a third of a step page's time (docs/benchmarks.md). An idle connection holds
    # no WAL snapshot: Django runs in autocommit and closes its cursors, so checkpoints are
    # never held back.

# A streaming replica for advisers' aggregates (config/db.py): reads of views marked
# @reads_from_replica go there, every write and every other read to the primary.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
# How long a browser's reads stay on the primary after it sent a POST (replication lag).
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 10, minimum=1)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = for_postgresql(
        dj_database_url.parse(
            DATABASE_REPLICA_URL,
            conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
            conn_health_checks=True,
        )
    )
    # Under test the replica is the test database itself.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["config.db.PrimaryReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication ---------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "assessments:adviser-home"
# Back to the sign-in page, which says the session ended (assessments/apps.py).
LOGOUT_REDIRECT_URL = "login"
# Five failures lock the pair (account, client address) for 15 minutes (QUALITY.md S4, S8):
# a stranger elsewhere cannot lock a teacher out at school, and failures during the lock do
# not restart it. Logins are also rate-limited per address and for the site (config/throttle).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "config.throttle.client_address"
# Staff sessions last a working day at most, and end after an idle hour.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 10 * 3600, minimum=60)
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 3600, minimum=60)
# Password-reset links work once (they hold the password hash) and for an hour.
PASSWORD_RESET_TIMEOUT = 3600

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security ---------------------------------------------------------------------------------
# DJANGO_HTTPS is on by default in production; 0 lets production mode run over plain HTTP on
# localhost (benchmarks). In development it is off.
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
# The load balancer checks each instance over plain HTTP (config/health.py).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# Forwarded headers are trusted only behind a proxy that sets them (DJANGO_BEHIND_PROXY=1):
# otherwise any client could claim HTTPS or another address. PROXY_COUNT proxies append to
# X-Forwarded-For; the client is the address the outermost one saw.
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", False)
PROXY_COUNT = env_int("DJANGO_PROXY_COUNT", 1, minimum=1)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
# The questionnaire posts at most a few dozen fields; anything far larger is not ours. The
# request guard refuses a body over this size before reading it (the proxy too: deploy/).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 400
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Password-reset e-mails. In development they are printed on the console. In production a
# reset link printed to the server's output is an admin account for whoever reads it: without
# DJANGO_EMAIL_BACKEND, password reset is switched off and its page says whom to ask.
EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "")
if not EMAIL_BACKEND and DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
if "console" in EMAIL_BACKEND and not DEBUG:
    raise ImproperlyConfigured(
        "DJANGO_EMAIL_BACKEND cannot be the console backend in production: reset links would "
        "be written to the server's log. Configure SMTP (EMAIL_HOST…) or leave it empty to "
        "switch password reset off."
    )
PASSWORD_RESET_ENABLED = bool(EMAIL_BACKEND)
if not EMAIL_BACKEND:
    EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "reperes@localhost")

# Every log line passes through config/redaction.py: no private link, reset link or share code
# is ever written. gunicorn's own logs use the same filter (deploy/gunicorn.conf.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "quiet_client_errors": {"()": "config.redaction.QuietClientErrors"},
        "redact_secrets": {"()": "config.redaction.RedactSecrets"},
    },
    "formatters": {"json": {"()": "config.redaction.JsonLines"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["quiet_client_errors", "redact_secrets"],
            # DJANGO_LOG_FORMAT=json: one JSON object a line, for a log collector.
            **({"formatter": "json"} if os.environ.get("DJANGO_LOG_FORMAT") == "json" else {}),
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
    "loggers": {
        # Replace Django's defaults, whose handlers do not redact.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# --- Cache and rate limits --------------------------------------------------------------------
# Shared by every app instance: the database by default, Redis when REDIS_URL is set.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "reperes_cache",
            "OPTIONS": {"MAX_ENTRIES": 200_000, "CULL_FREQUENCY": 4},
        }
    }
# The parts of every page that change only with the language (the footer, the brand), kept
# rendered in each process: they were a third of the base template's work on each page.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "fragments",
    "TIMEOUT": None,
}
# Multiplies every rate limit (config/throttle.py); benchmarks raise it.
THROTTLE_SCALE = env_int("THROTTLE_SCALE", 1, minimum=1)

# --- Product settings -------------------------------------------------------------------------
# No aggregate is shown over fewer respondents than this (INSEE: no cell under 11 people).
MIN_GROUP_SIZE = env_int("MIN_GROUP_SIZE", 10, minimum=1)
# Completed attempts are purged after this many days (QUALITY.md, privacy).
RETENTION_DAYS = env_int("RETENTION_DAYS", 365, minimum=1)
# The audit log of adviser access is kept this many days (then purged).
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 365, minimum=1)
# Who publishes this deployment, shown on the legal and privacy pages.
SITE_PUBLISHER = os.environ.get("SITE_PUBLISHER", "")
SITE_CONTACT_EMAIL = os.environ.get("SITE_CONTACT_EMAIL", "")

# --- Metrics ----------------------------------------------------------------------------------
# Prometheus metrics (config/metrics.py), off unless DJANGO_METRICS=1. Off, no middleware is
# added, /metrics is an unknown address and prometheus_client is never imported.
METRICS = env_bool("DJANGO_METRICS", False)
# Who may read /metrics, judged on the connection's own address (REMOTE_ADDR), not on
# forwarded headers: Prometheus scrapes each instance directly. Addresses or networks.
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])
if METRICS:
    for entry in METRICS_ALLOWED_IPS:
        try:
            ipaddress.ip_network(entry)
        except ValueError:
            raise ImproperlyConfigured(
                f"METRICS_ALLOWED_IPS must list IP addresses or networks (got {entry!r})."
            ) from None
    # gunicorn's workers share their counts through files there (deploy/gunicorn.conf.py).
    multiproc_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if multiproc_dir == "":
        # Empty means unset, as for every variable here; prometheus_client, which reads it
        # when first imported (after the settings), would write its files in the current one.
        del os.environ["PROMETHEUS_MULTIPROC_DIR"]
    elif multiproc_dir is not None and not os.path.isdir(multiproc_dir):
        raise ImproperlyConfigured(
            f"PROMETHEUS_MULTIPROC_DIR must be an existing directory (got {multiproc_dir!r})."
        )
    # Outermost: it times the whole answer, sees its final status, and answers a scrape
    # before the HTTPS redirect and the host check.
    MIDDLEWARE.insert(0, "config.metrics.MetricsMiddleware")

# --- Two-factor authentication ----------------------------------------------------------------
# TOTP (an authenticator app) with single-use recovery codes, through django-otp. A password
# alone opens the admin to anyone who phished or guessed it: administrators must enrol before
# /admin/ or /conseiller/ opens (0 turns this off, e.g. on a local copy); advisers may enrol.
OTP_TOTP_ISSUER = "Repères"
# The admin lists devices (to remove a lost phone's) but never shows their secret keys or
# recovery codes: whoever reads the admin would hold everyone's second factor.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
TWO_FACTOR_REQUIRED_FOR_STAFF = env_bool("TWO_FACTOR_REQUIRED_FOR_STAFF", True)
