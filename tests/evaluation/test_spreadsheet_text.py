"""Text in the results spreadsheet: a control character stored before text was checked never breaks
an export, and an imported note is cleaned like one typed in the admin."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from core.roles import DEPARTMENT_STAFF, DX_OFFICE
from evaluation import services
from evaluation.models import FiscalYear, IndicatorResult
from tests import factories

EXPORT = "records:results_export"
IMPORT = "records:results_import"
HEADER = "事業番号,事業名,年度,指標番号,指標名,単位,年度目標値,目標値の根拠,実績値,実績の状態,補足,版"


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
def test_a_stored_vertical_tab_is_exported_as_a_line_break(users, client, who):
    client.force_login(users[who])
    response = client.get(reverse(EXPORT))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    row = [cell.value for cell in sheet[2]]
    assert (row[0], row[1], row[10]) == ("1-1-1-01", "書かない窓口\nの推進", "窓口で受付\n郵送は除く")


def _import(client, note: str):
    row = f'1-1-1-01,書かない窓口の推進,2025,1,対象手続数,件,160,補間,170,速報値,"{note}",0'
    upload = SimpleUploadedFile("results.csv", f"{HEADER}\r\n{row}\r\n".encode())
    return client.post(reverse(IMPORT), {"sheet": upload})


def test_an_imported_note_gets_plain_line_breaks(users, client):
    client.force_login(users["staff"])
    IndicatorResult.objects.update(note="")
    response = _import(client, "決算前\x0b速報\r\n後日更新")
    assert response.status_code == 302
    assert IndicatorResult.objects.get().note == "決算前\n速報\n後日更新"


def test_an_imported_control_character_is_named(users, client):
    client.force_login(users["staff"])
    response = _import(client, "決算前\x1b")
    assert response.status_code == 200
    assert [(p.row, p.column, p.message) for p in response.context["problems"]] == [
        (2, "補足", "制御文字（U+001B）が含まれています。削除してください。")
    ]
    assert IndicatorResult.objects.get().note == "窓口で受付\x0b郵送は除く\x07"
