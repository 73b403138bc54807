"""The entry form in a real browser (Debian's chromium through Playwright): 「提出する」 keeps
everything typed, and leaving with unsaved changes asks first."""

import datetime
import threading

import pytest
from django.db import connections

from core.roles import DEPARTMENT_STAFF, DX_OFFICE
from evaluation import services
from evaluation.enums import RecordStatus
from evaluation.models import FiscalYear, ProjectRecord
from evaluation.services import reference_data_load
from strategy.models import Plan
from tests import factories
from tests.browser.people import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def record(live_url):
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
    return ProjectRecord.objects.get(project=project)


def _type_everything(page, *, completion: str):
    page.fill("#id_results_summary", "対象手続を10件に拡大した")
    page.select_option("#id_self_grade", label="A（予定どおり）")
    page.fill("#id_self_grade_reason", "予定どおり拡大できた")
    page.select_option("#id_next_direction", value="continue")
    page.fill("#id_action_results-0-done", "10件の手続で書かない窓口を始めた")
    page.select_option("#id_action_results-0-completion", value=completion)
    page.fill("#id_indicator_results-0-actual", "12.5")


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


def _saved(pk):
    saved = ProjectRecord.objects.select_related("self_grade").get(pk=pk)
    action, result = saved.action_results.get(), saved.indicator_results.get()
    return (
        saved.status, saved.results_summary, saved.self_grade.code, saved.self_grade_reason,
        saved.next_direction, action.done, action.completion, str(result.actual),
    )  # fmt: skip


def test_submitting_without_saving_keeps_every_value_typed(record, live_url, browser):
    page = browser.new_page(locale="ja-JP", viewport={"width": 1280, "height": 900})
    log_in(page, live_url + "/admin/login/", "tanaka")
    page.goto(f"{live_url}/admin/evaluation/projectrecord/{record.pk}/change/")
    _type_everything(page, completion="achieved")
    page.click("input[name=_submit]")  # without pressing 「保存」 first
    page.wait_for_load_state()
    assert "書かない窓口の推進：提出しました。" in page.inner_text(".messagelist")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert _read_database(lambda: _saved(record.pk)) == (
        RecordStatus.SUBMITTED, "対象手続を10件に拡大した", "A", "予定どおり拡大できた",
        "continue", "10件の手続で書かない窓口を始めた", "achieved", "12.5000",
    )  # fmt: skip


def test_a_refused_submission_keeps_the_values_on_screen(record, live_url, browser):
    page = browser.new_page(locale="ja-JP", viewport={"width": 1280, "height": 900})
    log_in(page, live_url + "/admin/login/", "tanaka")
    page.goto(f"{live_url}/admin/evaluation/projectrecord/{record.pk}/change/")
    _type_everything(page, completion="")
    page.click("input[name=_submit]")
    page.wait_for_load_state()
    assert "入力内容は保存しました（入力中）。未入力の項目があるため提出できません。" in page.inner_text(
        ".messagelist"
    )
    assert page.input_value("#id_self_grade_reason") == "予定どおり拡大できた"
    assert page.input_value("#id_action_results-0-done") == "10件の手続で書かない窓口を始めた"
    assert page.input_value("#id_indicator_results-0-actual") == "12.5"
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280


LEAVING = """() => {
    const leaving = new Event("beforeunload", {cancelable: true});
    window.dispatchEvent(leaving);
    return leaving.defaultPrevented;
}"""


def test_leaving_with_unsaved_changes_asks_first(record, live_url, browser):
    page = browser.new_page(locale="ja-JP")
    log_in(page, live_url + "/admin/login/", "tanaka")
    page.goto(f"{live_url}/admin/evaluation/projectrecord/{record.pk}/change/")
    assert page.evaluate(LEAVING) is False  # nothing typed: leave freely
    page.click("#id_issues")
    page.keyboard.type("途中まで書いた課題")
    assert page.evaluate(LEAVING) is True  # the browser asks before the typed text is lost


# Each result table, and whether its columns overflow their box (and would scroll inside it).
OVERFLOWING = """() => [...document.querySelectorAll(".results-inline .tabular")]
    .map(box => [box.closest(".results-inline").id, box.scrollWidth > box.clientWidth])"""


def test_the_result_rows_fit_an_office_screen_with_the_menu_open(record, live_url, browser):
    page = browser.new_page(locale="ja-JP", viewport={"width": 1280, "height": 900})
    log_in(page, live_url + "/admin/login/", "tanaka")
    page.goto(f"{live_url}/admin/evaluation/projectrecord/{record.pk}/change/")
    assert page.is_visible("#nav-sidebar")  # the admin's menu beside the form, as it opens
    _type_everything(page, completion="achieved")
    page.fill("#id_indicator_results-0-note", "速報値。確定値は7月に判明する見込み")
    # Both tables found, and every column in view, 補足 included.
    assert page.evaluate(OVERFLOWING) == [["action_results-group", False], ["indicator_results-group", False]]
    assert page.is_visible("#id_indicator_results-0-note")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
