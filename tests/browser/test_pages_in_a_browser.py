"""What a person meets in a real browser (Debian's chromium, driven by Playwright): the skip link,
and the warning before an idle session ends (JIS X 8341-3: no silent time-out)."""

import pytest

from core.roles import DEPARTMENT_STAFF
from evaluation.services import reference_data_load
from tests import factories
from tests.browser.people import log_in

pytestmark = pytest.mark.django_db(transaction=True)


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
    log_in(page, live_url + "/admin/login/", "tanaka")
    warning = page.locator("#session-timeout")
    warning.wait_for(state="visible", timeout=10_000)
    assert "自動的にログアウトします" in warning.inner_text()
    assert page.evaluate("document.activeElement.textContent") == "作業を続ける"
    page.keyboard.press("Enter")
    warning.wait_for(state="hidden", timeout=5_000)


@pytest.fixture
def staff_near_the_absolute_end(reference, settings):
    settings.SESSION_ABSOLUTE_AGE = 120  # the warning comes five minutes before, so at once
    return factories.user("tanaka", role=DEPARTMENT_STAFF)


def test_staff_are_warned_before_the_absolute_end_of_the_session(
    staff_near_the_absolute_end, live_url, browser
):
    page = browser.new_page(locale="ja-JP")
    log_in(page, live_url + "/admin/login/", "tanaka")
    warning = page.locator("#session-timeout")
    warning.wait_for(state="visible", timeout=10_000)
    assert warning.inner_text() == (
        "ログインからの利用時間の上限まで、あと2分です。入力中の内容を保存してください。時間になると自動的にログアウトします。"
    )
    assert page.locator("#session-timeout button").is_hidden()  # nothing postpones this end
