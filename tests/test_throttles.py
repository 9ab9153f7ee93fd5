"""Rate limits that fit a school (config/throttle.py): per browser, per address, for the site;
state in the shared cache; a kind 429 page with Retry-After."""

import os

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import caches
from django.urls import reverse

from assessments.models import Assessment
from config import throttle
from tests.assessments.factories import PASSWORD, adviser, cohort
from tests.utils import FormClient, plain


@pytest.fixture(autouse=True)
def real_limits(settings):
    settings.THROTTLE_SCALE = 1


def start(client, code=""):
    return client.post(reverse("assessments:start"), {"class_code": code})


def test_a_browser_cannot_start_questionnaires_in_a_hurry(version):
    browser = FormClient()
    for _n in range(5):
        assert start(browser).status_code == 302
    response = start(browser)
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "Beaucoup de questionnaires ont déjà été commencés" in plain(response)
    assert "De nouveau possible dans" in plain(response)
    assert Assessment.objects.count() == 5
    # Another student of the same school (same address, own browser) still starts.
    assert start(FormClient()).status_code == 302


def test_a_forged_client_cookie_is_a_new_client_not_a_way_around(version):
    browser = FormClient()
    browser.cookies[throttle.CLIENT_COOKIE] = "forged"
    assert start(browser).status_code == 302
    assert browser.cookies[throttle.CLIENT_COOKIE].value != "forged"


def test_one_address_has_a_limit_that_fits_a_school(version, monkeypatch):
    monkeypatch.setitem(throttle.RULES["start"], "address", throttle.Limit(8, 3600))
    for _n in range(8):
        assert start(FormClient()).status_code == 302  # eight students, eight browsers
    assert start(FormClient()).status_code == 429
    assert start(FormClient(REMOTE_ADDR="10.0.0.9")).status_code == 302  # another school


def test_the_whole_site_has_a_limit(version, monkeypatch):
    monkeypatch.setitem(throttle.RULES["start"], "site", throttle.Limit(3, 60))
    for n in range(3):
        assert start(FormClient(REMOTE_ADDR=f"10.0.0.{n}")).status_code == 302
    assert start(FormClient(REMOTE_ADDR="10.0.1.1")).status_code == 429


def test_probing_class_codes_is_stopped(version):
    group = cohort(adviser())
    browser = FormClient()
    for n in range(10):
        assert browser.get(f"/c/ZZZZ{n:02d}/").status_code == 404
    # Even a right code now waits: a prober cannot tell.
    response = browser.get(f"/c/{group.code}/")
    assert response.status_code == 429
    assert "Trop de codes de classe incorrects" in plain(response)
    assert start(browser, group.code).status_code == 429
    assert FormClient().get(f"/c/{group.code}/").status_code == 200


def test_wrong_codes_typed_in_the_start_form_count_too(version):
    browser = FormClient()
    for n in range(10):
        assert start(browser, f"ZZZZ{n:02d}").status_code == 400
    assert start(browser, "ZZZZZZ").status_code == 429


def test_an_adviser_logged_in_cannot_add_attempts_to_a_class(client, version):
    owner = adviser()
    group = cohort(owner)
    client.force_login(owner)
    response = start(client, group.code)
    assert response.status_code == 400
    assert "un questionnaire commencé ici ne peut pas rejoindre une classe" in plain(response)
    assert not Assessment.objects.exists()


def test_reset_requests_are_limited_per_address_asked_for(version):
    get_user_model().objects.create_user("prof", "prof@example.org", PASSWORD)
    for n in range(3):
        client = FormClient(REMOTE_ADDR=f"10.0.0.{n}")
        assert (
            client.post(reverse("password_reset"), {"email": "prof@example.org"}).status_code == 302
        )
    response = FormClient().post(reverse("password_reset"), {"email": "PROF@example.org "})
    assert response.status_code == 429
    assert "Trop de demandes de réinitialisation" in plain(response)
    assert len(mail.outbox) == 3


def test_reset_requests_are_limited_per_client(version):
    browser = FormClient()
    for n in range(10):
        assert (
            browser.post(reverse("password_reset"), {"email": f"x{n}@example.org"}).status_code
            == 302
        )
    assert browser.post(reverse("password_reset"), {"email": "y@example.org"}).status_code == 429


def test_logins_are_limited_per_address(db, monkeypatch):
    monkeypatch.setitem(throttle.RULES["login"], "address", throttle.Limit(4, 900))
    adviser("prof")
    for n in range(4):
        response = FormClient().post(reverse("login"), {"username": f"x{n}", "password": "faux"})
        assert response.status_code == 200
    response = FormClient().post(reverse("login"), {"username": "prof", "password": PASSWORD})
    assert response.status_code == 429


def test_wrong_share_codes_are_limited_per_address_across_accounts(version):
    for n in range(3):
        browser = FormClient()
        browser.force_login(adviser(f"c{n}"))
        for _try in range(10):
            response = browser.post(reverse("assessments:shared-results"), {"code": "AAAAAAAA"})
            assert response.status_code in (404, 429)
    browser = FormClient()
    browser.force_login(adviser("fresh"))
    response = browser.post(reverse("assessments:shared-results"), {"code": "AAAAAAAA"})
    assert response.status_code == 429


def test_counters_live_in_a_cache_every_instance_shares():
    backend = django_settings.CACHES["default"]["BACKEND"]
    assert backend.endswith(("DatabaseCache", "RedisCache")), backend
    assert "LocMem" not in type(caches["default"]).__name__


def test_behind_a_proxy_the_client_is_the_address_the_proxy_saw(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    settings.BEHIND_PROXY = False
    assert throttle.client_address(request) == "10.1.1.1"  # forwarded headers not trusted
    settings.BEHIND_PROXY = True
    assert throttle.client_address(request) == "203.0.113.7"  # the forged first hop ignored
    settings.BEHIND_PROXY = False
    built = rf.get("/")
    del built.META["REMOTE_ADDR"]
    # No address at all (a login forced in code): None, which the lockout log can store.
    assert throttle.client_address(built) is None


def redis_reachable():
    import socket

    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(
    not redis_reachable() and os.environ.get("REQUIRE_REDIS") != "1",
    reason="no Redis on 127.0.0.1:6379 (opt-in; CI sets REQUIRE_REDIS=1)",
)
def test_limits_hold_with_the_redis_cache_that_several_instances_share(version, settings):
    settings.CACHES = {
        **settings.CACHES,  # the per-process fragments stay (config/settings.py)
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": f"reperes-test-{os.getpid()}",
        },
    }
    from django.core.cache import cache

    cache.clear()
    try:
        browser = FormClient()
        for _n in range(5):
            assert start(browser).status_code == 302
        assert start(browser).status_code == 429
    finally:
        cache.clear()


def test_retakes_are_limited_like_starts(version):
    from tests.assessments.journey import complete

    browser = FormClient()
    token = start(browser)["Location"].split("/")[2]
    complete(browser, token)
    for _n in range(4):
        response = browser.post(reverse("assessments:retake", args=[token]))
        assert response.status_code == 302
        complete(browser, token)  # the link now leads to the retake, to finish before the next
    response = browser.post(reverse("assessments:retake", args=[token]))
    assert response.status_code == 429
    assert Assessment.objects.count() == 5


def test_a_wrong_code_streak_never_stops_starting_without_a_code(version):
    browser = FormClient()
    for n in range(10):
        assert start(browser, f"ZZZZ{n:02d}").status_code == 400
    assert start(browser, "ZZZZZZ").status_code == 429
    assert start(browser).status_code == 302


def test_successful_logins_never_use_up_the_limit(db, monkeypatch):
    monkeypatch.setitem(throttle.RULES["login"], "address", throttle.Limit(3, 900))
    adviser("prof")
    for _n in range(6):
        browser = FormClient()
        assert (
            browser.post(reverse("login"), {"username": "prof", "password": PASSWORD}).status_code
            == 302
        )


def test_an_ipv6_client_counts_as_its_whole_64(version, monkeypatch):
    monkeypatch.setitem(throttle.RULES["start"], "address", throttle.Limit(2, 3600))
    for host in ("2001:db8:1:2::10", "2001:db8:1:2::11"):
        assert start(FormClient(REMOTE_ADDR=host)).status_code == 302
    assert start(FormClient(REMOTE_ADDR="2001:db8:1:2:ffff::1")).status_code == 429
    assert start(FormClient(REMOTE_ADDR="2001:db8:1:3::1")).status_code == 302


def test_the_without_code_button_works_while_codes_are_blocked(version):
    browser = FormClient()
    for n in range(10):
        assert start(browser, f"ZZZZ{n:02d}").status_code == 400
    response = browser.post(
        reverse("assessments:start"), {"class_code": "ZZZZ99", "without_code": "1"}
    )
    assert response.status_code == 302
    assert Assessment.objects.get().cohort is None
