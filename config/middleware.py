"""Request guards that run before any view: every answer is one of the project's pages.

- Malformed bodies are refused up front with the project's 400 page (413 when too big): Django
  5.2 raises while reading a non-UTF-8 form or a multipart body without a boundary, and when the
  CSRF check is the first to read it the exception escapes as a 500. Multipart is accepted only
  in the admin: no student or adviser form uploads a file.
- A database that stays locked (SQLite's single writer, beyond its busy timeout) gives a 503
  « réessaie dans un instant » with Retry-After, not a 500.
- Staff pages and exports are never cached (Cache-Control: private, no-store), and a staff
  session ends after SESSION_IDLE_SECONDS without a request.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.db import OperationalError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _

BODY_METHODS = frozenset(("POST", "PUT", "PATCH", "DELETE"))
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
STAFF_PREFIXES = ("/conseiller/", "/admin/")
# The type config/wsgi.py gives a request whose Content-Type Django could not parse.
UNPARSABLE = "application/x-unparsable-content-type"
LAST_SEEN = "last_seen"


def _charset_is_utf8(params):
    charset = params.get("charset")
    return charset is None or charset.strip().strip('"').lower() in ("utf-8", "utf8")


class RequestGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.content_type == UNPARSABLE:
            return self.bad(request)
        if request.method in BODY_METHODS:
            refused = self.refuse_body(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    def refuse_body(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return self.bad(request)
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return self.bad(request, status=413)
        content_type = request.content_type or ""
        if content_type in (FORM, MULTIPART) and not _charset_is_utf8(request.content_params):
            return self.bad(request)
        if content_type == MULTIPART and not request.path.startswith("/admin/"):
            return self.bad(request)
        if content_type in (FORM, MULTIPART):
            try:
                request.POST  # noqa: B018 - parsed here so that no later reader can raise
            except (BadRequest, MultiPartParserError, SuspiciousOperation, UnicodeDecodeError):
                return self.bad(request)
            except RequestDataTooBig:
                return self.bad(request, status=413)
        return None

    @staticmethod
    def bad(request, status=400):
        # The body was not read (or not whole): drop it so no later code touches it.
        request._post, request._files = {}, {}
        return render(request, "400.html", status=status)


class DatabaseBusyMiddleware:
    """A database still locked after the busy timeout: a clear 503, the student retries."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError) and "locked" in str(exception).lower():
            response = render(request, "503.html", status=503)
            response["Retry-After"] = "5"
            return response
        return None


class StaffPagesMiddleware:
    """No cache for staff pages; staff sessions end after a working day or an idle hour."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and request.session.session_key and user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN, now)
            if now - last_seen > settings.SESSION_IDLE_SECONDS:
                logout(request)
                messages.info(request, _("Votre session a expiré : reconnectez-vous."))
                return redirect_to_login(request.get_full_path())
            if now - last_seen >= 60 or LAST_SEEN not in request.session:
                # Written at most once a minute: one session save, not one per request.
                request.session[LAST_SEEN] = now
        response = self.get_response(request)
        if request.path.startswith(STAFF_PREFIXES):
            response["Cache-Control"] = "private, no-store, max-age=0"
        return response
