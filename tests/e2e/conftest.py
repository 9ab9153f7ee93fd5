import os

import pytest
from axe_playwright_python.sync_playwright import Axe

from orientation.loading import load_all
from tests.conftest import ARTIFACTS, CHROMIUM

# Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make
# between page actions are ordinary synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# WCAG 2.0, 2.1 and 2.2, levels A and AA (axe tags 2.2 criteria as wcag22aa).
WCAG = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"],
    }
}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "fr-FR", "accept_downloads": True}


@pytest.fixture
def site(live_server, transactional_db):
    """The live server with the shipped versions loaded, 2026-2 current (transactional tests
    flush it)."""
    load_all()
    return live_server.url


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On failure, a screenshot of every page the test still has open, for CI artefacts."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    browser = item.funcargs.get("browser")
    pages = [p for context in (browser.contexts if browser else []) for p in context.pages]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for number, page in enumerate(pages):
        page.screenshot(path=str(ARTIFACTS / f"{item.name}-{number}.png"), full_page=True)


def assert_accessible(page, state):
    """0 axe-core violations (WCAG 2.0, 2.1 and 2.2, A and AA) on the page as it is now."""
    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, f"{state}:\n{results.generate_report()}"
