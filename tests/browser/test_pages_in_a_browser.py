"""What a person meets in a real browser (Debian's chromium, driven by Playwright): the skip link,
and the warning before an idle session ends (JIS X 8341-3: no silent time-out)."""

import shutil

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.db import connections
from django.test.testcases import LiveServerThread

from core.roles import DEPARTMENT_STAFF
from evaluation.services import reference_data_load
from tests import factories

CHROMIUM = shutil.which("chromium")
sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (.ci/run installs it)"),
]


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
def reference(live_url):
    reference_data_load()


@pytest.fixture
def staff(reference, settings):
    settings.SESSION_COOKIE_AGE = 8  # the warning comes a quarter before the end: after 6 seconds
    return factories.user("tanaka", role=DEPARTMENT_STAFF)


# The data is made by fixtures listed before `browser`: no ORM call runs inside Playwright's loop.


def test_the_first_tab_reaches_the_skip_link(reference, live_url, browser):
    page = browser.new_page(locale="ja-JP")
    page.goto(live_url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "本文へ移動"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_staff_are_warned_before_the_session_ends_and_can_continue(staff, live_url, browser):
    page = browser.new_page(locale="ja-JP")
    page.goto(live_url + "/admin/login/")
    page.fill("#id_username", "tanaka")
    page.fill("#id_password", factories.PASSWORD)
    page.click("input[type=submit]")
    warning = page.locator("#session-timeout")
    warning.wait_for(state="visible", timeout=10_000)
    assert "自動的にログアウトします" in warning.inner_text()
    assert page.evaluate("document.activeElement.textContent") == "作業を続ける"
    page.keyboard.press("Enter")
    warning.wait_for(state="hidden", timeout=5_000)
