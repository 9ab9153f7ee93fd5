"""Second factor for the admin and the adviser space: a TOTP app, with recovery codes.

Administrators must enrol before the admin or the adviser space opens
(TWO_FACTOR_REQUIRED_FOR_STAFF); advisers may. Once an account has a device, a session
opened with the password alone is half open: it reaches the student pages and the way out,
nothing else, until a code is given. The devices are django-otp's (otp_totp, otp_static).
"""

import math
import time

from django import forms
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp import DEVICE_ID_SESSION_KEY, device_classes
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10
NO_DEVICE_CHECKED = "two_factor_no_device"
RECHECK_SECONDS = 300
ALWAYS_RECHECK = frozenset({"password_change", "admin:password_change"})

# Pages a half-open session may see: the student side shows nothing of the account. Anything
# not named here waits for the code, so a page added later is guarded until listed.
PUBLIC_VIEWS = frozenset(
    {
        "home",
        "privacy",
        "accessibility",
        "legal",
        "set_language",
        "bench-floor",
        "assessments:start",
        "assessments:join",
        "assessments:resume",
        "assessments:step",
        "assessments:results",
        "assessments:share",
        "assessments:revoke",
        "assessments:delete",
        "assessments:retake",
    }
)
VERIFY_EXEMPT = PUBLIC_VIEWS | {"assessments:two-factor-verify", "logout", "admin:logout"}
# An administrator without a device may still leave, enrol, or fix a forgotten password.
ENROL_EXEMPT = frozenset(
    {
        "assessments:two-factor-setup",
        "logout",
        "admin:logout",
        "password_change",
        "password_change_done",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
        "admin:password_change",
        "admin:password_change_done",
    }
)


def is_verified(request):
    """Whether this session gave a code with a device that still exists and is the user's
    (one query: for the security pages; the middleware trusts the session's mark)."""
    persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
    device = Device.from_persistent_id(persistent_id) if persistent_id else None
    return device is not None and device.user_id == request.user.pk


def staff_areas():
    return (reverse("admin:index"), reverse("assessments:adviser-home"))


def must_enrol(user):
    return settings.TWO_FACTOR_REQUIRED_FOR_STAFF and (user.is_staff or user.is_superuser)


def has_confirmed_device(user):
    """Whether the user has a confirmed device of any kind, in one query."""
    found = [
        model.objects.devices_for_user(user, confirmed=True).values("pk")
        for model in device_classes()
    ]
    return found[0].union(*found[1:], all=True).exists()


class TwoFactorMiddleware:
    """Sends a half-open session to the code page, and an administrator without a device to
    enrolment. It decides on the resolved view's name, after the URL is matched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Students have no session cookie: their pages pay one attribute lookup, no query.
        session = getattr(request, "session", None)
        if session is None or session.session_key is None:
            return None
        name = request.resolver_match.view_name
        if name in VERIFY_EXEMPT:
            return None
        user = request.user
        # A session that gave its code holds its device's id (django_otp.login): trusted for
        # the session's life (a working day at most) without loading the device on every page.
        if not user.is_authenticated or session.get(DEVICE_ID_SESSION_KEY):
            return None
        checked = session.get(NO_DEVICE_CHECKED)
        recently = (
            checked
            and checked[0] == user.pk
            and time.time() - checked[1] < RECHECK_SECONDS
            # A write, or a page that changes the account, always looks: a session opened with
            # the password before the owner enrolled must not change the password meanwhile.
            and request.method in ("GET", "HEAD")
            and name not in ALWAYS_RECHECK
        )
        if not recently:
            if has_confirmed_device(user):
                return redirect_to_login(request.get_full_path(), "assessments:two-factor-verify")
            # An adviser without a device: not asked again for a few minutes (one query saved
            # on every page; a device enrolled from another browser is seen within minutes).
            session[NO_DEVICE_CHECKED] = [user.pk, int(time.time())]
        if must_enrol(user) and name not in ENROL_EXEMPT and request.path.startswith(staff_areas()):
            return redirect_to_login(request.get_full_path(), "assessments:two-factor-setup")
        return None


def authenticator(user):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


PENDING_DEVICE = "two_factor_pending"


def pending_authenticator(request):
    """The device this session is setting up: the same one until confirmed, so a reload keeps
    its QR code. Never another session's: whoever opened the setup page with the password
    alone must not know the secret the owner confirms later (confirming deletes the others)."""
    device = TOTPDevice.objects.filter(
        pk=request.session.get(PENDING_DEVICE), user=request.user, confirmed=False
    ).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="Application", confirmed=False)
        request.session[PENDING_DEVICE] = device.pk
    return device


def recovery_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def confirm_authenticator(device):
    """Makes `device` the user's only authenticator; returns fresh recovery codes."""
    TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return new_recovery_codes(device.user)


@transaction.atomic
def new_recovery_codes(user):
    """RECOVERY_CODES new single-use codes; the previous ones stop working.

    The device itself is kept: a session verified with a recovery code stays verified.
    """
    device = StaticDevice.objects.filter(user=user).order_by("pk").first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name="Codes de secours", confirmed=True)
    else:
        # Codes an admin may have added by hand go too: the user is given one list.
        StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        StaticToken.objects.filter(device=device).delete()
        StaticDevice.objects.filter(pk=device.pk).update(confirmed=True)
    codes = [StaticToken.random_token() for _n in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def remove_devices(user):
    for model in device_classes():
        model.objects.filter(user=user).delete()


@transaction.atomic
def _check(devices, code):
    """The device among `devices` that accepts `code` (consumed), or None, and until when the
    others refuse to try (django-otp doubles the wait after each failure)."""
    locked_until = None
    for device in devices.select_for_update():
        allowed, details = device.verify_is_allowed()
        if not allowed:
            locked_until = details.get("locked_until")
            continue
        if device.verify_token(code):
            return device, None
    return None, locked_until


def _is_app_code(code):
    return len(code) == 6 and code.isdigit()


class CodeForm(forms.Form):
    """A code from the authenticator app or, unless `device` is given, a recovery code.

    `device` is the authenticator being set up: only its own code confirms it.
    """

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def __init__(self, user, *args, device=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.pending = device
        self.device = None
        if device is not None:
            self.fields["code"].label = _("Code à 6 chiffres affiché par l'application")
            self.fields["code"].widget.attrs["inputmode"] = "numeric"
        else:
            self.fields["code"].help_text = _(
                "Le code à 6 chiffres de votre application, ou l'un de vos codes de secours."
            )

    def clean_code(self):
        # People copy codes with spaces or dashes; recovery codes are lower-case.
        code = "".join(self.cleaned_data["code"].split()).replace("-", "").lower()
        if self.pending is not None:
            if not _is_app_code(code):
                raise ValidationError(self.wrong_code(), code="invalid")
            devices = TOTPDevice.objects.filter(pk=self.pending.pk)
        elif _is_app_code(code):
            devices = TOTPDevice.objects.devices_for_user(self.user, confirmed=True)
        else:
            devices = StaticDevice.objects.devices_for_user(self.user, confirmed=True)
        self.device, locked_until = _check(devices, code)
        if self.device is not None:
            return code
        if locked_until is not None:
            seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
            raise ValidationError(
                ngettext(
                    "Trop de codes incorrects : attendez %(seconds)s seconde avant de réessayer.",
                    "Trop de codes incorrects : attendez %(seconds)s secondes avant de réessayer.",
                    seconds,
                ),
                code="throttled",
                params={"seconds": seconds},
            )
        raise ValidationError(self.wrong_code(), code="invalid")

    def wrong_code(self):
        if self.pending is not None:
            return _(
                "Ce code ne correspond pas. Saisissez les 6 chiffres que l'application affiche "
                "maintenant (ils changent toutes les 30 secondes) ; vérifiez que l'heure du "
                "téléphone est juste."
            )
        return _(
            "Ce code ne correspond pas. Saisissez les 6 chiffres que votre application affiche "
            "maintenant, ou un code de secours que vous n'avez pas encore utilisé."
        )
