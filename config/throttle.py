"""Rate limits that fit a school: per client, per address and for the whole site.

A whole lycée reaches the site from one address, so a client is first its browser (a signed,
random cookie) and only then its address, with a limit high enough for several classes at
once; a global limit caps what many addresses can do together. Counters live in Django's cache
(the database by default, Redis when REDIS_URL is set), so every app instance shares them.

Each counter is a fixed window: `count` events per `seconds`. THROTTLE_SCALE multiplies every
count (benchmarks run thousands of journeys from one address).
"""

import hashlib
import hmac
import ipaddress
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.shortcuts import render
from django.utils.translation import ngettext

CLIENT_COOKIE = "reperes_client"
CLIENT_COOKIE_AGE = 24 * 3600
_SALT = "reperes.throttle.client"


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int


# What each throttled action allows (before THROTTLE_SCALE).
RULES = {
    # Starting a questionnaire: a student starts one, perhaps two; a lycée a few classes an hour.
    "start": {"client": Limit(5, 3600), "address": Limit(300, 3600), "site": Limit(6000, 60)},
    # Wrong class codes, typed or in a link.
    "class-code": {"client": Limit(10, 900), "address": Limit(100, 900), "site": Limit(2000, 60)},
    # Wrong share codes typed by advisers (also limited per account, see adviser_views).
    "share-code": {"address": Limit(30, 900), "site": Limit(300, 900)},
    # Password-reset requests: per e-mail address asked for, per client, for the whole site.
    "reset": {"account": Limit(3, 3600), "address": Limit(10, 3600), "site": Limit(100, 3600)},
    # Failed logins, whatever the account (the lockout per account and address is axes').
    "login": {"address": Limit(60, 900), "site": Limit(2000, 900)},
}


def client_address(request):
    """The client's address: REMOTE_ADDR, or behind DJANGO_BEHIND_PROXY the address the
    trusted proxy appended last to X-Forwarded-For (anything before it can be forged). None
    when there is none (a request built in code, such as a test client's forced login)."""
    if settings.BEHIND_PROXY:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if forwarded:
            return forwarded[-min(settings.PROXY_COUNT, len(forwarded))]
    return request.META.get("REMOTE_ADDR") or None


def _network(address):
    """An IPv6 client is its /64: one household or one school holds a whole /64, and counting
    each of its addresses apart would let one client pass for millions."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return address


def client_id(request):
    """The browser's throttling id from its signed cookie; a new one when absent or forged."""
    raw = request.COOKIES.get(CLIENT_COOKIE)
    if raw:
        try:
            return signing.loads(raw, salt=_SALT, max_age=CLIENT_COOKIE_AGE)
        except signing.BadSignature:
            pass
    if not hasattr(request, "_throttle_client"):
        request._throttle_client = secrets.token_urlsafe(12)
    return request._throttle_client


def remember_client(request, response):
    """Sets the client cookie when this request made a new id."""
    new = getattr(request, "_throttle_client", None)
    if new is not None:
        response.set_cookie(
            CLIENT_COOKIE,
            signing.dumps(new, salt=_SALT),
            max_age=CLIENT_COOKIE_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response


def _keys(action, who):
    """(cache key, limit) for each scope of an action; `who` maps scope → identity."""
    now = time.time()
    for scope, limit in RULES[action].items():
        identity = "all" if scope == "site" else who.get(scope)
        if identity is None:
            continue
        if scope == "address":
            identity = _network(identity)
        window = int(now // limit.seconds)
        # Keyed: an address or e-mail cannot be read back from the cache by trying them all.
        hashed = hmac.new(
            settings.SECRET_KEY.encode(), str(identity).encode(), hashlib.sha256
        ).hexdigest()[:24]
        count = max(1, int(limit.count * settings.THROTTLE_SCALE))
        yield f"throttle:{action}:{scope}:{hashed}:{window}", count, limit.seconds


def blocked(action, who):
    """Seconds to wait when any scope of `action` is used up for `who`, else 0."""
    found = cache.get_many([key for key, _count, _seconds in _keys(action, who)])
    wait = 0
    for key, count, seconds in _keys(action, who):
        if found.get(key, 0) >= count:
            wait = max(wait, seconds - int(time.time()) % seconds)
    return wait


def record(action, who):
    """Counts one event of `action` for `who` in every scope."""
    for key, _count, seconds in _keys(action, who):
        if not cache.add(key, 1, timeout=seconds + 5):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, timeout=seconds + 5)


def take(request, action, who, message):
    """Counts one event of `action`, or returns the kind 429 page when its limit is reached."""
    wait = blocked(action, who)
    if wait:
        return too_many(request, message, wait)
    record(action, who)
    return None


def who_for(request, **extra):
    return {"client": client_id(request), "address": client_address(request), **extra}


def too_many(request, message, wait):
    """The kind page of a limit reached: 429 with Retry-After."""
    minutes = max(1, (wait + 59) // 60)
    retry = ngettext(
        "De nouveau possible dans %(n)d minute.", "De nouveau possible dans %(n)d minutes.", minutes
    ) % {"n": minutes}
    response = render(request, "429.html", {"message": f"{message} {retry}"}, status=429)
    response["Retry-After"] = str(wait)
    return remember_client(request, response)
