"""The year's cycle end to end in a real browser (Debian's chromium through Playwright, 1280 px, ja-JP).

A 市民課 member logs in through the login form, lands on their projects, enters the year's results and
submits; the DX office returns the record with a comment; the member reads it, corrects the actual and
submits again; the DX office approves, closes entry and locks the year from the fiscal-year list; the
dashboard shows the corrected figure. The council workbook is a test of its own that goes round the
same year first (each test has its own database), so its expected failure marks that step alone.

Every step fails on a console error, an uncaught script error or a Content-Security-Policy violation,
and leaves a screenshot; a failing step names the directory holding them.
"""

import datetime
import io
from contextlib import contextmanager
from decimal import Decimal

import pytest

from core.roles import DEPARTMENT_STAFF, DX_OFFICE
from evaluation import services
from evaluation.enums import ActualStatus, Completion
from evaluation.models import FiscalYear, Grade, ProjectRecord
from evaluation.services import reference_data_load
from strategy.models import Plan
from tests import factories
from tests.browser.people import log_in

pytestmark = pytest.mark.django_db(transaction=True)

YEAR = 2025
VIEWPORT = {"width": 1280, "height": 900}
OURS = "1-1-1-01 窓口予約・オンライン相談の導入"
SUBMITTED = f"{OURS}：提出しました。DX推進課の審査をお待ちください。"

# Reports each CSP violation of every page, frames included, to the test (registered before any script).
CSP_LISTENER = """
window.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolation(`${event.violatedDirective} blocked ${event.blockedURI || "inline code"} on ${location.pathname}`);
});
"""


@pytest.fixture
def city(live_url):
    """市民課 runs 1-1-1-01 (measure 1-1), not started; 広報課 runs 1-2-1-01 (measure 1-2), already approved.

    Both are FY2025 projects and FY2025 is open for entry. 1-1-1-01's indicator has no yearly target:
    FY2025's is interpolated from the baseline 1,200 (FY2022) to the final 6,000 (FY2027): 4,080.
    """
    reference_data_load()
    plan = Plan.objects.get(code="ict2")
    citizens = factories.department("市民課", code="S03")
    relations = factories.department("広報課", code="S02")
    ours = factories.project(citizens, code="1-1-1-01", name="窓口予約・オンライン相談の導入")
    factories.action_goal(ours, year=YEAR, description="オンライン予約を全区の窓口に広げる")
    factories.indicator(
        ours, name="オンライン予約の利用件数", unit="件/年",
        baseline_value=Decimal(1200), final_target=Decimal(6000),
    )  # fmt: skip
    theirs = factories.project(relations, measure_code="1-2", code="1-2-1-01", name="市公式LINEの情報発信")
    factories.action_goal(theirs, year=YEAR, description="配信の区別を細かくする")
    factories.indicator(theirs, name="LINE登録者数", unit="人")
    factories.user("tanaka", role=DEPARTMENT_STAFF, departments=[citizens], first_name="田中")
    sato = factories.user("sato", role=DEPARTMENT_STAFF, departments=[relations], first_name="佐藤")
    dx = factories.user("suzuki", role=DX_OFFICE, first_name="鈴木")
    services.fiscal_year_open(
        FiscalYear.objects.get(plan=plan, year=YEAR), deadline=datetime.date(2026, 6, 30), by=dx
    )
    _report_approved(ProjectRecord.objects.get(project=theirs), staff=sato, dx=dx)


def _report_approved(record, *, staff, dx):
    """広報課 has reported already: 170 against FY2025's 160, self-graded A, approved as is."""
    result, action = record.indicator_results.get(), record.action_results.get()
    result.actual, result.actual_status = Decimal(170), ActualStatus.CONFIRMED
    action.done, action.completion = "区別の配信を始めた", Completion.ACHIEVED
    record.self_grade = Grade.objects.get(scale__plan=record.project.plan, code="A")
    record.self_grade_reason = "登録者が目標を上回った"
    record.next_direction = "continue"
    services.record_entry_save(record, by=staff, seen_version=record.version, results=[result, action])
    services.record_submit(record, by=staff)
    services.record_approve(record, by=dx)


class Watched:
    """Browser contexts whose console errors, uncaught script errors and CSP violations are collected,
    with a screenshot of every step in `shots`."""

    def __init__(self, browser, shots):
        self.browser, self.shots = browser, shots
        self.problems: list[str] = []
        self.taken = 0

    def person(self):
        """A browser of its own (its own cookies) for one person, at 1280 px in Japanese."""
        context = self.browser.new_context(locale="ja-JP", viewport=VIEWPORT, accept_downloads=True)
        context.expose_function("cspViolation", lambda text: self.problems.append(f"CSP violation: {text}"))
        context.add_init_script(CSP_LISTENER)
        context.on("console", self._console)
        context.on("weberror", lambda error: self.problems.append(f"uncaught script error: {error.error}"))
        return context.new_page()

    def _console(self, message):
        if message.type == "error":
            where = message.page.url if message.page else "a worker"
            self.problems.append(f"console error on {where}: {message.text}")

    @contextmanager
    def step(self, name: str, page):
        """One step of the story: a screenshot after it, no console error or CSP violation in it, and
        its last page as wide as the screen at most (nothing to scroll sideways at 1280 px)."""
        self.taken += 1
        shot = self.shots / f"{self.taken:02d}-{name}.png"
        try:
            yield
            assert self.problems == [], f"console errors or CSP violations: {self.problems}"
            assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"]
        except BaseException as error:
            error.add_note(f"step {self.taken}「{name}」 failed; screenshots of every step: {self.shots}")
            raise
        finally:
            page.screenshot(path=shot, full_page=True)


@pytest.fixture
def watched(browser, tmp_path):
    shots = tmp_path / "screenshots"
    shots.mkdir()
    return Watched(browser, shots)


def _cells(page, selector: str) -> list[list[str]]:
    """The text of every cell of each row of a table body, as a person reads it."""
    return page.eval_on_selector_all(
        f"{selector} tbody tr",
        "rows => rows.map(row => [...row.cells].map(cell => cell.innerText.trim()))",
    )


def _messages(page) -> list[str]:
    return page.eval_on_selector_all(".messagelist li", "items => items.map(item => item.innerText.trim())")


def _enter_results(page, *, actual: str):
    page.fill("#id_results_summary", "予約の対象を全区の窓口に広げた")
    page.select_option("#id_self_grade", label="B（若干の遅れ）")
    page.fill("#id_self_grade_reason", "利用は伸びたが目標には届かなかった")
    page.select_option("#id_next_direction", value="continue")
    page.fill("#id_action_results-0-done", "全区の窓口でオンライン予約を受け付けた")
    page.select_option("#id_action_results-0-completion", value="achieved")
    page.fill("#id_indicator_results-0-actual", actual)


def _open_record_as_dx(page, live_url: str):
    """From the menu to the records list, then the record."""
    page.goto(live_url + "/admin/")
    page.click("#portal-shortcuts >> text=事業の年度評価の一覧")
    page.click(f"#result_list >> text={OURS}")
    page.wait_for_load_state()


def _fiscal_year_action(page, label: str):
    """Tick FY2025 on the fiscal-year list and run the action `label` on it."""
    page.check("#result_list tr:has-text('令和7年度（2025年度）') input[name=_selected_action]")
    page.select_option("select[name=action]", label=label)
    page.click("button[name=index]")
    page.wait_for_load_state()


def _year_round(watched, live_url: str):
    """The year goes round, from the department's first entry to the dashboard; returns the DX
    office's page, left on the dashboard."""
    staff = watched.person()
    with watched.step("所管課がログインして担当事業に着く", staff):
        log_in(staff, live_url + "/admin/", "tanaka")
        assert staff.url == live_url + "/admin/evaluation/projectrecord/mine/"
        assert _cells(staff, "#my-records") == [
            [
                OURS, "市民課", "未着手",
                "行動目標「オンライン予約を全区の窓口に広げる」の達成状況\n"
                "成果指標「オンライン予約の利用件数」の実績値（数値がないときはその理由）\n"
                "自己評価\n評価の理由\n今後の方向性",
                "入力する\n（窓口予約・オンライン相談の導入）",
                "Excel\n（窓口予約・オンライン相談の導入の評価シート）",
            ]
        ]  # fmt: skip

    with watched.step("実績を入力して提出する", staff):
        staff.click("#my-records >> text=入力する")
        assert staff.inner_text(".field-year_target p") == "4,080 件/年（基準値と最終目標から補間）"
        _enter_results(staff, actual="3500")
        staff.click("input[name=_submit]")
        staff.wait_for_load_state()
        assert _messages(staff) == [SUBMITTED]
        assert _cells(staff, "#my-records")[0][2] == "提出済み"

    dx = watched.person()
    with watched.step("DX推進課がコメントを付けて差し戻す", dx):
        log_in(dx, live_url + "/admin/", "suzuki")
        _open_record_as_dx(dx, live_url)
        dx.fill("#return-comment", "実績は年度末の確定値（3,720件）に直してください。")
        dx.click("button:has-text('差し戻す')")
        dx.wait_for_load_state()
        assert _messages(dx) == [f"{OURS}：差し戻しました。"]
        assert dx.inner_text("#workflow-heading") == "令和7年度（2025年度）の評価：差戻し"

    with watched.step("所管課がコメントを読み、直して再提出する", staff):
        staff.goto(live_url + "/admin/")
        assert _cells(staff, "#my-records")[0][2] == "差戻し"
        staff.click("#my-records >> text=入力する")
        assert staff.inner_text(".returned-comment") == (
            "DX推進課からの差戻しコメント：実績は年度末の確定値（3,720件）に直してください。"
        )
        staff.fill("#id_indicator_results-0-actual", "3720")
        staff.click("input[name=_submit]")
        staff.wait_for_load_state()
        assert _messages(staff) == [SUBMITTED]
        assert _cells(staff, "#my-records")[0][2] == "再提出"

    with watched.step("DX推進課が承認する", dx):
        _open_record_as_dx(dx, live_url)
        assert dx.inner_text("td.field-rates") == "進捗率 87.5%／達成率 91.2%（進捗率で評価）"
        dx.click("button:has-text('承認する')")
        dx.wait_for_load_state()
        assert _messages(dx) == [f"{OURS}：承認しました。"]

    with watched.step("DX推進課が入力受付を終えて年度を確定する", dx):
        dx.goto(live_url + "/admin/")
        dx.click("a[href='/admin/evaluation/fiscalyear/']")
        _fiscal_year_action(dx, "入力受付を終了して審査を開始する")
        assert _messages(dx) == ["令和7年度（2025年度）：審査を開始しました。"]
        _fiscal_year_action(dx, "確定する（議会に報告済み。以後は読み取り専用）")
        assert _messages(dx) == ["令和7年度（2025年度）：確定し、報告時点の数値を記録しました。"]

    with watched.step("ダッシュボードに直した実績の数値が出る", dx):
        dx.goto(live_url + "/dashboard/")
        assert dx.inner_text("h1") == "ダッシュボード 令和7年度（2025年度）"
        # 進捗率 1-1: (3,720 − 1,200) ÷ (4,080 − 1,200) = 87.5 %, grade B; 1-2: 170 against 160 counts as
        # 100 %; goal 1 is their mean, 93.75 % shown rounded half up. 達成率 1-1: 3,720 ÷ 4,080 = 91.2 %;
        # 1-2: 100 %; goal 1: 95.6 %.
        assert _cells(dx, "table.figures")[:3] == [
            ["基本目標1 利用者中心の行政サービス改革", "93.8%", "95.6%", "B（若干の遅れ）", "A 1件（50.0%）、B 1件（50.0%）、C 0件（0.0%）"],
            ["施策1-1 利便性を高める行政サービスの推進", "87.5%", "91.2%", "B（若干の遅れ）", "A 0件（0.0%）、B 1件（100.0%）、C 0件（0.0%）"],
            ["施策1-2 誰一人取り残さない行政サービスの推進", "100.0%", "100.0%", "A（予定どおり）", "A 1件（100.0%）、B 0件（0.0%）、C 0件（0.0%）"],
        ]  # fmt: skip
    return dx


def test_a_year_goes_round_from_entry_to_the_council_workbook(city, watched, live_url):
    """A year goes round; then the DX office downloads what the council receives."""
    import openpyxl

    dx = _year_round(watched, live_url)
    with watched.step("議会報告のExcelをダウンロードして開く", dx):
        link = dx.locator(f"a[href$='/reports/council/{YEAR}.xlsx']")
        assert link.count() == 1, "the dashboard links the council workbook of the year"
        with dx.expect_download() as download:
            link.click()
        workbook = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
        cells = [cell.value for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
        assert "窓口予約・オンライン相談の導入" in cells
        assert 3720 in cells
