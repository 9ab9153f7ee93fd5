"""Production headers on every page, CSRF on every form, admin content escaped everywhere."""

import os
import re
import subprocess
import sys

import pytest
from django.urls import reverse

from assessments.services import share_assessment
from orientation.models import Category, Expectation, Item, Track
from orientation.services import clone_version, publish_version
from tests.assessments.factories import adviser, cohort, completed_attempt
from tests.assessments.journey import start, take
from tests.utils import FormClient

YEAR = 31_536_000


def enable_production(settings):
    """What DJANGO_HTTPS=1 (the production default) turns on."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = YEAR
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.LANGUAGE_COOKIE_SECURE = True


@pytest.fixture
def production(settings):
    enable_production(settings)


def pages(client, version):
    token = take(client)
    owner = adviser()
    group = cohort(owner)
    in_progress = start(client)
    student = [
        reverse("home"),
        reverse("privacy"),
        reverse("accessibility"),
        reverse("legal"),
        reverse("assessments:step", args=[in_progress, 1]),
        reverse("assessments:results", args=[token]),
        reverse("assessments:delete", args=[token]),
        reverse("login"),
        reverse("admin:login"),
        "/nulle-part/",
    ]
    adviser_pages = [
        reverse("assessments:adviser-home"),
        reverse("assessments:overview"),
        reverse("assessments:cohort", args=[group.pk]),
        reverse("assessments:cohort-project", args=[group.pk]),
        reverse("assessments:shared-results"),
    ]
    return student, adviser_pages, owner


def assert_secure_headers(response, url):
    assert int(re.search(r"max-age=(\d+)", response["Strict-Transport-Security"])[1]) >= YEAR, url
    csp = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in csp, (url, csp)
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    for morsel in response.cookies.values():
        if morsel.value:  # a cookie being set, not deleted
            assert morsel["secure"] and morsel["samesite"] == "Lax", (url, morsel.key)
            assert morsel["httponly"], (url, morsel.key)


def test_every_page_carries_the_production_headers(client, version, settings):
    student, adviser_pages, owner = pages(FormClient(), version)
    enable_production(settings)
    for url in student:
        assert_secure_headers(client.get(url, secure=True), url)
    client.force_login(owner)
    for url in adviser_pages:
        response = client.get(url, secure=True)
        assert response.status_code == 200, url
        assert_secure_headers(response, url)


def test_plain_http_is_redirected_to_https(client, version, production):
    response = client.get(reverse("home"))
    assert response.status_code == 301 and response["Location"].startswith("https://")


def test_cookies_set_by_forms_are_secure(version, production):
    browser = FormClient()
    browser.get(reverse("home"), secure=True)
    browser.post(reverse("set_language"), {"language": "en", "next": "/"}, secure=True)
    owner = adviser("securite")
    browser.force_login(owner)
    names = {"csrftoken", "django_language", "sessionid"}
    assert names <= set(browser.cookies)
    for name in names:
        assert browser.cookies[name]["secure"], name


def test_csrf_is_enforced_on_every_form(version):
    guarded = FormClient(enforce_csrf_checks=True)
    token = take(FormClient())
    owner = adviser()
    group = cohort(owner)
    anonymous_posts = [
        reverse("assessments:start"),
        reverse("assessments:step", args=[start(FormClient()), 1]),
        reverse("assessments:share", args=[token]),
        reverse("assessments:revoke", args=[token]),
        reverse("assessments:delete", args=[token]),
        reverse("assessments:retake", args=[token]),
        reverse("set_language"),
        reverse("login"),
        reverse("password_reset"),
    ]
    for url in anonymous_posts:
        assert guarded.post(url, {}).status_code == 403, url
    guarded.force_login(owner)
    for url in (
        reverse("assessments:cohort-create"),
        reverse("assessments:cohort-rename", args=[group.pk]),
        reverse("assessments:cohort-archive", args=[group.pk]),
        reverse("assessments:shared-results"),
        reverse("password_change"),
        reverse("logout"),
    ):
        assert guarded.post(url, {"name": "x"}).status_code == 403, url
    group.refresh_from_db()
    assert group.name != "x" and not group.is_archived


ATTACK = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_content_entered_in_the_admin_is_escaped_everywhere(client, admin_client, version):
    draft = clone_version(version, code="2026-2")
    Item.objects.filter(version=draft, code="CG1-a").update(statement=f"Phrase {ATTACK}")
    Expectation.objects.filter(version=draft, code="CG1").update(
        label=f"Français {ATTACK}", advice=f"Lire {ATTACK}\nÉcrire {ATTACK}"
    )
    Category.objects.filter(version=draft, code="CG").update(name=f"Générales {ATTACK}")
    Track.objects.filter(version=draft).update(caveat=f"Attention {ATTACK}")
    publish_version(draft)
    owner = adviser()
    group = cohort(owner, name=f"Classe {ATTACK}")
    for _n in range(10):
        completed_attempt(group, value=lambda item: 3)
    token = take(client, value=lambda item: 1)
    attempt = completed_attempt()
    code = share_assessment(attempt)

    adviser_client = FormClient()
    adviser_client.force_login(owner)
    rendered = [
        client.get(reverse("assessments:step", args=[start(client), 1])),
        client.get(reverse("assessments:results", args=[token])),
        client.get(reverse("assessments:results", args=[token]), {"vue": "impression"}),
        admin_client.get(reverse("admin:orientation_version_preview", args=[draft.pk])),
        adviser_client.get(reverse("assessments:adviser-home")),
        adviser_client.get(reverse("assessments:cohort", args=[group.pk])),
        adviser_client.get(reverse("assessments:cohort-project", args=[group.pk])),
        adviser_client.post(reverse("assessments:shared-results"), {"code": code}, follow=True),
    ]
    for response in rendered:
        html = response.content.decode()
        assert response.status_code == 200
        assert "<script>alert" not in html and "onerror=alert(1)>" not in html
        assert "&lt;script&gt;" in html or "&lt;img" in html


def production_setting(name, **env):
    """A setting as production computes it from the environment (a fresh interpreter)."""
    environment = {key: value for key, value in os.environ.items() if key != "DJANGO_BEHIND_PROXY"}
    environment.update(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 50, DJANGO_HTTPS="1", **env)
    code = f"import config.settings as s; print(repr(s.{name}))"
    result = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_forwarded_headers_are_trusted_only_behind_a_proxy():
    assert production_setting("SECURE_PROXY_SSL_HEADER") == "None"
    assert production_setting("SECURE_PROXY_SSL_HEADER", DJANGO_BEHIND_PROXY="1") == (
        "('HTTP_X_FORWARDED_PROTO', 'https')"
    )


def test_a_forged_forwarded_proto_does_not_make_plain_http_secure(client, version, production):
    response = client.get(reverse("home"), HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301 and response["Location"].startswith("https://")


def test_behind_a_transaction_pooler_nothing_outlives_a_transaction():
    url = {"DATABASE_URL": "postgres://u@127.0.0.1:6432/reperes"}
    cursors = "DATABASES['default']['DISABLE_SERVER_SIDE_CURSORS']"
    prepared = "DATABASES['default']['OPTIONS']['prepare_threshold']"
    assert production_setting(cursors, **url) == "False"
    assert production_setting(prepared, **url) == "0"
    pooled = {"DATABASE_TRANSACTION_POOLER": "1", **url}
    assert production_setting(cursors, **pooled) == "True"
    assert production_setting(prepared, **pooled) == "None"
    replica = {"DATABASE_REPLICA_URL": "postgres://u@127.0.0.1:6432/reperes_replica", **pooled}
    assert production_setting(cursors.replace("default", "replica"), **replica) == "True"
    assert production_setting(prepared.replace("default", "replica"), **replica) == "None"
