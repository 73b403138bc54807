"""An uploaded sheet is checked before any parser opens it: size, what the bytes are (never the
name), how far its zip parts inflate, how many rows it holds, and no XML entities. Each refusal has
its own message; nothing is saved."""

import io
import zipfile

import pytest
from openpyxl import Workbook

from core import uploads
from evaluation.models import IndicatorResult
from tests.evaluation.sheets import HEADERS, download, problems, upload, workbook_bytes

NOT_A_SPREADSHEET = (
    "このファイルはExcelファイル（.xlsx）でもCSVファイル（.csv）でもありません。"
    "名前を .xlsx に変えただけのファイルは読めません。Excelで開いて「Excelブック（.xlsx）」として保存し直してください。"
)
INFLATES = (
    "このファイルは展開すると大きくなりすぎるため読み込みません（展開後 {size}、上限 50 MB）。"
    "Excelで開いて、使っていない行・列やシートを削除してから保存し直してください。"
)


def _refused(client, content: bytes, name="results.xlsx") -> list[list[str]]:
    found = problems(upload(client, content, name))
    assert IndicatorResult.objects.filter(actual__isnull=False).count() == 0
    return found


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _workbook_parts(sheet: bytes) -> dict[str, bytes]:
    """A real workbook's parts, with `sheet` as its worksheet's XML."""
    workbook = Workbook()
    workbook.active.append(HEADERS)
    with zipfile.ZipFile(io.BytesIO(workbook_bytes(workbook))) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["xl/worksheets/sheet1.xml"] = sheet
    return parts


def test_a_file_over_10_mb_is_refused_before_it_is_read(year_open, client):
    client.force_login(year_open)
    assert _refused(client, b"x" * (12 * 2**20)) == [
        ["−", "ファイル", "ファイルが大きすぎます（12.0 MB）。取り込めるのは10 MBまでです。行を分けて、いくつかのファイルにしてください。"]
    ]  # fmt: skip


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",  # a PDF renamed .xlsx
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",  # an image
        _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}),  # a Word file
        b"\x00\x01binary\x00data",
    ],
    ids=["pdf", "png", "docx", "binary"],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused_whatever_its_name(year_open, client, content):
    client.force_login(year_open)
    assert _refused(client, content) == [["−", "ファイル", NOT_A_SPREADSHEET]]


def test_an_old_or_password_protected_excel_file_is_explained(year_open, client):
    client.force_login(year_open)
    assert _refused(client, uploads.OLE_MAGIC + b"\x00" * 512, "results.xls") == [
        ["−", "ファイル", "古い形式のExcelファイル（.xls）か、パスワードで保護されたExcelファイルです。パスワードを外し、Excelで「Excelブック（.xlsx）」として保存し直してから選んでください。"]
    ]  # fmt: skip


def test_a_damaged_workbook_is_explained(year_open, client):
    client.force_login(year_open)
    content = workbook_bytes(download(client))
    assert _refused(client, content[: len(content) // 2]) == [
        ["−", "ファイル", "ファイルが壊れているため読み込めません。Excelで開けるか確かめ、保存し直してから選んでください。"]
    ]  # fmt: skip


def test_a_zip_bomb_is_refused_by_its_inflated_size(year_open, client):
    """Sixty parts of 0.9 MB each: none large enough for the ratio check, 54 MB in all."""
    client.force_login(year_open)
    parts = _workbook_parts(b"<worksheet/>")
    parts.update({f"xl/media/image{n}.png": b" " * (900 * 2**10) for n in range(60)})
    bomb = _zip(parts)
    assert len(bomb) < 300_000  # tiny on the wire
    assert _refused(client, bomb) == [["−", "ファイル", INFLATES.format(size="52.7 MB")]]


def test_a_part_that_inflates_a_thousandfold_is_refused(year_open, client):
    client.force_login(year_open)
    bomb = _zip(_workbook_parts(b"<worksheet>" + b" " * (3 * 2**20) + b"</worksheet>"))
    assert _refused(client, bomb) == [["−", "ファイル", INFLATES.format(size="3.0 MB")]]


def test_more_than_20000_rows_are_refused_before_parsing(year_open, client):
    client.force_login(year_open)
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n) for n in range(1, 20_003))
    sheet = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    message = "行が多すぎます（20,001行）。一度に取り込めるのは20,000行までです。ファイルを分けて取り込んでください。"
    assert _refused(client, _zip(_workbook_parts(sheet + rows + b"</sheetData></worksheet>"))) == [
        ["−", "ファイル", message]
    ]
    csv = ",".join(HEADERS) + "\r\n" + "1-1-1-01,,2025,1,,,,,1,確定値,,0\r\n" * 20_001
    assert _refused(client, csv.encode(), "results.csv") == [["−", "ファイル", message]]


def test_xml_entities_are_never_expanded(year_open, client):
    client.force_login(year_open)
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )
    assert _refused(client, _zip(_workbook_parts(laughs))) == [
        ["−", "ファイル", "ファイルを読み込めませんでした。壊れているか、許可されていない内容（XMLの外部参照など）が含まれています。ダウンロードした表をExcelで開き、保存し直してから選んでください。"]
    ]  # fmt: skip


def test_an_empty_file_and_a_value_without_a_column_are_explained(year_open, client):
    client.force_login(year_open)
    assert _refused(client, b"", "results.csv") == [
        ["−", "ファイル", "ファイルが空です。ダウンロードした表に入力して保存したファイルを選んでください。"]
    ]
    workbook = download(client)
    workbook["成果指標の実績"]["N3"] = "メモ"
    assert _refused(client, workbook_bytes(workbook)) == [
        [
            "−",
            "ファイル",
            "見出しのない列に値があります（3行目）。ダウンロードした表の列を増やさずに使ってください。",
        ]
    ]


def test_the_portals_own_largest_sheet_passes_the_checks():
    """20,000 rows as the portal writes them stay far inside the inflation and ratio limits."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for number in range(20_000):
        sheet.append([f"1-1-1-{number:04d}", "書かない窓口の推進", 2025, "1", "対象手続数", "件", 160,
                      "基準値と最終目標から補間", number, "確定値", None, 3])  # fmt: skip
    content = workbook_bytes(workbook)
    assert uploads.content_check(content).kind == "xlsx"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        part = archive.getinfo("xl/worksheets/sheet1.xml")
    assert part.file_size < uploads.MAX_INFLATED_BYTES / 3
    assert part.file_size / part.compress_size < uploads.MAX_RATIO / 4
