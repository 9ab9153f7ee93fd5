"""The step's one query on PostgreSQL: prepared once per connection, and its own health check
(assessments/steps.py)."""

import pytest
from django.db import OperationalError, close_old_connections, connection, transaction

from assessments.steps import load_step_state

from .factories import consistent
from .journey import answer_step, content_for, start, step_url

postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements and dropped connections"
)


def backend_pid():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def drop(pid):
    """End a server session from another one, as a restart or a failover does."""
    other = connection.get_new_connection(connection.get_connection_params())
    other.autocommit = True
    other.execute("SELECT pg_terminate_backend(%s)", [pid])
    other.close()


def prepared_step_queries():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall() if "token_digest" in row[0]]


@postgresql
def test_the_step_query_is_prepared_once_per_connection(client, version):
    token = start(client)
    answer_step(client, token, 1)
    for _n in range(3):
        assert client.get(step_url(token, 2)).status_code == 200
    assert len(prepared_step_queries()) == 1


@postgresql
def test_behind_a_transaction_pooler_nothing_is_prepared(client, version):
    # What DATABASE_TRANSACTION_POOLER=1 sets (tests/test_security.py checks the setting).
    connection.ensure_connection()
    connection.connection.prepare_threshold = None
    try:
        token = start(client)
        answer_step(client, token, 1)
        assert client.get(step_url(token, 2)).status_code == 200
        assert prepared_step_queries() == []
    finally:
        connection.connection.prepare_threshold = 0


@postgresql
def test_a_reused_connection_is_not_checked_before_the_step_query(client, version, monkeypatch):
    token = start(client)
    answer_step(client, token, 1)
    checks = []
    monkeypatch.setattr(connection, "is_usable", lambda: checks.append(1) or True)
    # What the start of the next request does to a kept connection (close_old_connections,
    # which would also end the test's transaction).
    connection.health_check_done = False
    assert client.get(step_url(token, 2)).status_code == 200
    assert checks == []
    assert connection.health_check_done  # the step's query stood for the check


@postgresql
@pytest.mark.django_db(transaction=True)
def test_a_step_is_served_when_the_database_dropped_the_connection(client, version):
    token = start(client)
    first = content_for(token).step(1)
    answer_step(client, token, 1)
    dropped = backend_pid()
    drop(dropped)  # between two requests
    close_old_connections()

    response = client.get(step_url(token, 1))

    assert response.status_code == 200
    page = response.content.decode()
    assert all(
        f'name="{item.code}" value="{consistent(item)}" checked' in page for item in first.items
    )
    assert backend_pid() != dropped


@postgresql
@pytest.mark.django_db(transaction=True)
def test_a_dropped_connection_inside_a_transaction_is_not_silently_replaced(version, client):
    token = start(client)
    with pytest.raises(OperationalError), transaction.atomic():
        drop(backend_pid())
        connection.health_check_done = False
        load_step_state(token)
