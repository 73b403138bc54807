"""What every django-import-export resource here shares: cell widgets that read what staff type and
write what a spreadsheet shows safely, and the one file format they go out and come back in.

Text is escaped on the way out (never a formula) and unescaped on the way back; codes, numbers and
choices are read half-width (NFKC), so 「２０２５」 is 2025; a cell that cannot be read raises a
ValueError whose message the import shows beside the row and column.
"""

import io
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from import_export import widgets
from import_export.formats.base_formats import Format

from core.spreadsheets import spreadsheet_text, text_from_spreadsheet
from core.uploads import cell_normalised, content_check, dataset_read

GROUPED_NUMBER = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class TextWidget(widgets.CharWidget):
    """Free text: escaped on the way out (never a formula), unescaped on the way back."""

    def clean(self, value, row=None, **kwargs):
        return text_from_spreadsheet(super().clean(value, row, **kwargs) or "")

    def render(self, value, obj=None, **kwargs):
        return spreadsheet_text(super().render(value, obj, **kwargs))


class CodeWidget(TextWidget):
    """A code staff may retype: full-width characters are read as half-width (「１－１」 is 1-1)."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # Excel turns a typed 「1」 into the number 1.0
        return cell_normalised(super().clean(value, row, **kwargs))


class WholeNumberWidget(widgets.Widget):
    """A whole number of at least 0 (a year, a version, a count): 2025, 2025.0 and 「２０２５」 are 2025."""

    def __init__(self, message: str):
        super().__init__(coerce_to_string=False)
        self.message = message

    def clean(self, value, row=None, **kwargs):
        value = cell_normalised(value)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise ValueError(self.message.format(value=value))
        if isinstance(value, (int, float, Decimal)):
            number = value
        elif re.fullmatch(r"\d+(\.0*)?", value):
            number = Decimal(value)
        else:
            raise ValueError(self.message.format(value=value))
        try:
            whole = int(number)
        except (OverflowError, ValueError) as error:  # inf, nan
            raise ValueError(self.message.format(value=value)) from error
        if whole != number or whole < 0:
            raise ValueError(self.message.format(value=value))
        return whole

    def render(self, value, obj=None, **kwargs):
        return value


class NumberWidget(widgets.Widget):
    """A decimal as staff type it (「１，２３４．５」 included), within what its column stores: at most
    `digits` digits before the point and `places` after. `name` is the column, for the messages."""

    def __init__(self, name: str, *, digits: int = 12, places: int = 4):
        super().__init__(coerce_to_string=False)
        self.name, self.digits, self.places = name, digits, places

    def clean(self, value, row=None, **kwargs):
        shown = value
        value = cell_normalised(value)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise ValueError(self._not_a_number(shown))
        if isinstance(value, float):
            number = Decimal(repr(value))
        elif isinstance(value, (int, Decimal)):
            number = Decimal(value)
        else:
            if GROUPED_NUMBER.fullmatch(value):
                value = value.replace(",", "")
            try:
                number = Decimal(value)
            except InvalidOperation as error:
                raise ValueError(self._not_a_number(shown)) from error
        if not number.is_finite():
            raise ValueError(
                f"「{shown}」は数値として扱えません（無限大や非数は入力できません）。半角の数値で入力してください（例: 1234.5）。"
            )
        if abs(number) >= Decimal(10) ** self.digits:
            largest = f"{10**self.digits - 1:,}"
            raise ValueError(
                f"「{shown}」は大きすぎます。{self.name}は整数部分{self.digits}桁（{largest}）までで入力してください。"
            )
        if isinstance(value, float):
            # A spreadsheet's arithmetic leaves binary noise (0.30000000000000004): keep the places
            # the column stores.
            return round(number, self.places)
        if number.as_tuple().exponent < -self.places:
            raise ValueError(
                f"「{shown}」は小数点以下が{self.places + 1}桁以上あります。小数点以下は{self.places}桁までで入力してください。"
            )
        return number

    def _not_a_number(self, value) -> str:
        return f"「{value}」は数値ではありません。半角の数値で入力してください（例: 1234.5）。"

    def render(self, value, obj=None, **kwargs):
        return value


class ChoiceWidget(widgets.Widget):
    """A choice written as its label (「増加を目指す」), read back to its value."""

    def __init__(self, choices, column: str, *, blank: str | None = None):
        super().__init__()
        # Compared as read (NFKC), so 「単年度(人/年)」 typed half-width is 「単年度（人/年）」.
        self.by_label = {cell_normalised(str(label)): value for value, label in choices}
        self.labels = {value: str(label) for value, label in choices}
        self.column, self.blank = column, blank

    def clean(self, value, row=None, **kwargs):
        text = str(cell_normalised(value) or "")
        if not text and self.blank is not None:
            return self.blank
        if text in self.by_label:
            return self.by_label[text]
        labels = "・".join(self.labels.values())
        if not text:
            raise ValueError(f"{self.column}が空欄です。{labels}のいずれかを入力してください。")
        raise ValueError(f"「{text}」は{self.column}に使えません。{labels}のいずれかを入力してください。")

    def render(self, value, obj=None, **kwargs):
        return self.labels.get(value, "")


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: a full-width character takes two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


MIN_WIDTH, MAX_WIDTH = 6, 60


def column_widths(headers, rows) -> list[float]:
    """Each column as wide as its longest line (header included), within readable bounds."""
    widths = []
    for index, header in enumerate(headers):
        lines = [str(header or "")] + [
            line for row in rows for line in str("" if row[index] is None else row[index]).split("\n")
        ]
        widths.append(min(max(_widest(lines) + 4, MIN_WIDTH), MAX_WIDTH))
    return widths


def _widest(lines: list[str]) -> int:
    """The display width of the widest line, measuring only the lines that could be it: no line is
    wider than twice its length, so the longest are measured first and the rest once none can win."""
    widest = 0
    for line in sorted(lines, key=len, reverse=True):
        if 2 * len(line) <= widest or widest + 4 >= MAX_WIDTH:
            break
        widest = max(widest, display_width(line))
    return widest


def _cell_value(value):
    """What a cell holds: text escaped (idempotent for text a widget escaped already), so that no
    value, whichever method produced it, is ever a formula; empty text is an empty cell."""
    if isinstance(value, str):
        return spreadsheet_text(value) or None
    return value


def workbook_write(headers, rows, *, title: str, header_style=None):
    """A workbook holding one sheet: bold headers, frozen and filtered, columns wide enough to read,
    and no cell a formula. `header_style(cell, header)` may dress a header cell further (a fill, a
    comment). Returns the openpyxl workbook for the caller to add sheets to, and its sheet (its data
    validations can still be added).

    The workbook is write-only: its rows stream to the file as they come, with no cell objects kept
    and none sorted on saving, which halves the time a department's sheet takes to write."""
    from openpyxl import Workbook  # heavy: imported where a workbook is made
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    # Written before the first row: a write-only sheet sends its columns and panes out with it.
    for index, width in enumerate(column_widths(headers, rows), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(max(len(headers), 1))}{len(rows) + 1}"
    sheet.append([_header_cell(sheet, header, header_style) for header in headers])
    for row in rows:
        sheet.append([_cell_value(value) for value in row])
    return workbook, sheet


def bold_cell(sheet, value, *, size=None):
    """A bold cell for a row of a write-only `sheet`."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    cell = WriteOnlyCell(sheet, value=value)
    cell.font = Font(bold=True, size=size)
    return cell


def _header_cell(sheet, header, header_style):
    cell = bold_cell(sheet, _cell_value(header))
    if header_style is not None:
        header_style(cell, header)
    return cell


def workbook_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class Spreadsheet(Format):
    """The one format of the DX office's master-data imports and exports: read from .xlsx or CSV, told
    apart by content once the file passed the limits of `core.uploads`; written as .xlsx."""

    def __init__(self, encoding=None):
        self.encoding = encoding  # import-export passes one; the content decides (UTF-8 or Shift_JIS)

    def get_title(self):
        return "Excel（.xlsx）またはCSV"

    def create_dataset(self, in_stream):
        return dataset_read(content_check(in_stream))

    def export_data(self, dataset, **kwargs):
        title = dataset.title or "データ"
        workbook, _ = workbook_write(dataset.headers, list(dataset), title=title)
        return workbook_bytes(workbook)

    def get_extension(self):
        return "xlsx"

    def get_content_type(self):
        return XLSX_TYPE

    def can_import(self):
        return True

    def can_export(self):
        return True
