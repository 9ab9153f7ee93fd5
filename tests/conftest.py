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
