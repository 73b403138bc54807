"""The dashboard in a real browser (Debian's chromium, driven by Playwright): every chart is drawn by
charts.js with the local plotly.js, with no console error, and the page fits 1280 px."""

import os
import shutil

import pytest
from django.contrib.auth.models import Group
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.db import connections
from django.test.testcases import LiveServerThread

from core.roles import DEMO
from evaluation.demo import demo_load
from evaluation.services import reference_data_load

CHROMIUM = shutil.which("chromium")
sync_api = pytest.importorskip("playwright.sync_api")
PASSWORD = "demo-pass-2024"
SCREENSHOT = os.environ.get("DASHBOARD_SCREENSHOT")  # a path: keep a 1280 px screenshot to look at

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
def demo_data(live_url):
    """The demo, its accounts standing for real staff (production refuses demo accounts)."""
    import datetime

    reference_data_load()
    demo_load(password=PASSWORD, today=datetime.date(2026, 5, 1))
    Group.objects.get(name=DEMO).user_set.clear()


# The data is made by fixtures listed before `browser`: no ORM call runs inside Playwright's loop.


def test_the_overview_draws_every_chart_without_console_errors(demo_data, live_url, browser):
    page = browser.new_page(locale="ja-JP", viewport={"width": 1280, "height": 900})
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))  # the browser's own request
    page.goto(live_url + "/admin/login/?next=/dashboard/")
    page.fill("#id_username", "dx")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/dashboard/")
    charts = page.locator("[data-chart]")
    assert charts.count() == 2
    for index in range(charts.count()):
        charts.nth(index).locator("svg.main-svg").first.wait_for(timeout=15_000)
    assert page.locator("[data-chart] .bars .point").count() > 0  # the stacked bars
    assert page.locator("[data-chart] .heatmaplayer").count() == 1
    assert page.title().startswith("ダッシュボード 令和7年度（2025年度）")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280  # no sideways scroll
    if SCREENSHOT:
        page.screenshot(path=SCREENSHOT, full_page=True)
    assert errors == []
