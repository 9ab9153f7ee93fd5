import copy
import os
from pathlib import Path

import pytest
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from orientation.loading import SECOND_FIXTURE, _version_code, load_questionnaire

# Hypothesis profiles, chosen by HYPOTHESIS_PROFILE: "ci" (set by .ci/run and `make test-all`)
# makes every example, the fuzzing's 10,000 requests included; "dev", the default, makes a
# tenth of them so that `make test` stays a few minutes. tests/utils.examples() scales the
# tests that set their own count. No deadline: on these shared machines a property failed
# for taking 300 ms under load; speed is measured by the benchmarks (QUALITY.md), not here.
hypothesis_settings.register_profile("ci", max_examples=100, deadline=None, print_blob=True)
hypothesis_settings.register_profile("dev", max_examples=10, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


# The rows of version 2026-2 as its fixture loads them (a draft), read once per run.
SECOND_ROWS = []


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # The shipped questionnaire is in the test database once, as `make run` loads it;
    # each test runs in a transaction that rolls its own changes back.
    with django_db_blocker.unblock():
        load_questionnaire()
        SECOND_ROWS[:] = rows_loaded_by(SECOND_FIXTURE)


def rows_loaded_by(path):
    """Every row that loading `path` stores, validated as `load_questionnaire` validates them,
    kept in memory with their primary keys; the database is left as it was. Loading the
    fixture takes about 3,700 queries, inserting these rows a dozen, and about 80 tests load
    2026-2."""
    from django.db import connection, transaction

    from orientation.loading import _all_rows
    from orientation.models import QuestionnaireVersion

    with transaction.atomic():
        load_questionnaire(path)  # publishes it: the row is stored as the draft it was
        version = QuestionnaireVersion.objects.get(code=_version_code(path))
        rows = [list(model_rows) for model_rows in _all_rows(version)]
        rows[0][0].status, rows[0][0].is_current = QuestionnaireVersion.Status.DRAFT, False
        rows[0][0].published_at = None
        for model_rows in rows[1:]:
            for field in model_rows[0]._meta.many_to_many if model_rows else ():
                through = field.remote_field.through
                rows.append(
                    list(through.objects.filter(**{f"{field.m2m_field_name()}__version": version}))
                )
        transaction.set_rollback(True)
    if connection.vendor == "sqlite":
        # SQLite hands rolled-back ids out again; PostgreSQL's sequences have moved past them.
        with connection.cursor() as cursor:
            for model_rows in rows:
                if model_rows:
                    cursor.execute(
                        "UPDATE sqlite_sequence SET seq = MAX(seq, %s) WHERE name = %s",
                        [max(row.pk for row in model_rows), model_rows[0]._meta.db_table],
                    )
    return rows


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
    deployment (2026-1 is archived; the test's transaction rolls it all back). Its rows are
    the ones the fixture loaded once per run (rows_loaded_by)."""
    from orientation.services import publish_version

    [draft], *content = SECOND_ROWS
    draft = copy.copy(draft)
    draft.based_on = version  # 2026-1 gets new ids after a test that empties the database
    draft.save(force_insert=True)
    for model_rows in content:
        if model_rows:
            type(model_rows[0]).objects.bulk_create(copy.copy(row) for row in model_rows)
    return publish_version(draft)


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
