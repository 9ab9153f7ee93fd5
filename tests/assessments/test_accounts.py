"""Adviser accounts: created by admins, login, password change and reset, lockout."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.utils import text

from .factories import PASSWORD, adviser


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
