"""With a streaming replica, advisers' aggregates read it; everything else, and a browser that
has just written, reads the primary (config/db.py). `make bench-cluster` runs it for real."""

import json
import os
import subprocess
import sys

import pytest
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from config import db as routing
from tests.assessments.factories import adviser, cohort, completed_attempt
from tests.utils import log_in_verified


class RecordingRouter:
    """The real router's decision for each read, recorded; every query still runs on the
    test database (there is no second database under test)."""

    decisions = []

    def db_for_read(self, model, **hints):
        self.decisions.append(routing.PrimaryReplicaRouter().db_for_read(model, **hints))
        return "default"


@pytest.fixture
def recorded(db, settings, monkeypatch):
    settings.DATABASE_ROUTERS = ["tests.test_replica.RecordingRouter"]
    monkeypatch.setattr(routing, "replica_configured", lambda: True)
    # Each test runs inside a transaction of its own, rolled back at its end; only the
    # transactions the app opens count.
    blocks = connection.atomic_blocks
    outer = len(blocks)
    monkeypatch.setattr(routing, "in_transaction", lambda: len(blocks) > outer)
    RecordingRouter.decisions = []
    return RecordingRouter.decisions


@pytest.fixture
def class_page(client, version):
    owner = adviser()
    group = cohort(owner)
    for _n in range(3):
        completed_attempt(group)
    log_in_verified(client, owner)
    return reverse("assessments:cohort", args=[group.pk])


def test_a_class_dashboard_reads_its_figures_from_the_replica(client, class_page, recorded):
    response = client.get(class_page)
    assert response.status_code == 200
    assert "replica" in recorded
    assert routing.PIN_COOKIE not in response.cookies


def test_a_student_step_never_reads_the_replica(client, version, recorded):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert client.post(reverse("assessments:start"), {}).status_code == 302
    assert recorded and set(recorded) == {"default"}


def test_after_a_post_the_browser_reads_the_primary(client, class_page, recorded, settings):
    settings.MIDDLEWARE = ["config.db.pin_after_write", *settings.MIDDLEWARE]
    response = client.post(reverse("assessments:cohort-create"), {"name": "Terminale 4"})
    assert response.status_code in (200, 302)
    pin = response.cookies[routing.PIN_COOKIE]
    assert pin["max-age"] == settings.REPLICA_PIN_SECONDS and pin["httponly"]
    recorded.clear()
    assert client.get(class_page).status_code == 200
    assert recorded and set(recorded) == {"default"}


def test_reads_inside_a_transaction_stay_on_the_primary(recorded):
    seen = []

    @routing.reads_from_replica
    def view(request):
        seen.append(routing.read_alias())
        with transaction.atomic():
            seen.append(routing.read_alias())
        return HttpResponse()

    view(RequestFactory().get("/"))
    assert seen == ["replica", "default"]
    assert routing.read_alias() == "default"  # nothing leaks past the view


def test_without_a_replica_url_there_is_one_database_and_no_router():
    settings = _settings_with({})
    assert settings == {"databases": ["default"], "routers": [], "pin": False}


def test_a_replica_url_adds_the_replica_its_router_and_the_pin():
    settings = _settings_with(
        {"DATABASE_REPLICA_URL": "postgres://reperes@127.0.0.1:6432/reperes_replica"}
    )
    assert settings == {
        "databases": ["default", "replica"],
        "routers": ["config.db.PrimaryReplicaRouter"],
        "pin": True,
    }


def _settings_with(env):
    """Settings as a fresh process reads them from this environment."""
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({'databases': sorted(settings.DATABASES), "
        "'routers': settings.DATABASE_ROUTERS, "
        "'pin': 'config.db.pin_after_write' in settings.MIDDLEWARE}))"
    )
    clean = {k: v for k, v in os.environ.items() if k != "DATABASE_REPLICA_URL"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "1", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])
