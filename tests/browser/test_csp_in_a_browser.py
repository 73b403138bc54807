"""The Content-Security-Policy holds in a real browser (Debian's chromium through Playwright): the
login, the dashboard with plotly.js drawing its charts, the entry form with its unsaved-changes
script, and the admin's own scripts run with no violation and no console error."""

import datetime

import pytest
from django.contrib.auth.models import Group

from core.roles import DEMO
from evaluation.demo import demo_load
from evaluation.enums import RecordStatus
from evaluation.models import ProjectRecord
from evaluation.services import reference_data_load
from tests import factories
from tests.browser.people import DEMO_PASSWORD, log_in_here

pytestmark = pytest.mark.django_db(transaction=True)

# Collects every violation the page reports (Playwright's init scripts are exempt from the policy).
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.effectiveDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}:${event.columnNumber} [${event.sample}] ${location.pathname}`);
});
"""


@pytest.fixture
def pages(live_url):
    """The demo (its accounts standing for real staff), a superuser, and the addresses to visit."""
    reference_data_load()
    demo_load(password=DEMO_PASSWORD, today=datetime.date(2026, 5, 1))
    Group.objects.get(name=DEMO).user_set.clear()
    root = factories.user("root", is_superuser=True)
    record = ProjectRecord.objects.filter(
        project__assignments__department__name="市民課", status=RecordStatus.DRAFT
    ).first()
    return {
        "dx": ["/dashboard/", "/dashboard/measures/1-1/", "/dashboard/submissions/", "/admin/?menu"],
        "dept1": [
            "/admin/evaluation/projectrecord/mine/",
            f"/admin/evaluation/projectrecord/{record.pk}/change/",
        ],
        "root": ["/admin/auth/user/", f"/admin/auth/user/{root.pk}/change/", "/admin/auth/group/add/"],
    }


def _watched_page(browser, problems):
    page = browser.new_page(locale="ja-JP", viewport={"width": 1280, "height": 900})
    page.add_init_script(LISTEN)
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))  # the browser's own request
    return page


def _visit(page, url, problems):
    response = page.goto(url)
    assert (url, response.status) == (url, 200)
    assert "script-src 'self';" in response.headers["content-security-policy"]
    page.wait_for_load_state("load")
    problems.extend(page.evaluate("window.__violations"))


def test_no_page_breaks_the_content_security_policy(pages, live_url, browser):
    problems = []
    for username, urls in pages.items():
        page = _watched_page(browser, problems)
        _visit(page, live_url + "/admin/login/", problems)
        log_in_here(page, username, DEMO_PASSWORD if username != "root" else factories.PASSWORD)
        for url in urls:
            _visit(page, live_url + url, problems)
            if url.startswith("/dashboard/"):
                charts = page.locator("[data-chart]")
                for index in range(charts.count()):
                    charts.nth(index).locator("svg.main-svg").first.wait_for(timeout=15_000)
                    charts.nth(index).locator(".nsewdrag").first.hover(force=True)  # plotly's hover label
            if url.endswith("/change/") and username == "dept1":
                page.fill("#id_results_summary", "入力中")  # unsaved-changes.js marks the form
            problems.extend(page.evaluate("window.__violations"))
        page.close()
    assert problems == []
