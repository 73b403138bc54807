"""The public pages in a real browser (Debian's chromium, driven by Playwright): charts drawn by charts.js
with the local plotly.js and no console error, no sideways scroll at 360 px (wide tables scroll in
their own region), and the language switch in the header turns the page into English."""

import datetime

import pytest

from evaluation.demo import demo_load
from evaluation.enums import CycleStatus
from evaluation.models import FiscalYear
from evaluation.rollups.snapshots import snapshot_take
from evaluation.services import reference_data_load
from strategy.models import Plan

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_data(live_url):
    reference_data_load()
    demo_load(password="demo-pass-2024", today=datetime.date(2026, 5, 1))


# The data is made by fixtures listed before `browser`: no ORM call runs inside Playwright's loop.


def _page(browser, width: int):
    page = browser.new_page(locale="en-US", viewport={"width": width, "height": 800})
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))  # the browser's own request
    return page, errors


def test_the_measure_and_year_pages_draw_their_charts_and_switch_to_english(demo_data, live_url, browser):
    page, errors = _page(browser, 1280)
    page.goto(live_url + "/plan/measures/1-1/")
    # An English-speaking browser still gets Japanese: the switch, not Accept-Language, chooses.
    assert page.locator("html").get_attribute("lang") == "ja"
    page.locator("[data-chart] svg.main-svg").first.wait_for(timeout=15_000)
    assert page.locator("[data-chart] .scatterlayer .trace").count() == 3  # baseline, targets, actual
    page.select_option("#language-select", "en")
    page.click(".language button[type=submit]")
    page.wait_for_load_state("load")
    assert page.url == live_url + "/plan/measures/1-1/"
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.title().startswith("Progress of measure 1-1 ")
    page.locator("[data-chart] svg.main-svg").first.wait_for(timeout=15_000)
    assert page.locator("[data-chart] .legendtext").all_text_contents() == ["Baseline", "Target", "Actual"]
    page.goto(live_url + "/plan/years/2024/")
    page.locator("[data-chart] .bars .point").first.wait_for(timeout=15_000)
    assert page.locator("h1").inner_text() == "Progress in FY2024 (published results)"
    assert errors == []


@pytest.mark.parametrize("path", ["/plan/", "/plan/measures/2-1/", "/plan/years/2024/", "/open-data/"])
def test_public_pages_fit_a_phone_without_sideways_scrolling(demo_data, live_url, browser, path):
    page, errors = _page(browser, 360)
    page.goto(live_url + path)
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert errors == []


@pytest.fixture
def two_years_published(demo_data):
    """FY2025 published as well (as if locked: a snapshot publishes only its approved records)."""
    plan = Plan.objects.get(code="ict2")
    FiscalYear.objects.filter(plan=plan, year=2025).update(status=CycleStatus.LOCKED)
    snapshot_take(plan=plan, fiscal_year=2025, by=None)


def test_a_measure_page_offers_its_earlier_published_years_projects(
    two_years_published, live_url, browser, axe_audit
):
    page, errors = _page(browser, 360)
    path = "/plan/measures/3-2/"
    assert axe_audit(page, [path, path + "?year=2024"]) == []
    page.goto(live_url + path)
    page.get_by_role("navigation", name="事業の評価を表示する年度").get_by_role("link").click()
    page.wait_for_load_state("load")
    assert page.url == live_url + path + "?year=2024#projects-heading"
    assert page.locator("#projects-2024-caption").inner_text() == "令和6年度（2024年度）の事業（3件）"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert errors == []
