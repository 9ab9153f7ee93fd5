"""Staff sign-in and password reset, wrapped in rate limits (config/throttle.py).

Django's own views do the work; these add what a public site needs: a login rate limit per
address and for the whole site, counting failures only (the lockout per account and address
is django-axes'), and a
password reset that is switched off without a real mail backend, limited per e-mail address
asked for, per client and for the site, and that answers the same whatever the address.
"""

import hashlib

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from config import throttle


@never_cache
def login(request):
    if request.method != "POST":
        return auth_views.LoginView.as_view()(request)
    who = throttle.who_for(request)
    wait = throttle.blocked("login", who)
    if wait:
        message = _("Trop de tentatives de connexion depuis ce réseau.")
        return throttle.too_many(request, message, wait)
    response = auth_views.LoginView.as_view()(request)
    if response.status_code != 302:
        # Only failures count: advisers signing in at school never use up the limit.
        throttle.record("login", who)
    return response


@never_cache
def password_reset(request):
    if not settings.PASSWORD_RESET_ENABLED:
        return render(request, "registration/password_reset_off.html")
    if request.method == "POST":
        email = request.POST.get("email", "").strip().lower()
        account = hashlib.sha256(email.encode()).hexdigest()
        message = _("Trop de demandes de réinitialisation.")
        refused = throttle.take(
            request, "reset", throttle.who_for(request, account=account), message
        )
        if refused:
            return refused
    return auth_views.PasswordResetView.as_view()(request)
