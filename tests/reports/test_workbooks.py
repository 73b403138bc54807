"""The council workbook and the 評価シート: what they hold (reopened with openpyxl), how they print, who
may download them, and in how many queries.

Demo: FY2024 is locked with its snapshot; FY2025 is open. 市民課 (`dept1`) owns 1-1-1-02; 教育DX推進課's
1-2-1-03 it must never get.
"""

import datetime
import io
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from openpyxl import load_workbook

from core.fiscal import wareki_date
from core.roles import DEMO
from evaluation.models import FiscalYear, ProjectRecord
from evaluation.rollups.selectors import snapshot_latest
from reports.workbooks.council import GOAL_COLUMNS, CouncilWorkbook
from reports.workbooks.evaluation_sheet import EvaluationSheet
from tests import factories

MADE_ON = datetime.date(2026, 12, 1)
SHEETS = ["表紙", "評価の概要", "評価の分布", "基本目標1", "基本目標2", "基本目標3", "B・C評価", "計画の変更"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def accounts_as_real_staff(demo):
    """Production refuses demo accounts (DEBUG is off in tests); here they stand for real staff."""
    Group.objects.get(name=DEMO).user_set.clear()


def login(client, username):
    client.force_login(get_user_model().objects.get(username=username))


def fiscal_year(year: int) -> FiscalYear:
    return FiscalYear.objects.select_related("plan").get(plan__code="ict2", year=year)


def council(year: int) -> CouncilWorkbook:
    return CouncilWorkbook(fiscal_year=fiscal_year(year), today=MADE_ON)


def reopen(content: bytes):
    return load_workbook(io.BytesIO(content))


def row_of(sheet, *first_cells) -> list:
    """The values of the first row starting with `first_cells`."""
    for row in sheet.iter_rows(values_only=True):
        if row[: len(first_cells)] == first_cells:
            return list(row)
    raise AssertionError(f"no row {first_cells} in {sheet.title}")


def cell_of(sheet, *first_cells, column: str):
    """The cell of `column` (a header of the goal sheets) in the row starting with `first_cells`."""
    index = [name for name, _ in GOAL_COLUMNS].index(column)
    for row in sheet.iter_rows():
        if tuple(cell.value for cell in row[: len(first_cells)]) == first_cells:
            return row[index]
    raise AssertionError(f"no row {first_cells} in {sheet.title}")


# The council workbook ----------------------------------------------------------------------------


def test_the_data_step_lays_out_sheets_without_a_spreadsheet_library(demo):
    sheets = council(2024).sheets()
    assert [sheet.name for sheet in sheets] == SHEETS
    summary = sheets[1]
    assert summary.heading[1][0].value == (
        "事業の評価：A（予定どおり） 23件（74.2%）、B（若干の遅れ） 5件（16.1%）、C（大幅な遅れ） 3件（9.7%）（対象外 3件）"
    )
    assert summary.heading[2][0].value == (
        "施策目標値の評価：A（予定どおり） 1件（12.5%）、B（若干の遅れ） 7件（87.5%）、C（大幅な遅れ） 0件（0.0%）"
    )
    assert [cell.value for cell in sheets[3].header[0]] == [name for name, _ in GOAL_COLUMNS]


def test_cover_names_the_plan_year_date_made_and_the_reported_figures(demo):
    # The city's date of the lock (JST), as the cover writes it: from 00:00 to 09:00 JST not UTC's.
    taken = timezone.localtime(snapshot_latest(plan=demo, fiscal_year=2024).taken_at).date()
    cover = reopen(council(2024).render())["表紙"]
    lines = {row[0]: row[1] for row in cover.iter_rows(values_only=True) if row[0]}
    assert lines["第２次相模原市ＩＣＴ総合戦略　進捗状況報告書"] is None
    assert lines["令和6年度（2024年度）"] is None
    assert lines["対象年度"] == "令和6年度（2024年度）"
    assert lines["作成日"] == "令和8年(2026年)12月1日"
    assert lines["数値"] == f"{wareki_date(taken)}に年度を確定したときに記録した数値（報告時点の数値）です。"
    assert lines["サンプル"] == "サンプル：この報告書の数値はデモ用のサンプルで、市の実績ではありません。"
    assert lines["評価区分"] == (
        "進捗率で、A（予定どおり）：100.0%以上、B（若干の遅れ）：80.0%以上100.0%未満、C（大幅な遅れ）：80.0%未満、"
        "−（評価不能）：数値がないなど評価できないもの"
    )


def test_an_open_year_says_its_figures_are_todays(demo):
    cover = reopen(council(2025).render())["表紙"]
    lines = {row[0]: row[1] for row in cover.iter_rows(values_only=True) if row[0]}
    assert lines["数値"].startswith("作成日時点の集計値です。この年度はまだ確定していないため")


def test_summary_counts_and_shares_are_numbers_with_formats(demo):
    summary = reopen(council(2024).render())["評価の概要"]
    assert [cell.value for cell in summary[6]] == [
        "区分", "番号", "名称", "達成度", "評価", "件数", "割合", "件数", "割合", "件数", "割合", "対象外",
        "件数", "割合", "件数", "割合", "件数", "割合",
    ]  # fmt: skip
    plan_row = summary[7]
    assert [cell.value for cell in plan_row[:6]] == [
        "計画全体",
        None,
        "第２次相模原市ＩＣＴ総合戦略",
        pytest.approx(0.9076212),
        "B（若干の遅れ）",
        23,
    ]
    assert plan_row[5].number_format == '#,##0"件"'
    assert plan_row[6].value == pytest.approx(23 / 31)
    assert plan_row[6].number_format == "0.0%"
    assert [plan_row[11].value, plan_row[12].value, plan_row[14].value] == [3, 1, 7]


def test_the_grade_distribution_is_a_native_chart_beside_its_numbers(demo):
    sheet = reopen(council(2024).render())["評価の分布"]
    assert [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)] == [
        ["基本目標", "A（予定どおり）", "B（若干の遅れ）", "C（大幅な遅れ）"],
        ["基本目標1", 9, 0, 1],
        ["基本目標2", 8, 2, 1],
        ["基本目標3", 6, 3, 1],
    ]
    assert sheet["B3"].number_format == '#,##0"件"'
    [chart] = sheet._charts
    assert (chart.tagname, chart.grouping, chart.type) == ("barChart", "stacked", "col")
    assert [series.tx.strRef.f for series in chart.series] == [
        "'評価の分布'!B2",
        "'評価の分布'!C2",
        "'評価の分布'!D2",
    ]
    assert chart.series[0].val.numRef.f == "'評価の分布'!$B$3:$B$5"


def test_goal_sheet_holds_the_measure_targets_and_a_known_project(demo):
    goal = reopen(council(2024).render())["基本目標1"]
    assert goal["A1"].value == "基本目標1　利用者中心の行政サービス改革"
    assert [cell.value for cell in goal[3]] == [name for name, _ in GOAL_COLUMNS]
    target = row_of(goal, "施策目標値", "1-1-1")
    assert target[:10] == [
        "施策目標値", "1-1-1", "オンラインで完結できる行政手続の割合", None, 35, 43.8, 42.9,
        pytest.approx(0.97945205), pytest.approx(0.89772727), "B（若干の遅れ）",
    ]  # fmt: skip
    assert cell_of(goal, "施策目標値", "1-1-1", column="実績値").number_format == '#,##0.0"％"'
    assert cell_of(goal, "施策目標値", "1-1-1", column="達成率").number_format == "0.0%"
    project = row_of(goal, "事業", "1-1-1-02")
    assert project[:4] == ["事業", "1-1-1-02", "窓口予約・オンライン相談の導入", "市民課"]
    assert project[9:13] == [
        "A（予定どおり）",
        "1. 窓口予約・オンライン相談の導入：現状の把握と実施計画の策定（達成）\n"
        "窓口予約・オンライン相談の導入：現状の把握と実施計画の策定を実施しました（デモ）。",
        "対象の拡大に向けた関係課との調整（デモ）",
        "継続",
    ]
    rows = list(goal.iter_rows(values_only=True))
    indicator = rows[rows.index(tuple(project)) + 1]
    assert indicator[:10] == (
        "成果指標", "1", "オンライン予約の利用件数", None, 1200, 3120, 3120, 1, 1, "A（予定どおり）"
    )  # fmt: skip
    assert indicator[13] == "補間"
    assert (
        cell_of(goal, "成果指標", "1", "オンライン予約の利用件数", column="基準値").number_format
        == '#,##0"件/年"'
    )
    notes = [row[0] for row in rows if row[0] and str(row[0]).startswith("補間：")]
    assert notes == [
        "補間：年度目標値が定められていない年度は、前後の目標値の間を直線で補間した値を用いています。"
    ]


def test_department_is_named_as_it_was_that_year(demo):
    goal = reopen(council(2024).render())["基本目標1"]
    assert row_of(goal, "事業", "1-2-1-03")[3] == "学校ICT推進室"
    goal = reopen(council(2025).render())["基本目標1"]
    assert row_of(goal, "事業", "1-2-1-03")[3] == "教育DX推進課"


def test_a_locked_year_prints_its_snapshot_not_later_edits(demo):
    record = ProjectRecord.objects.get(project__code="1-1-1-02", fiscal_year=2024)
    result = record.indicator_results.get()
    result.actual = 9999
    result.save()
    goal = reopen(council(2024).render())["基本目標1"]
    rows = list(goal.iter_rows(values_only=True))
    project = row_of(goal, "事業", "1-1-1-02")
    assert rows[rows.index(tuple(project)) + 1][6] == 3120


def test_records_not_yet_approved_print_no_words_and_say_so(demo):
    record = ProjectRecord.objects.get(project__code="1-1-1-01", fiscal_year=2025)
    assert record.status != "approved"
    goal = reopen(council(2025).render())["基本目標1"]
    project = row_of(goal, "事業", "1-1-1-01")
    assert project[10:14] == [None, None, None, "未承認"]
    assert any(
        row[0] and row[0].startswith("未承認：DX推進課が承認する前の記録です。")
        for row in goal.iter_rows(values_only=True)
    )


def test_b_and_c_items_carry_reasons_and_the_committee_opinion(demo):
    concerns = reopen(council(2024).render())["B・C評価"]
    assert [cell.value for cell in concerns[2]] == [
        "区分", "番号", "名称", "所管課", "評価", "評価の理由", "課題", "今後の取組", "外部委員会の意見", "市の対応方針",
    ]  # fmt: skip
    row = row_of(concerns, "事業", "1-2-2-01")
    assert row == [
        "事業",
        "1-2-2-01",
        "中山間地域のデジタル活用支援",
        "地域政策課",
        "C（大幅な遅れ）",
        "成果指標の達成状況からC（大幅な遅れ）と評価しました（デモ）。",
        "対象の拡大に向けた関係課との調整（デモ）",
        None,
        "遅れの原因を分析し、目標達成に向けた工程を示すこと（デモ）。（相模原市経営評価委員会）",
        "関係課と工程を見直し、令和7年度の行動目標に反映します（デモ）。",
    ]
    codes = [r[1] for r in concerns.iter_rows(min_row=3, values_only=True) if r[0] in ("施策", "事業")]
    assert "1-1-1-01" not in codes  # graded A


def test_changes_list_revisions_and_renamed_departments(demo):
    changes = reopen(council(2025).render())["計画の変更"]
    assert [cell.value for cell in changes[3]] == ["適用年度", "種別", "内容", "理由", "日付"]
    assert changes["A2"].value == "組織改正 1件、組織の名称変更 1件"
    rows = [list(r) for r in changes.iter_rows(min_row=4, max_row=5, values_only=True)]
    assert rows == [
        [
            "令和7年度（2025年度）",
            "組織改正",
            "学校ICT推進室の所管事業を教育DX推進課に引き継ぎ",
            "組織改正により学校ICT推進室が教育DX推進課に改組されたため（デモ）",
            "令和7年(2025年)4月1日",
        ],
        [
            "令和7年度（2025年度）",
            "組織の名称変更",
            "学校ICT推進室 → 教育DX推進課",
            "組織改正",
            "令和7年(2025年)4月1日",
        ],
    ]


def test_every_sheet_prints_a4_landscape_fitted_to_width_with_repeated_headers(demo):
    workbook = reopen(council(2024).render())
    titles = {
        "表紙": None,
        "評価の概要": "$1:$6",
        "評価の分布": "$1:$1",
        "基本目標1": "$1:$3",
        "B・C評価": "$1:$2",
        "計画の変更": "$1:$3",
    }
    for name, title_rows in titles.items():
        sheet = workbook[name]
        assert sheet.page_setup.orientation == "landscape", name
        assert sheet.page_setup.paperSize == 9, name  # A4
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0), name
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True, name
        assert sheet.print_title_rows == title_rows, name
    assert workbook["基本目標1"].freeze_panes == "D4"
    assert workbook["評価の概要"].freeze_panes == "D7"


def test_no_cell_holds_a_formula_even_when_staff_typed_one(demo):
    record = ProjectRecord.objects.get(project__code="1-1-1-02", fiscal_year=2024)
    record.issues = '=HYPERLINK("http://example.com","開く")'
    record.save()
    workbook = reopen(council(2024).render())
    assert row_of(workbook["基本目標1"], "事業", "1-1-1-02")[11] == "'" + record.issues
    formulas = [c.coordinate for s in workbook for row in s.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    sheet = EvaluationSheet.of(fiscal_year=fiscal_year(2024), project=record.project)
    workbook = reopen(sheet.render())
    assert [c.coordinate for s in workbook for row in s.iter_rows() for c in row if c.data_type == "f"] == []
    assert ["課題", "'" + record.issues] in [
        [v for v in row if v] for row in workbook.active.iter_rows(values_only=True)
    ]


# The 評価シート --------------------------------------------------------------------------------------


def test_evaluation_sheet_holds_the_projects_year(demo):
    project = ProjectRecord.objects.get(project__code="1-1-1-02", fiscal_year=2024).project
    sheet = EvaluationSheet.of(fiscal_year=fiscal_year(2024), project=project)
    assert sheet.filename == "事業評価シート_1-1-1-02_窓口予約・オンライン相談の導入_2024年度.xlsx"
    workbook = reopen(sheet.render())
    assert workbook.sheetnames == ["評価シート"]
    page = workbook.active
    rows = [[v for v in row if v is not None] for row in page.iter_rows(values_only=True)]
    assert rows[0] == ["事業評価シート　令和6年度（2024年度）"]
    assert ["所管課", "市民課（令和6年度（2024年度）の名称）"] in rows
    assert ["施策", "1-1　利便性を高める行政サービスの推進"] in rows
    assert ["R6\n（本年度）", "1. 窓口予約・オンライン相談の導入：現状の把握と実施計画の策定",
            "窓口予約・オンライン相談の導入：現状の把握と実施計画の策定を実施しました（デモ）。", "達成"] in rows  # fmt: skip
    assert ["R7", "1. 窓口予約・オンライン相談の導入：対象の拡大と試行結果の検証"] in rows
    header = [
        "番号",
        "指標名",
        "単位",
        "基準値",
        "基準年度",
        "年度目標値",
        "実績値",
        "達成率",
        "進捗率",
        "評価",
        "最終目標値",
        "目標年度",
    ]
    assert header in rows
    indicator = rows[rows.index(header) + 1]
    assert indicator == [
        "1",
        "オンライン予約の利用件数",
        "件/年",
        1200,
        "R4",
        3120,
        3120,
        1,
        1,
        "A（予定どおり）",
        6000,
        "R9",
    ]
    assert ["自己評価", "A（予定どおり）"] in rows
    assert ["最終評価", "A（予定どおり）（承認済み）"] in rows
    assert ["今後の方向性", "継続"] in rows
    assert page.page_setup.orientation == "landscape"
    assert page.print_title_rows == "$1:$2"


def test_evaluation_sheet_never_prints_the_internal_note(demo):
    record = ProjectRecord.objects.get(project__code="1-1-1-02", fiscal_year=2024)
    record.internal_note = "庁内限りのメモ"
    record.save()
    workbook = reopen(EvaluationSheet.of(fiscal_year=fiscal_year(2024), project=record.project).render())
    texts = [v for row in workbook.active.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert not [text for text in texts if "庁内限りのメモ" in text]


# Who may download what ---------------------------------------------------------------------------


def test_council_workbook_is_for_the_dx_office_and_viewers(demo, client):
    assert client.get("/reports/council/2024.xlsx").status_code == 302
    login(client, "dept1")
    assert client.get("/reports/council/2024.xlsx").status_code == 403
    for username in ("dx", "viewer"):
        login(client, username)
        response = client.get("/reports/council/2024.xlsx")
        assert response.status_code == 200
        assert response["Content-Type"] == XLSX
        assert reopen(response.content).sheetnames == SHEETS
    assert client.get("/reports/council/2026.xlsx").status_code == 404  # not opened yet


def test_staff_download_only_their_own_departments_sheets(demo, client):
    login(client, "dept1")
    response = client.get("/reports/projects/1-1-1-02/2024.xlsx")
    assert response.status_code == 200
    assert reopen(response.content).active["A2"].value == "1-1-1-02　窓口予約・オンライン相談の導入"
    assert client.get("/reports/projects/1-2-1-03/2024.xlsx").status_code == 404
    assert client.get("/reports/projects/1-2-1-03/2025.xlsx").status_code == 404
    assert client.get("/reports/projects/2024.zip").status_code == 403
    login(client, "dept2")  # 教育DX推進課 took over 学校ICT推進室's project, its past years too
    assert client.get("/reports/projects/1-2-1-03/2024.xlsx").status_code == 200
    assert client.get("/reports/projects/1-1-1-02/2024.xlsx").status_code == 404
    login(client, "viewer")
    assert client.get("/reports/projects/1-2-1-03/2024.xlsx").status_code == 200
    assert client.get("/reports/projects/2024.zip").status_code == 403


def test_the_dx_office_downloads_every_sheet_of_a_year_as_a_zip(demo, client):
    login(client, "dx")
    response = client.get("/reports/projects/2024.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    assert len(names) == ProjectRecord.objects.filter(fiscal_year=2024).count() == 34
    assert "事業評価シート_1-1-1-02_窓口予約・オンライン相談の導入_2024年度.xlsx" in names
    sheet = reopen(archive.read("事業評価シート_1-1-1-02_窓口予約・オンライン相談の導入_2024年度.xlsx"))
    assert sheet.active["A2"].value == "1-1-1-02　窓口予約・オンライン相談の導入"


def test_links_sit_where_users_look(demo, client):
    login(client, "dx")
    assert 'href="/reports/council/2025.xlsx"' in client.get("/dashboard/").text
    assert 'href="/reports/projects/2025.zip"' in client.get("/dashboard/").text
    login(client, "viewer")
    overview = client.get("/dashboard/").text
    assert 'href="/reports/council/2025.xlsx"' in overview
    assert "/reports/projects/2025.zip" not in overview
    login(client, "dept1")
    assert "/reports/council/" not in client.get("/dashboard/").text
    mine = client.get("/admin/evaluation/projectrecord/mine/").text
    assert 'href="/reports/projects/1-1-1-02/2025.xlsx"' in mine
    record = ProjectRecord.objects.get(project__code="1-1-1-02", fiscal_year=2025)
    entry = client.get(f"/admin/evaluation/projectrecord/{record.pk}/change/").text
    assert 'href="/reports/projects/1-1-1-02/2025.xlsx"' in entry


# Queries: the same for the demo and for three times its projects ---------------------------------

# Each request: the session, the user, the demo-account check and the user's groups (4); the fiscal
# year (1); then the workbook's reads, and the session saved at the end (3: savepoint, update, release).
# Council workbook: the stored figures' version (or the snapshot), action goals with results, records,
# measure and outcome indicators' details, committee opinions, measure evaluations, plan revisions,
# renamed departments (9).
COUNCIL_QUERIES = 4 + 1 + 9 + 3
# 評価シート: the record (scoped) instead of the fiscal year, the snapshot, action goals with results
# of every year, the record's words, outcome indicators' details, committee opinions (6).
SHEET_QUERIES = 4 + 6 + 3
# The zip of an open year: the fiscal year, the stored figures' version, action goals with results,
# records, measure and outcome indicators' details, committee opinions (7).
ZIP_QUERIES = 4 + 7 + 3


@pytest.mark.parametrize("copies", [0, 2])
def test_downloads_take_the_same_queries_whatever_the_number_of_projects(
    demo, client, django_assert_num_queries, copies
):
    if copies:
        factories.projects_clone(demo, copies=copies)
    login(client, "dx")
    client.get("/reports/council/2025.xlsx")  # the year's figures are stored by the first request
    with django_assert_num_queries(COUNCIL_QUERIES):
        assert client.get("/reports/council/2025.xlsx").status_code == 200
    with django_assert_num_queries(COUNCIL_QUERIES):  # the snapshot instead of the stored figures' version
        assert client.get("/reports/council/2024.xlsx").status_code == 200
    with django_assert_num_queries(SHEET_QUERIES):
        assert client.get("/reports/projects/1-1-1-02/2024.xlsx").status_code == 200
    with django_assert_num_queries(ZIP_QUERIES):
        response = client.get("/reports/projects/2025.zip")
        content = b"".join(response.streaming_content)
    assert len(zipfile.ZipFile(io.BytesIO(content)).namelist()) == 34 * (copies + 1)


def test_a_project_missing_from_the_reported_figures_answers_404_not_500(demo, client):
    factories.projects_clone(demo, copies=1)  # records of the locked FY2024 the snapshot never saw
    login(client, "dx")
    assert client.get("/reports/projects/1-1-1-02-01/2024.xlsx").status_code == 404
    assert client.get("/reports/projects/1-1-1-02-01/2025.xlsx").status_code == 200
