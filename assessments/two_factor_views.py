"""The « Sécurité du compte » pages: enrol an authenticator app, give a code, recovery codes.

Who must give a code when is decided in two_factor.TwoFactorMiddleware; these views only
check what a forged request could skip.
"""

from base64 import b32encode
from functools import wraps

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login

from . import two_factor
from .accounts import is_adviser


def account_required(view):
    """Staff and advisers, never cached: these pages show secrets."""

    @never_cache
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (request.user.is_staff or is_adviser(request.user)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _next_url(request):
    candidate = request.POST.get("next") or request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    if request.user.is_staff:
        return reverse("admin:index")
    return reverse("assessments:adviser-home")


def _verified(request, device):
    # A new session key once the second factor is given: a key seen before it is worth nothing.
    request.session.cycle_key()
    otp_login(request, device)


def _grouped(secret):
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@account_required
def security(request):
    user = request.user
    return render(
        request,
        "two_factor/security.html",
        {
            "device": two_factor.authenticator(user),
            "recovery_left": two_factor.recovery_codes_left(user),
            "required": two_factor.must_enrol(user),
        },
    )


@account_required
def setup(request):
    user = request.user
    if two_factor.has_confirmed_device(user) and not two_factor.is_verified(request):
        # Replacing the app needs the current one (the middleware sends here first).
        return redirect_to_login(request.get_full_path(), "assessments:two-factor-verify")
    device = two_factor.pending_authenticator(request)
    form = two_factor.CodeForm(
        user, request.POST if request.method == "POST" else None, device=device
    )
    if form.is_valid():
        codes = two_factor.confirm_authenticator(device)
        _verified(request, device)
        return render(
            request,
            "two_factor/recovery_codes.html",
            {"codes": codes, "next": _next_url(request), "enrolled": True},
        )
    secret = b32encode(device.bin_key).decode()
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "two_factor/setup.html",
        {
            "form": form,
            "qr": qr.svg_data_uri(scale=5, border=2, dark="#000", light="#fff"),
            "qr_size": qr.symbol_size(scale=5, border=2)[0],
            "secret": _grouped(secret),
            "required": two_factor.must_enrol(user),
            "replacing": two_factor.is_verified(request),
        },
        status=400 if form.errors else 200,
    )


@account_required
def verify(request):
    user = request.user
    if two_factor.is_verified(request):
        return redirect(_next_url(request))
    if not two_factor.has_confirmed_device(user):
        # Nothing to verify; the middleware sends an administrator on to enrolment.
        return redirect(_next_url(request))
    form = two_factor.CodeForm(user, request.POST if request.method == "POST" else None)
    if form.is_valid():
        _verified(request, form.device)
        return redirect(_next_url(request))
    return render(
        request,
        "two_factor/verify.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@account_required
def recovery(request):
    if not two_factor.is_verified(request):
        # No device yet, so nothing to recover: the security page offers to set one up.
        return redirect("assessments:two-factor")
    codes = two_factor.new_recovery_codes(request.user)
    return render(
        request,
        "two_factor/recovery_codes.html",
        {"codes": codes, "next": reverse("assessments:two-factor")},
    )


@account_required
def disable(request):
    user = request.user
    if two_factor.must_enrol(user):
        raise PermissionDenied
    if not two_factor.is_verified(request):
        return redirect("assessments:two-factor")
    # A code again, not just the open session: a borrowed computer must not switch it off.
    form = two_factor.CodeForm(user, request.POST if request.method == "POST" else None)
    if form.is_valid():
        two_factor.remove_devices(user)
        request.session.pop(DEVICE_ID_SESSION_KEY, None)
        messages.success(request, _("La double authentification est désactivée."))
        return redirect("assessments:two-factor")
    return render(
        request, "two_factor/disable.html", {"form": form}, status=400 if form.errors else 200
    )
