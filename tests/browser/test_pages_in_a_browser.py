"""What a person meets in a real browser (Debian's chromium, driven by Playwright): the skip link,
and the warning before an idle session ends (JIS X 8341-3: no silent time-out)."""

import os
import shutil

import pytest

from evaluation.services import reference_data_load
from strategy.roles import DEPARTMENT_STAFF
from tests import factories

CHROMIUM = shutil.which("chromium")
sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (.ci/run installs it)"),
]
# Playwright's sync API runs an event loop in this thread; the ORM is used only before it starts.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


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


def test_the_first_tab_reaches_the_skip_link(live_server, browser):
    reference_data_load()
    page = browser.new_page(locale="ja-JP")
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "本文へ移動"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_staff_are_warned_before_the_session_ends_and_can_continue(live_server, browser, settings):
    reference_data_load()
    factories.user("tanaka", role=DEPARTMENT_STAFF)
    settings.SESSION_COOKIE_AGE = 8  # the warning comes a quarter before the end: after 6 seconds
    page = browser.new_page(locale="ja-JP")
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "tanaka")
    page.fill("#id_password", factories.PASSWORD)
    page.click("input[type=submit]")
    warning = page.locator("#session-timeout")
    warning.wait_for(state="visible", timeout=10_000)
    assert "自動的にログアウトします" in warning.inner_text()
    assert page.evaluate("document.activeElement.textContent") == "作業を続ける"
    page.keyboard.press("Enter")
    warning.wait_for(state="hidden", timeout=5_000)
