"""Results go out as a spreadsheet and come back: same columns, only one's own rows, a preview of
every change, then all rows saved or none."""

from decimal import Decimal

import tablib
from django.urls import reverse
from openpyxl import Workbook

from core.resources import display_width
from core.roles import DEPARTMENT_STAFF, DX_OFFICE, VIEWER
from evaluation import services
from evaluation.imports import results_import
from evaluation.models import FiscalYear, IndicatorResult, ProjectRecord
from projects.models import Project
from tests import factories
from tests.evaluation.sheets import (
    CONFIRM,
    HEADERS,
    IMPORT,
    confirm,
    download,
    problems,
    rows,
    shown_messages,
    table,
    upload,
    upload_and_confirm,
)

OURS = ["1-1-1-01", "書かない窓口の推進", 2025]


def _histories() -> tuple[int, int]:
    return IndicatorResult.history.count(), ProjectRecord.history.count()


def test_staff_download_only_their_rows_with_the_years_target(year_open, client):
    client.force_login(year_open)
    workbook = download(client)
    assert workbook.sheetnames == ["成果指標の実績", "説明"]
    assert rows(workbook) == [
        HEADERS,
        [*OURS, "1", "対象手続数", "件", 160, "基準値と最終目標から補間", None, "未入力", None, 0],
        [*OURS, "2", '\'=HYPERLINK("http://example.invalid")', "件", 160, "基準値と最終目標から補間", None, "未入力", None, 0],
    ]  # fmt: skip
    sheet = workbook["成果指標の実績"]
    # Numbers are numbers, text is text: the name that looks like a formula is not one.
    assert [cell.data_type for cell in sheet[3]] == [
        "s",
        "s",
        "n",
        "s",
        "s",
        "s",
        "n",
        "s",
        "n",
        "s",
        "n",
        "n",
    ]


def test_the_sheet_explains_itself(year_open, client):
    client.force_login(year_open)
    workbook = download(client)
    sheet = workbook["成果指標の実績"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:L3"
    assert sheet["L1"].value == "版"
    # Headers in bold; the columns to fill in yellow, the others grey.
    assert [cell.font.b for cell in sheet[1]] == [True] * 12
    fill = {cell.value: cell.fill.fgColor.rgb[-6:] for cell in sheet[1]}
    assert [fill["実績値"], fill["補足"]] == ["FFF2CC", "FFF2CC"]
    assert [fill["事業番号"], fill["版"]] == ["DDDDDD", "DDDDDD"]
    assert sheet["L1"].comment.text == (
        "変えないでください。表をダウンロードした時点の、その事業の年度評価の版（更新のたびに増える番号）です。"
        "取り込むとき、ダウンロードした後にほかの人がその事業を更新していないかを、この番号で確かめます。"
        "更新されていたときは、上書きしないように取り込みを止めてお知らせします。"
        "あなた自身がこの表を取り込んだ後に、直して取り込み直すのは構いません。"
    )
    # Wide enough to read: each column is wider than its longest text (full-width characters count twice).
    for column in sheet.iter_cols():
        longest = max(display_width(str(cell.value or "")) for cell in column)
        assert sheet.column_dimensions[column[0].column_letter].width >= longest + 2, column[0].value
    assert sheet.column_dimensions["H"].width == 28  # 「基準値と最終目標から補間」: 12 full-width characters
    [choices] = sheet.data_validations.dataValidation
    assert (str(choices.sqref), choices.formula1) == ("J2:J3", '"未入力,確定値,速報値,集計中,調査未実施"')
    assert workbook["説明"]["A1"].font.b and workbook["説明"]["C6"].alignment.wrap_text
    guide = [[cell.value for cell in row] for row in workbook["説明"].iter_rows(min_row=4, max_col=2)]
    assert guide[0] == ["列", "入力"]
    assert [row for row in guide if row[1] == "入力する"] == [
        ["実績値", "入力する"],
        ["実績の状態", "入力する"],
        ["補足", "入力する"],
    ]


def test_a_filled_sheet_is_previewed_then_saved_and_audited(year_open, client):
    client.force_login(year_open)
    workbook = download(client)
    sheet = workbook["成果指標の実績"]
    sheet["I2"], sheet["K2"] = 175, "'=SUM(A1)"  # a note that looks like a formula, written as text
    sheet["J3"] = "集計中"
    preview = upload(client, workbook)
    assert preview.status_code == 200
    assert table(preview, "import-preview")[1:] == [
        ["2", "1-1-1-01 書かない窓口の推進", "令和7年度（2025年度）", "1 対象手続数", "実績値", "（空欄）", "175"],
        ["実績の状態", "未入力", "確定値"],
        ["補足", "（空欄）", "=SUM(A1)"],
        ["3", "1-1-1-01 書かない窓口の推進", "令和7年度（2025年度）", '2 =HYPERLINK("http://example.invalid")', "実績の状態", "未入力", "集計中"],
    ]  # fmt: skip
    assert (
        "「results.xlsx」を取り込むと、2行が変わります（変更なし0行）。まだ何も保存していません。"
        in preview.content.decode()
    )
    assert IndicatorResult.objects.filter(actual__isnull=False).count() == 0  # nothing saved yet
    response = confirm(client, preview)
    assert shown_messages(response) == [
        "取り込みました（変更2件、変更なし0件）。各事業の画面で確認してから提出してください。"
    ]
    first, second = IndicatorResult.objects.filter(record__project__code="1-1-1-01").order_by(
        "indicator__code"
    )
    assert (first.actual, first.actual_status, first.note) == (Decimal(175), "confirmed", "=SUM(A1)")
    assert (second.actual, second.actual_status) == (None, "tallying")
    assert (first.history.first().history_user, first.history.first().history_change_reason) == (
        year_open,
        "Excelから取り込み",
    )
    record = ProjectRecord.objects.get(project__code="1-1-1-01")
    assert (record.status, record.version) == ("draft", 1)
    assert record.history.first().history_change_reason == "Excelから取り込み"
    # The note that looked like a formula goes out escaped again, as text.
    cell = download(client)["成果指標の実績"]["K2"]
    assert (cell.value, cell.data_type) == ("'=SUM(A1)", "s")


def test_a_cancelled_preview_saves_nothing(year_open, client):
    client.force_login(year_open)
    workbook = download(client)
    workbook["成果指標の実績"]["I2"] = 175
    preview = upload(client, workbook)
    response = client.post(reverse(CONFIRM), {"token": preview.context["token"], "cancel": ""}, follow=True)
    assert shown_messages(response) == ["取り込みを取り消しました。何も保存していません。"]
    assert IndicatorResult.objects.filter(actual__isnull=False).count() == 0
    # The kept file is gone with it: confirming the old preview is refused.
    assert problems(client.post(reverse(CONFIRM), {"token": preview.context["token"]})) == [
        ["−", "ファイル", "確認した表が見つかりません（取り込み済みか、別の画面で新しい表を選んだためです）。もう一度ファイルを選んでください。"]
    ]  # fmt: skip


def test_only_the_latest_preview_can_be_confirmed(year_open, client):
    client.force_login(year_open)
    workbook = download(client)
    workbook["成果指標の実績"]["I2"] = 175
    first = upload(client, workbook)
    workbook["成果指標の実績"]["I2"] = 180
    second = upload(client, workbook)
    assert problems(confirm(client, first)) == [
        ["−", "ファイル", "確認した表が見つかりません（取り込み済みか、別の画面で新しい表を選んだためです）。もう一度ファイルを選んでください。"]
    ]  # fmt: skip
    confirm(client, second)
    assert IndicatorResult.objects.get(indicator__code="1", record__project__code="1-1-1-01").actual == 180


def test_the_round_trip_without_changes_changes_nothing(year_open, client):
    client.force_login(year_open)
    before = _histories()
    response = upload(client, download(client))
    assert response.status_code == 302
    assert shown_messages(client.get(response.url)) == [
        "変更はありませんでした（2行とも保存済みの内容と同じです）。"
    ]
    assert _histories() == before
    assert ProjectRecord.objects.get(project__code="1-1-1-01").version == 0


def test_one_bad_row_among_a_thousand_saves_nothing_and_names_row_and_column(year_open, client):
    project = factories.project(year_open_department(year_open), code="1-1-1-02", name="電子申請の拡充")
    for number in range(1, 999):
        factories.indicator(project, code=f"{number:03d}", name=f"手続{number}", unit="件")
    record = _prepare(project)
    client.force_login(year_open)
    workbook = download(client)
    sheet = workbook["成果指標の実績"]
    assert sheet.max_row == 1001  # 1,000 rows: two of 1-1-1-01 and 998 of 1-1-1-02
    for row in range(2, 1002):
        sheet.cell(row, 9).value = row
    sheet["I700"] = "約700"
    assert problems(upload(client, workbook)) == [
        ["700", "実績値", "「約700」は数値ではありません。半角の数値で入力してください（例: 1234.5）。数値がないときは空欄にして、実績の状態を選びます。"]
    ]  # fmt: skip
    assert IndicatorResult.objects.filter(actual__isnull=False).count() == 0
    assert ProjectRecord.objects.get(pk=record.pk).version == 0


def year_open_department(staff):
    return staff.memberships.get().department


def _prepare(project):
    """Records for a project added to the open year (as the DX office does)."""
    dx = factories.user(role=DX_OFFICE)
    cycle = FiscalYear.objects.get(year=2025, plan=project.plan)
    services.records_prepare(Project.objects.filter(pk=project.pk), cycle, by=dx)
    return ProjectRecord.objects.get(project=project, fiscal_year=2025)


def test_another_departments_project_is_refused_without_saying_it_exists(year_open, client):
    client.force_login(year_open)
    workbook = download(client)
    sheet = workbook["成果指標の実績"]
    sheet["I2"] = 150
    sheet.append(
        ["3-2-1-01", "市公式SNSの運用", 2025, "1", "フォロワー数", "人", None, "", 50000, "確定値", None, 0]
    )
    sheet.append(["9-9-9-99", "ない事業", 2025, "1", "", "", None, "", 1, "確定値", None, 0])
    message = "この行の事業番号・年度・指標番号に当たる、あなたが入力できる実績はありません。番号を変えずに使ってください。"
    assert problems(upload(client, workbook)) == [["4", "（行全体）", message], ["5", "（行全体）", message]]
    assert list(IndicatorResult.objects.values_list("actual", flat=True)) == [None, None, None]


def test_missing_columns_are_named(year_open, client):
    client.force_login(year_open)
    workbook = Workbook()
    workbook.active.append(["事業番号", "年度"])
    workbook.active.append(["1-1-1-01", 2025])
    assert problems(upload(client, workbook)) == [
        ["1", column, "この列がありません。ダウンロードした表の見出しを変えずに使ってください。"]
        for column in ("指標番号", "版", "実績値", "実績の状態")
    ]


def test_a_shift_jis_csv_from_excel_is_read(year_open, client):
    client.force_login(year_open)
    text = (
        ",".join(HEADERS)
        + "\r\n1-1-1-01,書かない窓口の推進,2025,1,対象手続数,件,160,補間,170,速報値,決算前,0\r\n,,,,,,,,,,,\r\n"
    )
    upload_and_confirm(client, text.encode("cp932"), "results.csv")
    result = IndicatorResult.objects.get(record__project__code="1-1-1-01", indicator__code="1")
    assert (result.actual, result.actual_status, result.note) == (Decimal(170), "provisional", "決算前")


def test_viewers_cannot_import_and_see_no_rows_to_fill(year_open, client):
    client.force_login(factories.user("viewer", role=VIEWER))
    assert rows(download(client)) == [HEADERS]
    assert client.post(reverse(IMPORT), {}).status_code == 403
    assert client.post(reverse(CONFIRM), {}).status_code == 403


def test_an_old_sheet_cannot_overwrite_a_colleagues_newer_work(year_open, client):
    client.force_login(year_open)
    workbook = download(client)  # version 0
    record = ProjectRecord.objects.get(project__code="1-1-1-01")
    record.issues = "後から入力した課題"
    colleague = factories.user(
        "colleague", role=DEPARTMENT_STAFF, first_name="花子", last_name="相模",
        departments=[year_open_department(year_open)],
    )  # fmt: skip
    services.record_entry_save(record, by=colleague, seen_version=record.version)
    workbook["成果指標の実績"]["I2"] = 100
    found = problems(upload(client, workbook))
    assert [row[:2] for row in found] == [["2", "版"], ["3", "版"]]
    assert found[0][2].startswith(
        "この事業の年度評価は、あなたが表をダウンロードした後に花子 相模さんが更新しました（"
    )
    assert found[0][2].endswith(
        "表をダウンロードし直して最新の内容を確認してから、もう一度入力してください。"
    )
    assert IndicatorResult.objects.filter(actual__isnull=False).count() == 0


def test_ones_own_corrected_sheet_can_be_uploaded_again(year_open, client):
    client.force_login(year_open)
    workbook = download(client)  # version 0
    sheet = workbook["成果指標の実績"]
    sheet["I2"], sheet["I3"] = 170, 30
    upload_and_confirm(client, workbook)
    sheet["I2"] = 175  # a typo found after the upload; the sheet still says version 0
    preview = upload(client, workbook)
    assert table(preview, "import-preview")[1:] == [
        ["2", "1-1-1-01 書かない窓口の推進", "令和7年度（2025年度）", "1 対象手続数", "実績値", "170", "175"]
    ]
    confirm(client, preview)
    assert list(
        IndicatorResult.objects.filter(record__project__code="1-1-1-01").order_by("indicator__code").values_list("actual", flat=True)
    ) == [Decimal(175), Decimal(30)]  # fmt: skip
    assert ProjectRecord.objects.get(project__code="1-1-1-01").version == 2


def test_ones_own_later_entry_is_not_overwritten_by_an_old_sheet(year_open, client):
    client.force_login(year_open)
    workbook = download(client)
    record = ProjectRecord.objects.get(project__code="1-1-1-01")
    record.issues = "画面で入力した課題"
    services.record_entry_save(record, by=year_open, seen_version=0)  # the entry page, not an import
    workbook["成果指標の実績"]["I2"] = 100
    found = problems(upload(client, workbook))
    assert found[0][2].startswith(
        "この事業の年度評価は、あなたが表をダウンロードした後に太郎 市民さんが更新しました（"
    )


def test_an_own_import_of_other_rows_still_protects_them(year_open, client):
    client.force_login(year_open)
    first = download(client)
    second = download(client)
    first["成果指標の実績"]["I3"] = 30
    upload_and_confirm(client, first)
    # A second sheet downloaded at the same time, without row 3: it would not rewrite row 3, but
    # the record changed in a row it does not hold, so the user must look again.
    sheet = second["成果指標の実績"]
    sheet.delete_rows(3)
    sheet["I2"] = 170
    assert [row[:2] for row in problems(upload(client, second))] == [["2", "版"]]


def test_duplicate_rows_and_blank_rows(year_open, client):
    client.force_login(year_open)
    workbook = download(client)
    sheet = workbook["成果指標の実績"]
    sheet.append([None] * 12)
    sheet.append([*OURS, "1", "対象手続数", "件", 160, "", 999, "確定値", None, 0])
    sheet.append(["1-1-1-01", "", 2025.0, "1", "", "", None, "", 998, "確定値", None, 0])
    assert problems(upload(client, workbook)) == [
        ["5", "（行全体）", "2行目と5行目は、同じ事業番号・年度・指標番号（1-1-1-01・2025・1）の行です。どちらか一方を削除してください。"],
        ["6", "（行全体）", "2行目と6行目は、同じ事業番号・年度・指標番号（1-1-1-01・2025・1）の行です。どちらか一方を削除してください。"],
    ]  # fmt: skip


def test_rows_of_a_submitted_record_and_a_wrong_year_say_why(year_open, client):
    client.force_login(year_open)
    workbook = download(client)
    record = ProjectRecord.objects.get(project__code="1-1-1-01")
    record.status = "submitted"
    record.save()
    workbook["成果指標の実績"]["C3"] = "令和7年度"
    assert problems(upload(client, workbook)) == [
        ["2", "（行全体）", "この事業は「提出済み」のため取り込めません。変更が必要なときはDX推進課に差戻しを依頼してください。"],
        ["3", "年度", "年度は西暦の数字で入力してください（例: 2025）。「令和7年度」は使えません。"],
    ]  # fmt: skip


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


def test_export_preview_and_confirm_keep_their_query_counts(year_open, client, django_assert_num_queries):
    """The same queries for 2 rows and for 5: each is read and written in bulk."""
    client.force_login(year_open)
    _check_counts(client, django_assert_num_queries)
    more = factories.project(year_open_department(year_open), code="1-1-1-03")
    for number in range(1, 4):
        factories.indicator(more, code=str(number))
    _prepare(more)
    _check_counts(client, django_assert_num_queries)


def _check_counts(client, django_assert_num_queries) -> None:
    # The session, the user, the groups, the permissions (2), the user's departments and their
    # predecessors, then the results and the targets; the session is saved (3).
    with django_assert_num_queries(13):
        workbook = download(client)
    for row in range(2, workbook["成果指標の実績"].max_row + 1):
        workbook["成果指標の実績"].cell(row, 9).value = row + len(IndicatorResult.history.all())
    # The same first eight, the results the user may fill in the sheet's years; the session saved (3).
    with django_assert_num_queries(12):
        preview = upload(client, workbook)
    # The same nine, then in a savepoint (2): the records locked, which of them the user may edit,
    # the rows and the records written with a history row each (4); the session saved (3).
    with django_assert_num_queries(20):
        response = client.post(reverse(CONFIRM), {"token": preview.context["token"]})
    assert response.status_code == 302


def test_the_page_states_the_limits(year_open, client):
    client.force_login(year_open)
    page = client.get(reverse("records:mine"))
    assert page.status_code == 200
    assert (
        "取り込めるファイル: .xlsx または .csv（UTF-8・Shift_JIS）、10 MB・20,000行まで。"
        in page.content.decode()
    )
