"""The results sheet as a workbook: the rows of `IndicatorResultResource`, rendered with openpyxl
so that staff can read and fill it: columns as wide as their contents, the columns to fill marked,
a list to pick 実績の状態 from, and what each column (the 版 above all) means, in the sheet itself.

Every text cell was escaped by the resource (`core.spreadsheets.spreadsheet_text`), so no cell is
ever a formula; numbers are written as numbers.
"""

import tablib

from core.resources import bold_cell, workbook_bytes, workbook_write
from evaluation.resources import SHEET_TITLE, STATUS_BY_LABEL

FILLED_COLUMNS = ("実績値", "実績の状態", "補足")
HELP_TITLE = "説明"
# Each column: whether staff fill it, and what it is.
COLUMN_HELP = {
    "事業番号": "変えないでください。取り込むときに、どの事業の行かをこの番号で見分けます。",
    "事業名": "参考です（取り込みでは読みません）。",
    "年度": "変えないでください。西暦の年度です（例: 2025 は令和7年度）。",
    "指標番号": "変えないでください。事業の中で、どの成果指標の行かをこの番号で見分けます。",
    "指標名": "参考です（取り込みでは読みません）。",
    "単位": "参考です。実績値はこの単位で入力します。",
    "年度目標値": "参考です。この年度の目標値です。",
    "目標値の根拠": "参考です。計画に記載の目標値か、基準値と最終目標から補間した値かを示します。",
    "実績値": "入力します。半角の数値で、単位は付けません（例: 1234.5）。数値がまだないときは空欄にします。",
    "実績の状態": "入力します。一覧から選びます: "
    + "・".join(STATUS_BY_LABEL)
    + "。数値を入れたら確定値か速報値です。",
    "補足": "必要なら入力します。数値の注記や定性指標の実績です。",
    "版": (
        "変えないでください。表をダウンロードした時点の、その事業の年度評価の版（更新のたびに増える番号）です。"
        "取り込むとき、ダウンロードした後にほかの人がその事業を更新していないかを、この番号で確かめます。"
        "更新されていたときは、上書きしないように取り込みを止めてお知らせします。"
        "あなた自身がこの表を取り込んだ後に、直して取り込み直すのは構いません。"
    ),
}
HEADER_FILL = "DDDDDD"
FILLED_FILL = "FFF2CC"


def results_workbook(rows: tablib.Dataset) -> bytes:
    """The .xlsx bytes of the results sheet for `rows` (headers first), with the 説明 sheet."""
    headers = list(rows.headers)
    workbook, sheet = workbook_write(headers, list(rows), title=SHEET_TITLE, header_style=_header_note)
    _status_choices(sheet, headers, len(rows))
    _help_sheet(workbook.create_sheet(HELP_TITLE), headers)
    return workbook_bytes(workbook)


def _header_note(cell, header: str) -> None:
    """Yellow for the columns staff fill, grey for the others, and what the column is, as a note."""
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    colour = FILLED_FILL if header in FILLED_COLUMNS else HEADER_FILL
    cell.fill = PatternFill("solid", start_color=colour, end_color=colour)
    if header in COLUMN_HELP:
        comment = Comment(COLUMN_HELP[header], "相模原市ICT総合戦略 進捗ポータル")
        comment.width, comment.height = 320, 160
        cell.comment = comment


def _status_choices(sheet, headers: list[str], count: int) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    if "実績の状態" not in headers or not count:
        return
    letter = get_column_letter(headers.index("実績の状態") + 1)
    choices = DataValidation(
        type="list",
        formula1='"' + ",".join(STATUS_BY_LABEL) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="実績の状態",
        error="一覧から選んでください: " + "・".join(STATUS_BY_LABEL),
    )
    choices.add(f"{letter}2:{letter}{count + 1}")
    sheet.data_validations.append(choices)  # a write-only sheet writes them after its rows


def _help_sheet(sheet, headers: list[str]) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment

    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 10
    sheet.column_dimensions["C"].width = 100
    sheet.append([bold_cell(sheet, "成果指標の実績の入力方法", size=12)])
    sheet.append(
        [
            "「成果指標の実績」シートの黄色の列（実績値・実績の状態・補足）に入力し、保存してから"
            "ポータルの「担当事業の入力状況」で取り込みます。ほかの列と見出し、シートの名前は変えないでください。"
        ]
    )
    sheet.append([])
    sheet.append([bold_cell(sheet, text) for text in ("列", "入力", "説明")])
    for header in headers:
        explanation = WriteOnlyCell(sheet, value=COLUMN_HELP.get(header, ""))
        explanation.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.append([header, "入力する" if header in FILLED_COLUMNS else "変えない", explanation])
