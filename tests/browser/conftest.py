"""What every browser test shares: Debian's chromium through Playwright, and a live server per module.

Each module marks its tests transactional (the live server runs on another thread); all are skipped
where chromium is not installed (`.ci/run` installs it).
"""

import shutil

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.db import connections
from django.test.testcases import LiveServerThread

CHROMIUM = shutil.which("chromium")
sync_api = pytest.importorskip("playwright.sync_api")


def pytest_collection_modifyitems(items):
    for item in items:
        if CHROMIUM is None and "tests/browser/" in str(item.path):
            item.add_marker(pytest.mark.skip(reason="needs Debian's chromium (.ci/run installs it)"))


@pytest.fixture(scope="module")
def live_url(django_db_setup, django_db_blocker):
    """A live server for this module only, stopped (and its database connection closed) at its end,
    so PostgreSQL can drop the test database afterwards. Shares SQLite's in-memory database."""
    with django_db_blocker.unblock():
        shared = {c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()}
        for connection in shared.values():
            connection.inc_thread_sharing()
        thread = LiveServerThread("localhost", StaticFilesHandler, connections_override=shared)
        thread.daemon = True
        thread.start()
        thread.is_ready.wait()
        if thread.error:
            raise thread.error
        yield f"http://localhost:{thread.port}"
        thread.terminate()
        for connection in shared.values():
            connection.dec_thread_sharing()


@pytest.fixture
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def axe_audit(live_url):
    """axe-core's WCAG 2.0/2.1 A and AA rules over paths of the live server, in the page's session:
    `axe_audit(page, ["/admin/login/", …])` returns one line per violation (empty when all pass)."""
    from tests.browser import axe

    return lambda page, paths: axe.audit(page, live_url, paths)
