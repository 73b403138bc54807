"""JIS X 8341-3:2016 level AA in a real browser (Debian's chromium through Playwright).

axe-core's WCAG 2.0/2.1 A and AA rules find nothing on the pages the accessibility statement lists;
a person without a mouse logs in, enters a result and submits it; the landing page and the entry form
read without sideways scrolling at 360 px and at 200 % zoom, and so do the board and the dashboard. With A11Y_RESULTS set to a path, a full
passing run writes what the statement publishes there (`make a11y-results` rewrites
core/accessibility_results.json); a statement listing other pages than these fails here.
"""

import dataclasses
import datetime
import json
import os
import re
import threading
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connections

from core.roles import DEMO, DEPARTMENT_STAFF, DX_OFFICE
from core.views import ACCESSIBILITY_RESULTS
from evaluation import services
from evaluation.demo import demo_load
from evaluation.enums import RecordStatus
from evaluation.models import FiscalYear, ProjectRecord
from evaluation.selectors import records_editable_by
from evaluation.services import reference_data_load
from strategy.models import Plan
from tests import factories
from tests.browser import axe
from tests.browser.people import DEMO_PASSWORD, log_in

pytestmark = pytest.mark.django_db(transaction=True)

RESULTS = os.environ.get("A11Y_RESULTS")  # a path: write the statement's results there
SCREENSHOTS = os.environ.get("A11Y_SCREENSHOTS")  # a folder: keep the narrow screenshots to look at


@dataclasses.dataclass(frozen=True)
class Listed:
    """A page the statement lists: its name, its address ({draft} and {submitted} stand for a demo
    record's number) and who opens it (None: without logging in)."""

    name: str
    path: str
    user: str | None = None
    status: int = 200

    @property
    def address(self) -> str:
        return re.sub(r"\{\w+\}", "（番号）", self.path)


PAGES = [
    Listed("トップページ", "/"),
    Listed("計画の概要", "/plan/"),
    Listed("施策の進捗（公開）", "/plan/measures/1-1/"),
    Listed("年度の評価結果（公開）", "/plan/years/2024/"),
    Listed("オープンデータ", "/open-data/"),
    Listed("ログイン", "/admin/login/"),
    Listed("アクセシビリティ", "/accessibility/"),
    Listed("ページが見つかりません（404）", "/no-such-page/", status=404),
    Listed("担当事業の入力状況（所管課の最初の画面）", "/admin/evaluation/projectrecord/mine/", "dept1"),
    Listed("事業の年度評価の入力", "/admin/evaluation/projectrecord/{draft}/change/", "dept1"),
    Listed("事業の年度評価の変更の履歴", "/admin/evaluation/projectrecord/{draft}/history/", "dept1"),
    Listed("管理メニュー", "/admin/", "dx"),
    Listed("事業の年度評価の審査", "/admin/evaluation/projectrecord/{submitted}/change/", "dx"),
    Listed("提出状況ボード", "/admin/evaluation/projectrecord/board/", "dx"),
    Listed("評価年度の一覧", "/admin/evaluation/fiscalyear/", "dx"),
    Listed("達成状況と計算根拠", "/rollups/ict2/2024/plan/ict2/", "dx"),
    Listed("ダッシュボード（概要）", "/dashboard/", "dx"),
    Listed("ダッシュボード（施策）", "/dashboard/measures/1-1/", "dx"),
]
LOCKED_OUT = Listed("ログインの一時制限（パスワードを5回誤った後）", "/admin/login/", status=429)
CHECKS = {
    "keyboard": "キーボードだけで、ログインし、事業の年度評価を開いて実績を入力し、提出する",
    "narrow": "幅360ピクセルで、担当事業の入力状況・入力画面・提出状況ボード・ダッシュボードを横スクロールなしに読み書きできる",
    "zoom": "200%に拡大して（幅640ピクセル相当）、同じ画面を横スクロールなしに読み書きできる",
}


@pytest.fixture(scope="module")
def statement():
    """What this run found, written for the statement when A11Y_RESULTS is set and every check ran."""
    found = {"pages": {}, "checks": {}}
    yield found
    if RESULTS and len(found["pages"]) == len(PAGES) + 1 and found["checks"].keys() == CHECKS.keys():
        results = {
            "tested_on": datetime.date.today().isoformat(),
            "axe_core": axe.axe_version(),
            "browser": found["browser"],
            "pages": [
                {"name": listed.name, "address": listed.address, "violations": found["pages"][listed.name]}
                for listed in [*PAGES, LOCKED_OUT]
            ],
            "checks": [{"name": CHECKS[key], "result": found["checks"][key]} for key in CHECKS],
        }
        Path(RESULTS).write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


@pytest.fixture
def demo_records(live_url):
    """The demo (its accounts standing for real staff), and a draft of 市民課 (dept1) and a record
    submitted for review, by their numbers."""
    reference_data_load()
    demo_load(password=DEMO_PASSWORD, today=datetime.date(2026, 5, 1))
    Group.objects.get(name=DEMO).user_set.clear()
    dept1 = get_user_model().objects.get(username="dept1")
    of_2025 = ProjectRecord.objects.filter(fiscal_year=2025).order_by("project__code")
    return {
        "draft": records_editable_by(dept1, of_2025.filter(status=RecordStatus.DRAFT)).first().pk,
        "submitted": of_2025.filter(status=RecordStatus.SUBMITTED).first().pk,
    }


# The data is made by fixtures listed before `browser`: no ORM call runs inside Playwright's loop.


def test_every_listed_page_passes_axe_with_its_own_title(demo_records, live_url, browser, statement):
    problems, titles = [], {}
    # Django's admin follows the computer's dark setting: both colour schemes are checked.
    for scheme in ["light", "dark"]:
        for user in [None, "dept1", "dx"]:
            page = browser.new_page(
                locale="ja-JP", viewport={"width": 1280, "height": 900}, color_scheme=scheme
            )
            if user:
                log_in(page, live_url + "/admin/login/", user, DEMO_PASSWORD)
            for listed in [listed for listed in PAGES if listed.user == user]:
                path = listed.path.format(**demo_records)
                title, found = axe.audit_page(page, live_url + path, status=listed.status)
                statement["pages"][listed.name] = statement["pages"].get(listed.name, 0) + len(found)
                problems += [f"{path} ({scheme}): {line}" for line in found]
                titles.setdefault(title, set()).add(path)
    page = browser.new_page(locale="ja-JP")
    for _ in range(5):
        page.goto(live_url + "/admin/login/")
        page.fill("#id_username", "someone")
        page.fill("#id_password", "wrong-password-123")
        with page.expect_navigation() as sent:
            page.click("input[type=submit]")
    assert sent.value.status == 429
    assert page.inner_text("h1") == "ログインが一時的に制限されています"
    assert "Django" not in page.content()
    found = axe.violations(page)
    statement["pages"][LOCKED_OUT.name] = len(found)
    statement["browser"] = browser.version
    problems += [f"locked out: {line}" for line in found]
    print("\n".join(problems))
    assert problems == []
    assert [paths for paths in titles.values() if len(paths) > 1] == []  # a title of its own each page


def _read_database(read):
    """Run `read` on a thread of its own: Playwright's loop runs on this one, where Django refuses
    (and would leak) a database connection; the thread closes its connection when done."""
    outcome = {}

    def run():
        try:
            outcome["value"] = read()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return outcome["value"]


@pytest.fixture
def opened_record(live_url):
    """An opened FY2025 record of 市民課 with one action goal and one indicator, nothing typed yet."""
    reference_data_load()
    plan = Plan.objects.get(code="ict2")
    unit = factories.department("市民課")
    project = factories.project(unit, code="1-1-1-01", name="書かない窓口の推進")
    factories.action_goal(project, year=2025, description="対象手続を10件に拡大")
    factories.indicator(project, name="書かない窓口の対象手続数", unit="件")
    factories.user("tanaka", role=DEPARTMENT_STAFF, departments=[unit])
    dx = factories.user("dx", role=DX_OFFICE)
    services.fiscal_year_open(
        FiscalYear.objects.get(plan=plan, year=2025), deadline=datetime.date(2026, 6, 30), by=dx
    )
    return ProjectRecord.objects.get(project=project).pk


FOCUSED = "(selector) => document.activeElement.matches(selector)"
FOCUS_RING = """() => {
    const style = getComputedStyle(document.activeElement);
    return style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
}"""


def _tab_to(page, selector: str, *, limit: int = 150) -> None:
    """Press Tab until the element matching `selector` has the focus, as a keyboard user would, and
    see that the focus shows (an outline of 2 px or more)."""
    for _ in range(limit):
        if page.evaluate(FOCUSED, selector):
            assert (selector, page.evaluate(FOCUS_RING)) == (selector, True)
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{limit} presses of Tab never reached {selector}")


def _choose(page, selector: str, label: str, *, limit: int = 20) -> None:
    """Tab to a select and move through its options with the arrow key until `label` is chosen."""
    _tab_to(page, selector)
    for _ in range(limit):
        if page.evaluate("(s) => document.querySelector(s).selectedOptions[0].text", selector) == label:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no option {label} in {selector}")


def _type_into(page, selector: str, text: str) -> None:
    _tab_to(page, selector)
    page.keyboard.type(text)


def _saved(pk):
    saved = ProjectRecord.objects.select_related("self_grade").get(pk=pk)
    action, result = saved.action_results.get(), saved.indicator_results.get()
    return (
        saved.status, saved.self_grade.code, saved.self_grade_reason, saved.next_direction,
        action.done, action.completion, str(result.actual),
    )  # fmt: skip


def test_a_keyboard_alone_logs_in_enters_a_result_and_submits(opened_record, live_url, browser, statement):
    page = browser.new_page(locale="ja-JP", viewport={"width": 1280, "height": 900})
    page.goto(live_url + "/admin/login/")  # the user name has the focus from the start
    _type_into(page, "#id_username", "tanaka")
    _type_into(page, "#id_password", factories.PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.inner_text("h1") == "担当事業の入力状況"
    page.keyboard.press("Tab")  # the first stop skips the menus
    assert page.evaluate("document.activeElement.textContent") == "スキップしてメインコンテンツへ"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content-start"
    _tab_to(page, "#my-records a")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{live_url}/admin/evaluation/projectrecord/{opened_record}/change/"
    _type_into(page, "#id_results_summary", "対象手続を10件に拡大した")
    _choose(page, "#id_self_grade", "A（予定どおり）")
    _type_into(page, "#id_self_grade_reason", "予定どおり拡大できた")
    _choose(page, "#id_next_direction", "継続")
    _type_into(page, "#id_action_results-0-done", "10件の手続で書かない窓口を始めた")
    _choose(page, "#id_action_results-0-completion", "達成")
    _type_into(page, "#id_indicator_results-0-actual", "12.5")
    _tab_to(page, "input[name=_submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert (
        page.inner_text(".messagelist")
        == "1-1-1-01 書かない窓口の推進：提出しました。DX推進課の審査をお待ちください。"
    )
    assert page.inner_text("h1") == "担当事業の入力状況"  # back on the list, the record's state changed
    cells = page.locator("#my-records tbody tr").first.locator("th, td").all_inner_texts()
    assert cells[:4] == ["1-1-1-01 書かない窓口の推進", "市民課", "提出済み", "なし"]
    assert _read_database(lambda: _saved(opened_record)) == (
        RecordStatus.SUBMITTED, "A", "予定どおり拡大できた", "continue",
        "10件の手続で書かない窓口を始めた", "achieved", "12.5000",
    )  # fmt: skip
    statement["checks"]["keyboard"] = "合格"


# Every field of the entry form and link of the list lies inside the screen: none is reached only by
# scrolling a table sideways.
OUTSIDE = """(width) => Array.from(document.querySelectorAll(
    "#content-main input:not([type=hidden]), #content-main select, #content-main textarea, #content-main a"
)).filter((element) => element.getClientRects().length && element.getBoundingClientRect().right > width)
  .map((element) => element.id || element.textContent.trim())"""


NARROW_PAGES = {
    "dept1": ["/admin/evaluation/projectrecord/mine/", "/admin/evaluation/projectrecord/{draft}/change/"],
    "dx": ["/admin/evaluation/projectrecord/board/", "/dashboard/", "/dashboard/measures/1-1/"],
}


def test_the_staff_pages_need_no_sideways_scrolling_at_360_px_or_200_percent(
    demo_records, live_url, browser, statement
):
    for check, width in [("narrow", 360), ("zoom", 640)]:
        for user, paths in NARROW_PAGES.items():
            page = browser.new_page(locale="ja-JP", viewport={"width": width, "height": 800})
            log_in(page, live_url + "/admin/login/", user, DEMO_PASSWORD)
            for path in [path.format(**demo_records) for path in paths]:
                page.goto(live_url + path)
                if SCREENSHOTS:
                    page.screenshot(path=f"{SCREENSHOTS}/{width}{path.replace('/', '_')}.png", full_page=True)
                sideways = page.evaluate("document.documentElement.scrollWidth") - width
                assert (width, path, sideways, page.evaluate(OUTSIDE, width)) == (width, path, 0, [])
        statement["checks"][check] = "合格"


def test_the_statement_lists_the_pages_and_checks_of_these_tests():
    published = json.loads(ACCESSIBILITY_RESULTS.read_text(encoding="utf-8"))
    assert [(page["name"], page["address"]) for page in published["pages"]] == [
        (listed.name, listed.address) for listed in [*PAGES, LOCKED_OUT]
    ]
    assert [check["name"] for check in published["checks"]] == list(CHECKS.values())
    assert published["axe_core"] == axe.axe_version()
