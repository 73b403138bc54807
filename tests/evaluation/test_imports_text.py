"""Text in the results spreadsheet: a control character stored before text was checked never breaks
an export, a formula never leaves as one and comes back as typed, and an imported note is cleaned
like one typed in the admin."""

import datetime

import pytest
from openpyxl import Workbook

from core.roles import DEPARTMENT_STAFF, DX_OFFICE
from evaluation import services
from evaluation.models import FiscalYear, IndicatorResult, ProjectRecord
from tests import factories
from tests.evaluation.sheets import HEADERS, download, problems, rows, upload, upload_and_confirm

HEADER = ",".join(HEADERS)
# Every start that makes a cell a formula in a spreadsheet (a carriage return is stored as a line feed).
FORMULAS = ['=HYPERLINK("http://example.invalid","x")', "+1", "-1", "@x", "\t=1"]


@pytest.fixture
def users(plan):
    citizens = factories.department("市民課")
    project = factories.project(citizens, code="1-1-1-01", name="書かない窓口\x0bの推進")
    factories.indicator(project, code="1", name="対象手続数", unit="件")
    dx = factories.user("dx", role=DX_OFFICE)
    staff = factories.user("staff", role=DEPARTMENT_STAFF, departments=[citizens])
    services.fiscal_year_open(
        FiscalYear.objects.get(plan=plan, year=2025), deadline=datetime.date(2026, 6, 30), by=dx
    )
    # Written through the ORM, as rows saved before text was checked were.
    IndicatorResult.objects.update(note="窓口で受付\x0b郵送は除く\x07")
    return {"dx": dx, "staff": staff}


@pytest.mark.parametrize("who", ["dx", "staff"])
def test_a_stored_control_character_never_breaks_the_export(users, client, who):
    client.force_login(users[who])
    row = rows(download(client))[1]
    assert (row[0], row[1], row[10]) == ("1-1-1-01", "書かない窓口\nの推進", "窓口で受付\n郵送は除く")


def _import(client, note: str):
    row = f'1-1-1-01,書かない窓口の推進,2025,1,対象手続数,件,160,補間,170,速報値,"{note}",0'
    return upload(client, f"{HEADER}\r\n{row}\r\n".encode(), "results.csv")


def test_an_imported_note_gets_plain_line_breaks(users, client):
    client.force_login(users["staff"])
    row = (
        '1-1-1-01,書かない窓口の推進,2025,1,対象手続数,件,160,補間,170,速報値,"決算前\x0b速報\r\n後日更新",0'
    )
    upload_and_confirm(client, f"{HEADER}\r\n{row}\r\n".encode(), "results.csv")
    assert IndicatorResult.objects.get().note == "決算前\n速報\n後日更新"


def test_an_imported_control_character_is_named(users, client):
    client.force_login(users["staff"])
    assert problems(_import(client, "決算前\x1b")) == [
        ["2", "補足", "制御文字（U+001B）が含まれています。削除してください。"]
    ]
    assert IndicatorResult.objects.get().note == "窓口で受付\x0b郵送は除く\x07"


@pytest.mark.parametrize("formula", FORMULAS)
def test_a_formula_goes_out_as_text_and_comes_back_unchanged(users, client, formula):
    result = IndicatorResult.objects.get()
    result.note, result.actual, result.actual_status = formula, 170, "confirmed"
    result.save()
    project = result.record.project
    project.name = formula
    project.save()
    client.force_login(users["staff"])
    workbook = download(client)
    sheet = workbook["成果指標の実績"]
    assert [(cell.value, cell.data_type) for cell in (sheet["B2"], sheet["K2"])] == [(f"'{formula}", "s")] * 2
    # Numbers stay numbers.
    assert [(cell.value, cell.data_type) for cell in (sheet["C2"], sheet["G2"], sheet["I2"], sheet["L2"])] == [
        (2025, "n"), (160, "n"), (170, "n"), (0, "n"),
    ]  # fmt: skip
    assert not [cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    history = IndicatorResult.history.count()
    response = upload(client, workbook)
    assert response.status_code == 302, problems(response)  # nothing changed
    assert (IndicatorResult.objects.get().note, IndicatorResult.history.count()) == (formula, history)


def test_a_formula_typed_as_text_is_saved_as_typed(users, client):
    client.force_login(users["staff"])
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    sheet.append(["1-1-1-01", "", 2025, "1", "", "", None, "", 170, "確定値", "'+1", 0])
    sheet["K2"].data_type = "s"
    upload_and_confirm(client, workbook)
    assert IndicatorResult.objects.get().note == "+1"
    assert ProjectRecord.objects.get().version == 1
