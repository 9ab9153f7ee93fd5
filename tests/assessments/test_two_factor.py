"""The second factor, as administrators, advisers and students meet it."""

import time
from base64 import b32encode
from urllib.parse import quote

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments import two_factor
from tests.utils import FormClient, log_in_verified, plain, text

from .factories import PASSWORD, adviser

SETUP = reverse("assessments:two-factor-setup")
VERIFY = reverse("assessments:two-factor-verify")
SECURITY = reverse("assessments:two-factor")
WRONG = "Ce code ne correspond pas."


def code(device, steps_ahead=0):
    """What the authenticator app shows now, or `steps_ahead` periods of 30 s later."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device):
    accepted = {code(device, steps) for steps in (-1, 0, 1)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in accepted)


def enrolled(user):
    """A user who set up an app: its device and the recovery codes shown at the time."""
    device = TOTPDevice.objects.create(user=user, name="Application", confirmed=False)
    return device, two_factor.confirm_authenticator(device)


def log_in(client, username, password):
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302, response.status_code


def log_out(client):
    assert client.post(reverse("logout")).status_code == 302


def enrol_through_the_pages(client, next_url=""):
    query = f"?next={quote(next_url)}" if next_url else ""
    page = client.get(SETUP + query)
    assert page.status_code == 200
    device = TOTPDevice.objects.filter(confirmed=False).latest("pk")  # this session's
    return device, client.post(SETUP + query, {"code": code(device)})


def test_an_admin_without_a_device_is_sent_to_enrolment(client, admin_user):
    client.force_login(admin_user)
    for guarded in (reverse("admin:index"), reverse("assessments:adviser-home")):
        response = client.get(guarded)
        assert response.status_code == 302
        assert response["Location"] == f"{SETUP}?next={quote(guarded)}"
    assert "Activer la double authentification" in text(client.get(SETUP))


def test_enrolling_with_the_right_code_shows_ten_recovery_codes_and_opens_the_admin(
    client, admin_user
):
    client.force_login(admin_user)
    page = text(client.get(SETUP))
    device = TOTPDevice.objects.get(user=admin_user, confirmed=False)
    assert 'src="data:image/svg+xml' in page
    assert b32encode(device.bin_key).decode() in page.replace(" ", "")  # to type by hand

    device, response = enrol_through_the_pages(client, next_url=reverse("admin:index"))

    assert response.status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    codes = list(
        StaticToken.objects.filter(device__user=admin_user).values_list("token", flat=True)
    )
    assert len(codes) == 10
    page = plain(response)
    assert all(recovery in page for recovery in codes)
    assert "Imprimez cette page ou rangez ces codes" in page
    assert f'href="{reverse("admin:index")}"' in text(response)
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_wrong_code_is_refused_with_a_message_and_confirms_nothing(client, admin_user):
    client.force_login(admin_user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=admin_user)

    response = client.post(SETUP, {"code": wrong_code(device)})

    assert response.status_code == 400
    assert WRONG in plain(response)
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticToken.objects.exists()
    assert client.get(reverse("admin:index"))["Location"].startswith(SETUP)


def test_after_a_new_login_the_admin_gives_a_code_before_the_admin_opens(client, admin_user):
    client.force_login(admin_user)
    device, _response = enrol_through_the_pages(client)
    log_out(client)

    log_in(client, "admin", "password")
    admin = reverse("admin:index")
    response = client.get(admin)
    assert response["Location"] == f"{VERIFY}?next={quote(admin)}"
    assert "Code de vérification" in text(client.get(response["Location"]))

    # Thirty seconds later: the code given at enrolment cannot be replayed.
    response = client.post(f"{VERIFY}?next={quote(admin)}", {"code": code(device, 1)})
    assert response.status_code == 302
    assert response["Location"] == admin
    assert client.get(admin).status_code == 200


def test_a_recovery_code_works_once_and_not_twice(client, admin_user):
    _device, codes = enrolled(admin_user)

    log_in(client, "admin", "password")
    response = client.post(VERIFY, {"code": codes[0].upper()})
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    log_out(client)

    log_in(client, "admin", "password")
    response = client.post(VERIFY, {"code": codes[0]})
    assert response.status_code == 400
    assert WRONG in plain(response)
    assert client.get(reverse("admin:index")).status_code == 302
    assert StaticToken.objects.filter(device__user=admin_user).count() == 9


def test_after_a_wrong_code_the_next_try_must_wait(client, admin_user):
    device, _codes = enrolled(admin_user)
    log_in(client, "admin", "password")
    assert client.post(VERIFY, {"code": wrong_code(device)}).status_code == 400

    # django-otp's throttle: 1 s after one failure, 2 s after two, and so on.
    response = client.post(VERIFY, {"code": code(device)})
    assert response.status_code == 400
    assert "Trop de codes incorrects : attendez 1 seconde avant de réessayer." in plain(response)


def test_an_adviser_without_a_device_is_not_forced_and_can_enrol(client, version):
    client.force_login(adviser("prof"))
    home = client.get(reverse("assessments:adviser-home"))
    assert home.status_code == 200
    assert f'href="{SECURITY}"' in text(home)
    assert "Désactivée." in plain(client.get(SECURITY))

    _device, response = enrol_through_the_pages(client)

    assert response.status_code == 200
    assert "La double authentification est activée." in plain(response)
    page = plain(client.get(SECURITY))
    assert "Activée." in page
    assert "Il vous reste 10 codes de secours." in page


def test_an_adviser_with_a_device_gives_a_code_but_still_sees_the_student_pages(client, version):
    prof = adviser("prof")
    device, _codes = enrolled(prof)
    log_in(client, "prof", PASSWORD)

    home = reverse("assessments:adviser-home")
    for guarded in (home, reverse("assessments:overview"), SECURITY, reverse("password_change")):
        assert client.get(guarded)["Location"].startswith(VERIFY)
    assert client.get(reverse("home")).status_code == 200

    response = client.post(f"{VERIFY}?next={quote(home)}", {"code": code(device)})
    assert response["Location"] == home
    assert client.get(home).status_code == 200


def test_the_code_page_never_sends_to_another_site(client, admin_user):
    device, _codes = enrolled(admin_user)
    log_in(client, "admin", "password")
    response = client.post(f"{VERIFY}?next=https://pirate.example/", {"code": code(device)})
    assert response["Location"] == reverse("admin:index")


def test_an_admin_cannot_switch_it_off_and_an_adviser_can_with_a_code(client, admin_client):
    assert admin_client.get(reverse("assessments:two-factor-disable")).status_code == 403
    assert "ne peut pas être désactivée" in plain(admin_client.get(SECURITY))

    prof = adviser("prof")
    device, _codes = enrolled(prof)
    log_in(client, "prof", PASSWORD)
    client.post(VERIFY, {"code": code(device)})
    disable = reverse("assessments:two-factor-disable")
    assert client.post(disable, {"code": "pas-un-code"}).status_code == 400

    response = client.post(disable, {"code": code(device, 1)})

    assert response["Location"] == SECURITY
    assert not two_factor.has_confirmed_device(prof)
    assert not StaticToken.objects.exists()
    assert client.get(reverse("assessments:adviser-home")).status_code == 200


def test_new_recovery_codes_replace_the_old_ones(client, version):
    prof = adviser("prof")
    _device, old = enrolled(prof)
    log_in_verified(client, prof)

    response = client.post(reverse("assessments:two-factor-recovery"))

    assert response.status_code == 200
    new = set(StaticToken.objects.values_list("token", flat=True))
    assert len(new) == 10 and not new & set(old)
    assert all(recovery in plain(response) for recovery in new)


def test_the_security_pages_are_never_cached(client, admin_user):
    client.force_login(admin_user)
    assert "no-store" in client.get(SETUP)["Cache-Control"]


def test_a_student_page_costs_no_query_for_the_second_factor(
    client, version, django_assert_num_queries
):
    client.get(reverse("home"))  # the published content is read once per process
    # Students have no session: the second factor is never looked for. The one query left is
    # the home page's own: which version is current, for its « N étapes, N questions ».
    with django_assert_num_queries(1) as captured:
        assert client.get(reverse("home")).status_code == 200
    assert "orientation_questionnaireversion" in captured.captured_queries[0]["sql"]


@pytest.mark.parametrize("required", [True, False])
def test_the_requirement_for_administrators_is_a_setting(client, admin_user, settings, required):
    settings.TWO_FACTOR_REQUIRED_FOR_STAFF = required
    client.force_login(admin_user)
    assert (client.get(reverse("admin:index")).status_code == 302) is required


def test_a_new_phone_replaces_the_old_one(client, version):
    prof = adviser("prof")
    old, _codes = enrolled(prof)
    log_in_verified(client, prof)
    assert "Configurer un autre téléphone" in plain(client.get(SETUP))
    new = TOTPDevice.objects.get(user=prof, confirmed=False)

    response = client.post(SETUP, {"code": code(new)})

    assert response.status_code == 200
    assert list(TOTPDevice.objects.filter(user=prof)) == [new]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert client.get(reverse("assessments:adviser-home")).status_code == 200


def test_a_secret_seen_by_another_session_is_never_the_one_confirmed(client, admin_user):
    """The attacker's case: with the password alone, read the setup page's secret; the owner
    later enrols elsewhere; the attacker's secret must not open the account."""
    attacker = FormClient()
    log_in(attacker, "admin", "password")
    attacker.get(SETUP)
    seen = TOTPDevice.objects.get(user=admin_user, confirmed=False)
    seen_code = code(seen)  # what the attacker's copy of the secret gives

    log_in(client, "admin", "password")
    device, response = enrol_through_the_pages(client)
    assert device.pk != seen.pk and device.bin_key != seen.bin_key
    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(pk=seen.pk).exists()  # confirming removed the rest

    stranger = FormClient()
    log_in(stranger, "admin", "password")
    stranger.post(VERIFY, {"code": seen_code})
    assert stranger.get(reverse("admin:index")).status_code == 302


def test_a_session_opened_before_enrolment_cannot_change_the_password_after_it(version):
    """Found by an attacker: the « no device » answer was kept five minutes, so a session that
    signed in with the password alone could still change it after the owner enrolled."""
    from .factories import PASSWORD, adviser

    user = adviser("prof")
    early = FormClient()
    log_in(early, "prof", PASSWORD)
    assert early.get(reverse("assessments:adviser-home")).status_code == 200
    enrolled(user)
    change = {
        "old_password": PASSWORD,
        "new_password1": "une-autre-phrase-2027",
        "new_password2": "une-autre-phrase-2027",
    }
    response = early.post(reverse("password_change"), change)
    assert response.status_code == 302 and VERIFY in response["Location"]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
