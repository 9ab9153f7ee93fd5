"""The benchmark's floor view: absent unless asked for, and free of database work."""

from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import RequestFactory

from assessments.floor import floor
from orientation.services import MAX_ITEMS_PER_STEP


def test_the_floor_is_not_mounted_by_default(client, db):
    assert client.get("/bench/floor/").status_code == 404


def test_the_floor_renders_a_full_step_without_any_query(db, django_assert_num_queries):
    request = RequestFactory().get("/bench/floor/")
    request.user = AnonymousUser()
    request._messages = CookieStorage(request)
    with django_assert_num_queries(0):
        html = floor(request).content.decode()
    assert html.count("<fieldset") == MAX_ITEMS_PER_STEP
    assert "Étape 1 sur 5" in html
