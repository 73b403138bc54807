"""The dashboard in a real browser (Debian's chromium, driven by Playwright): every chart is drawn by
charts.js with the local plotly.js, with no console error, and the page fits 1280 px."""

import os

import pytest
from django.contrib.auth.models import Group

from core.roles import DEMO
from evaluation.demo import demo_load
from evaluation.services import reference_data_load
from tests.browser.people import DEMO_PASSWORD, log_in

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOT = os.environ.get("DASHBOARD_SCREENSHOT")  # a path: keep a 1280 px screenshot to look at


@pytest.fixture
def demo_data(live_url):
    """The demo, its accounts standing for real staff (production refuses demo accounts)."""
    import datetime

    reference_data_load()
    demo_load(password=DEMO_PASSWORD, today=datetime.date(2026, 5, 1))
    Group.objects.get(name=DEMO).user_set.clear()


# The data is made by fixtures listed before `browser`: no ORM call runs inside Playwright's loop.


def test_the_overview_draws_every_chart_without_console_errors(demo_data, live_url, browser):
    page = browser.new_page(locale="ja-JP", viewport={"width": 1280, "height": 900})
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))  # the browser's own request
    log_in(page, live_url + "/admin/login/?next=/dashboard/", "dx", DEMO_PASSWORD)
    assert page.url == live_url + "/dashboard/"
    charts = page.locator("[data-chart]")
    assert charts.count() == 3
    for index in range(charts.count()):
        charts.nth(index).locator("svg.main-svg").first.wait_for(timeout=15_000)
    assert page.locator("[data-chart=chart-rates] .bars .point").count() > 0  # the rates, goal by goal
    assert page.locator("[data-chart=chart-grades] .bars .point").count() > 0  # the stacked bars
    assert page.locator("[data-chart] .heatmaplayer").count() == 1
    assert page.title().startswith("ダッシュボード 令和7年度（2025年度）")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280  # no sideways scroll
    if SCREENSHOT:
        page.screenshot(path=SCREENSHOT, full_page=True)
    assert errors == []
