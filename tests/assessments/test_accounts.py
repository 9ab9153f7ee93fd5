"""Adviser accounts: created by admins, login, password change and reset, lockout."""

import io
import os
import re
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine as _time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from tests.utils import FormClient, text

from .factories import PASSWORD, adviser


def time_machine(moment):
    return _time_machine.travel(moment, tick=False)


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_create_adviser_makes_an_account_that_can_use_the_adviser_space(client, db):
    out = io.StringIO()
    call_command(
        "create_adviser", "mme.durand", email="d@example.org", password=PASSWORD, stdout=out
    )
    assert "Conseiller « mme.durand » créé" in out.getvalue()
    user = get_user_model().objects.get(username="mme.durand")
    assert user.groups.filter(name="Conseillers").exists()
    assert user.has_perm("assessments.use_adviser_space")
    assert not user.is_staff
    response = login(client, "mme.durand", PASSWORD)
    assert response["Location"] == reverse("assessments:adviser-home")
    assert client.get(reverse("assessments:adviser-home")).status_code == 200


def test_create_adviser_refuses_duplicates_and_weak_passwords(db):
    adviser("pris")
    with pytest.raises(CommandError, match="existe déjà"):
        call_command("create_adviser", "pris", password=PASSWORD, stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("create_adviser", "nouveau", password="123", stdout=io.StringIO())
    assert not get_user_model().objects.filter(username="nouveau").exists()


def test_an_admin_makes_an_adviser_by_adding_the_group(admin_client, client, db):
    user = get_user_model().objects.create_user("m.martin", password=PASSWORD)
    login(client, "m.martin", PASSWORD)
    assert client.get(reverse("assessments:adviser-home")).status_code == 403
    group = Group.objects.get(name="Conseillers")
    response = admin_client.post(
        reverse("admin:auth_user_change", args=[user.pk]),
        {
            "username": "m.martin",
            "groups": [group.pk],
            "is_active": "on",
            "date_joined_0": "2026-11-27",
            "date_joined_1": "08:00:00",
            "initial-date_joined_0": "2026-11-27",
            "initial-date_joined_1": "08:00:00",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("assessments:adviser-home")).status_code == 200


def test_the_home_page_links_to_the_adviser_space(client, version):
    assert reverse("assessments:adviser-home") in text(client.get(reverse("home")))


def test_logout_and_password_change(client, db):
    adviser("prof")
    login(client, "prof", PASSWORD)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "autre-phrase-longue-2027",
            "new_password2": "autre-phrase-longue-2027",
        },
    )
    assert response.status_code == 302
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("assessments:adviser-home")).status_code == 302
    assert login(client, "prof", "autre-phrase-longue-2027").status_code == 302


def test_password_reset_sends_a_link(client, db):
    user = adviser("prof")
    user.email = "prof@example.org"
    user.save()
    response = client.post(reverse("password_reset"), {"email": "prof@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/conseiller/reset/" in mail.outbox[0].body
    assert "Repères" in mail.outbox[0].subject


def test_five_failures_lock_the_account_for_fifteen_minutes(client, db):
    adviser("prof")
    for _attempt in range(4):
        assert login(client, "prof", "mauvais").status_code == 200
    fifth = login(client, "prof", "mauvais")
    assert fifth.status_code == 429
    assert "Compte bloqué pour 15 minutes" in text(fifth)
    response = login(client, "prof", PASSWORD)
    assert response.status_code == 429
    assert client.get(reverse("assessments:adviser-home")).status_code == 302


def login_from(address, username, password):
    return FormClient(REMOTE_ADDR=address).post(
        reverse("login"), {"username": username, "password": password}
    )


def test_a_stranger_elsewhere_cannot_lock_a_teacher_out_at_school(db):
    adviser("prof")
    for _attempt in range(5):
        login_from("203.0.113.66", "prof", "mauvais")
    assert login_from("203.0.113.66", "prof", PASSWORD).status_code == 429
    # The teacher at school, from the lycée's address, signs in as usual.
    assert login_from("198.51.100.10", "prof", PASSWORD).status_code == 302


def test_failures_during_the_lockout_do_not_extend_it(db):
    adviser("prof")
    start = timezone.now()
    with time_machine(start):
        for _attempt in range(5):
            login_from("198.51.100.10", "prof", "mauvais")
    with time_machine(start + timedelta(minutes=10)):
        assert login_from("198.51.100.10", "prof", "mauvais").status_code == 429
    with time_machine(start + timedelta(minutes=16)):
        assert login_from("198.51.100.10", "prof", PASSWORD).status_code == 302


def test_the_lock_page_offers_a_password_reset(client, db):
    adviser("prof")
    for _attempt in range(5):
        response = login(client, "prof", "mauvais")
    assert response.status_code == 429
    assert reverse("password_reset") in response.content.decode()


def test_a_reset_link_works_once_and_not_after_an_hour(client, db, settings):
    user = adviser("prof")
    user.email = "prof@example.org"
    user.save()
    client.post(reverse("password_reset"), {"email": "prof@example.org"})
    link = re.search(r"/conseiller/reset/\S+/", mail.outbox[-1].body)[0]
    form = client.get(link, follow=True)
    assert "Nouveau mot de passe" in text(form) or form.status_code == 200
    new = {"new_password1": "une-autre-phrase-2027", "new_password2": "une-autre-phrase-2027"}
    assert client.post(form.redirect_chain[-1][0], new).status_code == 302
    again = FormClient().get(link, follow=True)
    assert "n'est plus valable" in text(again)
    assert settings.PASSWORD_RESET_TIMEOUT <= 3600


def test_without_a_mail_backend_reset_is_off_and_says_whom_to_ask(client, db, settings):
    settings.PASSWORD_RESET_ENABLED = False
    settings.SITE_CONTACT_EMAIL = "dpd@lycee.example.org"
    user = adviser("prof")
    user.email = "prof@example.org"
    user.save()
    response = client.post(reverse("password_reset"), {"email": "prof@example.org"})
    assert response.status_code == 200
    assert "la réinitialisation en ligne est désactivée" in text(response)
    assert "dpd@lycee.example.org" in text(response)
    assert not mail.outbox


def test_production_refuses_the_console_mail_backend():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "x" * 50,
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "cannot be the console backend in production" in result.stderr


def test_staff_pages_are_never_cached_and_sessions_end_when_idle(client, db, settings):
    user = adviser("prof")
    client.force_login(user)
    response = client.get(reverse("assessments:adviser-home"))
    assert response["Cache-Control"] == "private, no-store, max-age=0"
    assert settings.SESSION_COOKIE_AGE <= 10 * 3600
    start = timezone.now()
    with time_machine(start + timedelta(seconds=settings.SESSION_IDLE_SECONDS + 120)):
        response = client.get(reverse("assessments:adviser-home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert client.get(reverse("assessments:adviser-home")).status_code == 302
