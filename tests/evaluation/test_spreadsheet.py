"""Results go out as a spreadsheet and come back: same columns, only one's own rows, all or nothing."""

import datetime
import io
from decimal import Decimal

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from core.roles import DEPARTMENT_STAFF, DX_OFFICE, VIEWER
from evaluation import services
from evaluation.imports import results_import
from evaluation.models import FiscalYear, IndicatorResult, ProjectRecord
from tests import factories

HEADERS = [
    "事業番号",
    "事業名",
    "年度",
    "指標番号",
    "指標名",
    "単位",
    "年度目標値",
    "目標値の根拠",
    "実績値",
    "実績の状態",
    "補足",
    "版",
]
EXPORT = "records:results_export"
IMPORT = "records:results_import"


@pytest.fixture
def year_open(plan):
    citizens, relations = factories.department("市民課"), factories.department("広報課")
    ours = factories.project(citizens, code="1-1-1-01", name="書かない窓口の推進")
    factories.indicator(ours, code="1", name="対象手続数", unit="件")
    factories.indicator(ours, code="2", name='=HYPERLINK("http://example.invalid")', unit="件")
    theirs = factories.project(relations, code="3-2-1-01", measure_code="3-2", name="市公式SNSの運用")
    factories.indicator(theirs, code="1", name="フォロワー数", unit="人")
    dx = factories.user("dx", role=DX_OFFICE)
    staff = factories.user("staff", role=DEPARTMENT_STAFF, departments=[citizens])
    services.fiscal_year_open(
        FiscalYear.objects.get(plan=plan, year=2025), deadline=datetime.date(2026, 6, 30), by=dx
    )
    return staff


def _sheet(client):
    response = client.get(reverse(EXPORT))
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    return load_workbook(io.BytesIO(response.content))


def _rows(workbook):
    return [[cell.value for cell in row] for row in workbook.active.iter_rows()]


def _upload(client, workbook, name="results.xlsx"):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return client.post(reverse(IMPORT), {"sheet": SimpleUploadedFile(name, buffer.getvalue())}, follow=True)


def test_staff_download_only_their_rows_with_the_years_target(year_open, client):
    client.force_login(year_open)
    rows = _rows(_sheet(client))
    assert rows[0] == HEADERS
    assert rows[1:] == [
        [
            "1-1-1-01",
            "書かない窓口の推進",
            2025,
            "1",
            "対象手続数",
            "件",
            160,
            "基準値と最終目標から補間",
            None,
            "未入力",
            None,
            0,
        ],
        [
            "1-1-1-01",
            "書かない窓口の推進",
            2025,
            "2",
            '\'=HYPERLINK("http://example.invalid")',
            "件",
            160,
            "基準値と最終目標から補間",
            None,
            "未入力",
            None,
            0,
        ],
    ]


def test_a_filled_sheet_comes_back_and_is_audited(year_open, client):
    client.force_login(year_open)
    workbook = _sheet(client)
    sheet = workbook.active
    sheet["I2"], sheet["K2"] = 175, "'=SUM(A1)"  # a note that looks like a formula, written as text
    sheet["J3"] = "集計中"
    response = _upload(client, workbook)
    assert "取り込みました（変更2件、変更なし0件）。" in response.content.decode()
    first, second = IndicatorResult.objects.filter(record__project__code="1-1-1-01").order_by(
        "indicator__code"
    )
    assert (first.actual, first.actual_status, first.note) == (Decimal(175), "confirmed", "=SUM(A1)")
    assert (second.actual, second.actual_status) == (None, "tallying")
    assert first.history.first().history_user == year_open
    record = ProjectRecord.objects.get(project__code="1-1-1-01")
    assert (record.status, record.version) == ("draft", 1)
    assert record.history.first().history_change_reason == "Excelから取り込み"
    # The note that looked like a formula goes out escaped again.
    assert _rows(_sheet(client))[1][10] == "'=SUM(A1)"


def test_one_bad_row_saves_nothing_and_every_problem_is_named(year_open, client):
    client.force_login(year_open)
    workbook = _sheet(client)
    sheet = workbook.active
    sheet["I2"] = 150
    sheet["I3"], sheet["J3"] = "百五十", "だいたい"
    sheet.append(
        ["3-2-1-01", "市公式SNSの運用", 2025, "1", "フォロワー数", "人", None, "", 50000, "確定値", None, 0]
    )
    response = _upload(client, workbook)
    problems = [(p.row, p.column, p.message) for p in response.context["problems"]]
    assert problems == [
        (
            3,
            "実績値",
            "「百五十」は数値ではありません。半角の数値で入力してください（例: 1234.5）。数値がないときは空欄にして、実績の状態を選びます。",
        ),
        (
            3,
            "実績の状態",
            "「だいたい」は実績の状態に使えません。未入力・確定値・速報値・集計中・調査未実施のいずれかを入力してください。",
        ),
        (
            4,
            "（行全体）",
            "この行の事業番号・年度・指標番号に当たる、あなたが入力できる実績はありません。番号を変えずに使ってください。",
        ),
    ]
    assert "何も保存していません" in response.content.decode()
    assert list(IndicatorResult.objects.values_list("actual", flat=True)) == [None, None, None]
    assert ProjectRecord.objects.get(project__code="1-1-1-01").version == 0


def test_missing_columns_and_unreadable_files_are_explained(year_open, client):
    client.force_login(year_open)
    workbook = Workbook()
    workbook.active.append(["事業番号", "年度"])
    problems = [(p.column, p.message) for p in _upload(client, workbook).context["problems"]]
    assert problems[0] == (
        "指標番号",
        "この列がありません。ダウンロードした表の見出しを変えずに使ってください。",
    )
    response = client.post(reverse(IMPORT), {"sheet": SimpleUploadedFile("results.xlsx", b"not a workbook")})
    assert [p.message for p in response.context["problems"]] == [
        "ファイルを読み込めませんでした。ダウンロードした表を、列を増やしたり減らしたりせずに保存してください。"
    ]
    response = client.post(reverse(IMPORT), {"sheet": SimpleUploadedFile("results.pdf", b"%PDF")})
    assert [p.message for p in response.context["problems"]] == [
        "Excelファイル（.xlsx）かCSVファイル（.csv）を選んでください。"
    ]


def test_a_shift_jis_csv_from_excel_is_read(year_open, client):
    client.force_login(year_open)
    text = (
        ",".join(HEADERS)
        + "\r\n1-1-1-01,書かない窓口の推進,2025,1,対象手続数,件,160,補間,170,速報値,決算前,0\r\n,,,,,,,,,,,\r\n"
    )
    upload = SimpleUploadedFile("results.csv", text.encode("cp932"))
    client.post(reverse(IMPORT), {"sheet": upload})
    result = IndicatorResult.objects.get(record__project__code="1-1-1-01", indicator__code="1")
    assert (result.actual, result.actual_status, result.note) == (Decimal(170), "provisional", "決算前")


def test_viewers_cannot_import_and_see_no_rows_to_fill(year_open, client):
    viewer = factories.user("viewer", role=VIEWER)
    client.force_login(viewer)
    assert _rows(_sheet(client)) == [HEADERS]
    assert client.post(reverse(IMPORT), {}).status_code == 403


def test_an_old_sheet_cannot_overwrite_newer_work(year_open, client):
    client.force_login(year_open)
    workbook = _sheet(client)  # version 0
    record = ProjectRecord.objects.get(project__code="1-1-1-01")
    record.issues = "後から入力した課題"
    colleague = factories.user(
        "colleague", role=DEPARTMENT_STAFF, first_name="花子", last_name="相模",
        departments=[record.project.assignments.get().department],
    )  # fmt: skip
    services.record_entry_save(record, by=colleague, seen_version=record.version)
    workbook.active["I2"] = 100
    problems = _upload(client, workbook).context["problems"]
    assert {p.row for p in problems} == {2, 3}
    assert problems[0].message.startswith(
        "この事業の年度評価は、あなたが表をダウンロードした後に花子 相模さんが更新しました（"
    )
    assert problems[0].message.endswith(
        "表をダウンロードし直して最新の内容を確認してから、もう一度入力してください。"
    )
    assert IndicatorResult.objects.filter(actual__isnull=False).count() == 0


def test_duplicate_rows_and_blank_rows(year_open, client):
    client.force_login(year_open)
    workbook = _sheet(client)
    sheet = workbook.active
    sheet.append([None] * 12)
    sheet.append(
        ["1-1-1-01", "書かない窓口の推進", 2025, "1", "対象手続数", "件", 160, "", 999, "確定値", None, 0]
    )
    problems = [(p.row, p.message) for p in _upload(client, workbook).context["problems"]]
    assert problems == [
        (5, "同じ事業番号・年度・指標番号の行が2行目にもあります。どちらか一方にしてください。")
    ]


def test_rows_of_a_submitted_record_and_a_wrong_year_say_why(year_open, client, plan):
    client.force_login(year_open)
    workbook = _sheet(client)
    ProjectRecord.objects.filter(project__code="1-1-1-01").update(status="submitted")
    workbook.active["C3"] = "令和7年度"
    problems = [(p.row, p.column, p.message) for p in _upload(client, workbook).context["problems"]]
    assert problems == [
        (
            2,
            "（行全体）",
            "この事業は「提出済み」のため取り込めません。変更が必要なときはDX推進課に差戻しを依頼してください。",
        ),
        (3, "年度", "年度は西暦の数字で入力してください（例: 2025）。「令和7年度」は使えません。"),
    ]


def test_the_import_records_who_even_outside_a_request(year_open):
    dataset = tablib.Dataset(headers=HEADERS)
    dataset.append(["1-1-1-01", "", 2025, "1", "", "", "", "", 0.1 + 0.2, "確定値", "", 0])
    outcome = results_import(dataset, by=year_open)
    assert (outcome.changed, outcome.problems) == (1, ())
    result = IndicatorResult.objects.get(record__project__code="1-1-1-01", indicator__code="1")
    assert result.actual == Decimal("0.3000")
    assert (result.history.first().history_user, result.history.first().history_change_reason) == (
        year_open,
        "Excelから取り込み",
    )


def test_export_and_import_keep_their_query_counts(year_open, client, django_assert_max_num_queries):
    client.force_login(year_open)
    client.get(reverse(EXPORT))
    with django_assert_max_num_queries(16):
        client.get(reverse(EXPORT))
