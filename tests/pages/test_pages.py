"""The public pages: what the tool is, privacy, accessibility, legal notice; FR and EN."""

import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from tests.utils import text

PAGES = ["home", "privacy", "accessibility", "legal", "method"]
# The home page says how long the current version is: it reads it.
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", PAGES)
def test_each_page_has_the_layout_in_french(client, name):
    response = client.get(reverse(name))
    html = text(response)
    assert response.status_code == 200
    assert '<html lang="fr">' in html
    assert 'href="#main"' in html and 'id="main"' in html
    assert html.count("<h1") == 1
    for footer_link in ("Confidentialité", "Mentions légales", "Accessibilité"):
        assert footer_link in html
    assert "/static/css/bootstrap.css" in html


def test_the_home_page_says_what_the_tool_is_and_is_not(client):
    html = text(client.get(reverse("home")))
    assert "Ce n'est pas un test de sélection" in html
    assert "ne sont envoyées ni à Parcoursup ni à aucune formation" in html
    # 2026-1 (the test database's current version): 4 steps, 73 questions, about 10 minutes.
    assert "environ 10 minutes, en 4 étapes et 73 questions" in html
    assert "ne délivre pas le diplôme" in html


def test_the_privacy_page_gives_retention_and_group_size_from_settings(client, settings):
    html = text(client.get(reverse("privacy")))
    assert f"au bout de {settings.RETENTION_DAYS} jours" in html
    assert f"moins de {settings.MIN_GROUP_SIZE} questionnaires terminés" in html


@pytest.mark.parametrize("name", PAGES)
def test_each_page_reads_in_english_once_chosen(client, name):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse(name)})
    assert response.status_code == 302
    html = text(client.get(reverse(name)))
    assert '<html lang="en">' in html
    assert "Skip to content" in html
    assert "Privacy" in html and "Legal notice" in html


def test_the_english_home_page_is_translated(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = text(client.get(reverse("home")))
    assert "It is not a selection test" in html
    assert "Ce n'est pas" not in html


def run_settings(env):
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup()"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env={"PATH": "/usr/bin:/bin", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_settings({})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off" in result.stderr


def test_a_malformed_setting_is_named_in_the_error():
    result = run_settings({"DJANGO_SECRET_KEY": "x", "MIN_GROUP_SIZE": "ten"})
    assert result.returncode != 0
    assert "MIN_GROUP_SIZE must be a whole number" in result.stderr


def test_production_starts_with_a_secret_key():
    assert run_settings({"DJANGO_SECRET_KEY": "x" * 50}).returncode == 0
