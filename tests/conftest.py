import pytest
from django.utils import translation

from orientation.loading import load_questionnaire


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # The shipped questionnaire is in the test database once, as `make run` loads it;
    # each test runs in a transaction that rolls its own changes back.
    with django_db_blocker.unblock():
        load_questionnaire()


@pytest.fixture(autouse=True)
def french():
    # French is the default language; tests that read English switch explicitly.
    with translation.override("fr"):
        yield


@pytest.fixture
def version(db):
    """The shipped questionnaire, published and current."""
    loaded, _created = load_questionnaire()
    return loaded


@pytest.fixture(autouse=True)
def fresh_content_cache():
    # Rolled-back test data can reuse ids; never let one test read another's cached content.
    from orientation.outline import clear_content_cache

    clear_content_cache()
    yield
    clear_content_cache()


@pytest.fixture
def django_app_client():
    """Another browser: a new client with no cookies."""
    from django.test import Client

    return Client
