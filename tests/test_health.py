"""/healthz tells a load balancer whether this instance can serve."""

import json

import pytest
from django.db import OperationalError

from config import health


@pytest.fixture(autouse=True)
def fresh_instance(monkeypatch):
    monkeypatch.setattr(health, "_migrated", False)


def test_a_migrated_instance_with_its_database_is_healthy(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"database": "ok", "migrations": "applied"}
    assert "no-cache" in response["Cache-Control"]


def test_pending_migrations_make_an_instance_unhealthy(client, db, monkeypatch):
    monkeypatch.setattr(health, "_pending_migrations", lambda: 2)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content) == {"database": "ok", "migrations": "pending"}


def test_an_unreachable_database_makes_an_instance_unhealthy(client, db, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(health, "_ask_database", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content) == {"database": "unreachable"}
    assert "refused" not in response.content.decode()


def test_migrations_are_read_once_per_instance(client, db, monkeypatch):
    calls = []
    monkeypatch.setattr(health, "_pending_migrations", lambda: calls.append(1) or 0)
    client.get("/healthz")
    client.get("/healthz")
    assert len(calls) == 1


def test_the_balancer_checks_over_plain_http_in_production(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301
