import os
from pathlib import Path

import pytest
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from orientation.loading import SECOND_FIXTURE, load_questionnaire

# Hypothesis profiles, chosen by HYPOTHESIS_PROFILE: "ci" (set by .ci/run and `make test-all`)
# makes every example, the fuzzing's 10,000 requests included; "dev", the default, makes a
# tenth of them so that `make test` stays a few minutes. tests/utils.examples() scales the
# tests that set their own count. No deadline: on these shared machines a property failed
# for taking 300 ms under load; speed is measured by the benchmarks (QUALITY.md), not here.
hypothesis_settings.register_profile("ci", max_examples=100, deadline=None, print_blob=True)
hypothesis_settings.register_profile("dev", max_examples=10, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


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


@pytest.fixture
def second_version(version):
    """Content version 2026-2 published over 2026-1, as `load_questionnaire` does on a running
    deployment (2026-1 is archived; the test's transaction rolls it all back)."""
    loaded, _created = load_questionnaire(SECOND_FIXTURE)
    return loaded


@pytest.fixture(autouse=True)
def fresh_content_cache():
    # Rolled-back test data can reuse ids; never let one test read another's cached content.
    from orientation.outline import clear_content_cache

    clear_content_cache()
    yield
    clear_content_cache()


@pytest.fixture
def client():
    """A browser, posting forms URL-encoded as browsers do (tests/utils.FormClient)."""
    from tests.utils import FormClient

    return FormClient()


@pytest.fixture
def another_browser():
    """A second browser beside `client`: its own cookies, none to start with."""
    from tests.utils import FormClient

    return FormClient()


# --- Browser tests -----------------------------------------------------------------------------
# They drive the system's Chromium (Debian package `chromium`); Playwright cannot download one
# here. Without it they are skipped with one line saying how to enable them, unless
# REQUIRE_BROWSER=1 (CI), where a skipped browser test is a failure.
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS", "test-artifacts")).resolve()
BROWSER_MISSING = (
    f"browser tests skipped: no Chromium at {CHROMIUM}. Enable them with "
    "`apt-get install -y chromium` (or set CHROMIUM_PATH)."
)


def pytest_report_header(config):
    lines = [f"hypothesis profile: {hypothesis_settings.get_current_profile_name()}"]
    if markexpr := config.getoption("markexpr"):
        lines.append(f"only the tests matching -m {markexpr!r} (`make test-all` runs them all)")
    if not Path(CHROMIUM).exists():
        return [*lines, BROWSER_MISSING]
    return [*lines, f"browser tests: {CHROMIUM}; failure screenshots go to {ARTIFACTS}"]


# After `-m` has deselected: a run that leaves the browser tests out needs no Chromium.
@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    browser_items = [item for item in items if item.get_closest_marker("browser")]
    if browser_items and os.environ.get("REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"REQUIRE_BROWSER=1 but {BROWSER_MISSING}")
    for item in browser_items:
        item.add_marker(pytest.mark.skip(reason=BROWSER_MISSING))


@pytest.fixture
def admin_client(db, admin_user):
    """pytest-django's admin client, past the second factor every administrator must give."""
    from tests.utils import FormClient, log_in_verified

    return log_in_verified(FormClient(), admin_user)
