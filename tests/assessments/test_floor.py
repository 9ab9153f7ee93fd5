"""The benchmark's floors: absent from the app, mounted only by bench/'s settings."""

from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import RequestFactory

from bench.floor import floor
from bench.wsgi import BARE_PATH, application
from orientation.services import MAX_ITEMS_PER_STEP


def test_the_app_mounts_no_benchmark_page(client, db):
    assert client.get("/bench/floor/").status_code == 404
    assert client.get(BARE_PATH).status_code == 404


def test_the_floor_renders_a_full_step_without_any_query(db, django_assert_num_queries):
    request = RequestFactory().get("/bench/floor/")
    request.user = AnonymousUser()
    request._messages = CookieStorage(request)
    with django_assert_num_queries(0):
        html = floor(request).content.decode()
    assert html.count("<fieldset") == MAX_ITEMS_PER_STEP
    assert "Étape 1 sur 5" in html


def test_the_bare_wsgi_function_serves_the_saved_bytes(tmp_path, monkeypatch):
    saved = tmp_path / "step.html"
    saved.write_bytes("<!doctype html><p>Étape".encode())
    monkeypatch.setenv("BENCH_BARE_BODY", str(saved))
    started = []
    body = application(
        {"PATH_INFO": BARE_PATH, "REQUEST_METHOD": "GET"},
        lambda status, headers: started.append((status, dict(headers))),
    )
    assert b"".join(body) == saved.read_bytes()
    assert started[0][0] == "200 OK"
    assert started[0][1]["Content-Length"] == str(len(saved.read_bytes()))
