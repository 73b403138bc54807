"""The only place that touches openpyxl: `Sheet`s (see `layout`) in, xlsx bytes out.

Written in openpyxl's write-only mode, row by row, so a city-size report streams to the file
instead of holding every cell object in memory. Every text goes through
`core.spreadsheets.spreadsheet_text`, so no cell ever holds a formula; numbers stay numbers.
"""

import datetime
import gc
import statistics
from contextlib import contextmanager
from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell.cell import Cell as OpenpyxlCell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break

from core.spreadsheets import spreadsheet_text
from reports.workbooks import layout
from reports.workbooks.layout import Sheet

FONT_NAME = "游ゴシック"
A4 = 9  # openpyxl's paperSize code for A4
FOOTER = "&A　&P／&N"  # sheet name, page of pages
THIN = Side(style="thin", color="808080")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
IN_GRID = {layout.HEADER, layout.BAND, layout.TEXT, layout.VALUE}
FILLS = {layout.HEADER: "D9D9D9", layout.BAND: "F2F2F2"}
BOLD = {layout.TITLE, layout.LABEL, layout.HEADER, layout.BAND}


@contextmanager
def cycle_collection_paused():
    """Pause Python's cycle collector while a large workbook is laid out and written.

    The rows and cells made then hold no reference cycles (plain tuples, strings and numbers, freed as
    soon as they are written), so the collector finds nothing to free; left on, it walks every object
    the worker holds (a year's stored figures among them) every few hundred cells made, which took
    about a fifth of the council workbook's time. It runs again at the end (if it was on)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def workbook_bytes(sheets: list[Sheet], *, title: str) -> bytes:
    """The sheets as an xlsx file."""
    workbook = Workbook(write_only=True)
    workbook.properties.title = spreadsheet_text(title)
    workbook.properties.creator = "相模原市ICT総合戦略 進捗管理ポータル"
    workbook.properties.created = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    styles = _Styles(workbook)
    for sheet in sheets:
        _write_sheet(workbook, sheet, styles)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class _Styles:
    """One openpyxl style array per (style, number format), built once: setting a font, border and
    alignment on each cell would look each of them up again for every cell."""

    def __init__(self, workbook: Workbook):
        self._sheet = workbook.create_sheet("_styles")
        workbook.remove(self._sheet)
        self._arrays = {}

    def array(self, style: str, number_format: str):
        key = (style, number_format)
        if key not in self._arrays:
            prototype = OpenpyxlCell(self._sheet, 1, 1)
            size = layout.FONT_POINTS.get(style, layout.DEFAULT_POINTS)
            prototype.font = Font(name=FONT_NAME, size=size, bold=style in BOLD)
            prototype.alignment = Alignment(
                wrap_text=style in layout.WRAPPED,
                horizontal="right"
                if style == layout.VALUE
                else ("center" if style == layout.HEADER else None),
                vertical="center" if style == layout.HEADER else "top",
            )
            if style in IN_GRID:
                prototype.border = GRID
            if style in FILLS:
                prototype.fill = PatternFill("solid", start_color=FILLS[style])
            prototype.number_format = number_format
            self._arrays[key] = prototype._style
        return self._arrays[key]


def _write_sheet(workbook: Workbook, sheet: Sheet, styles: _Styles) -> None:
    worksheet = workbook.create_sheet(sheet.name)
    _print_setup(worksheet, sheet)
    for index, width in enumerate(sheet.widths, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width
    heights = sheet.row_heights()
    # Most rows hold one line: they take the sheet's default height, so only taller rows need a
    # row record of their own.
    usual = statistics.mode(heights) if heights else layout.MIN_ROW_POINTS
    worksheet.sheet_format.defaultRowHeight = usual
    worksheet.sheet_format.customHeight = True
    row_number = 0
    charts, merges = [], []
    for rows, chart in _row_groups(sheet):
        first = row_number + 1
        for row in rows:
            if heights[row_number] != usual:
                worksheet.row_dimensions[row_number + 1].height = heights[row_number]
            row_number += 1
            worksheet.append(_cells(worksheet, row, row_number, styles, merges))
        if chart:
            charts.append((chart, first, row_number, len(rows[0]) - 1))
    for chart, first, last, series in charts:
        worksheet.add_chart(_bar_chart(worksheet, chart, first, last, series), f"A{last + 2}")
    # Set at once: adding ranges one by one compares each with all before it. They never overlap.
    worksheet.merged_cells = MultiCellRange(merges)
    # Set at once too: openpyxl's `append` copies every break before it.
    worksheet.row_breaks.brk = [Break(id=row) for row in sheet.page_breaks(heights)]


def _row_groups(sheet: Sheet):
    """(rows, chart or None) in order: the title area and headers, then each body block."""
    yield [*sheet.heading, *sheet.header], None
    for block in sheet.body_blocks():
        yield block.rows, block.chart


def _print_setup(worksheet, sheet: Sheet) -> None:
    worksheet.sheet_properties.pageSetUpPr.fitToPage = True
    worksheet.page_setup.orientation = "landscape"
    worksheet.page_setup.paperSize = A4
    worksheet.page_setup.fitToWidth = 1
    worksheet.page_setup.fitToHeight = 0  # as many pages high as the rows need
    worksheet.page_margins = PageMargins(**layout.MARGINS)
    worksheet.oddFooter.center.text = FOOTER
    if sheet.title_rows:
        worksheet.print_title_rows = f"1:{sheet.title_rows}"
        worksheet.freeze_panes = f"{get_column_letter(sheet.frozen_columns + 1)}{sheet.title_rows + 1}"


def _cells(worksheet, row: layout.Row, row_number: int, styles: _Styles, merges: list) -> list:
    cells, column = [], 1
    for cell in row:
        value = spreadsheet_text(cell.value) if isinstance(cell.value, str) else cell.value
        array = styles.array(cell.style, cell.number_format)
        cells.append(OpenpyxlCell(worksheet, row_number, column, value, style_array=array))
        if cell.span > 1:
            end = column + cell.span - 1
            merges.append(CellRange(min_col=column, min_row=row_number, max_col=end, max_row=row_number))
            # The merged-over cells carry the border too, so the grid has no gaps.
            cells.extend(
                OpenpyxlCell(worksheet, row_number, merged, style_array=array)
                for merged in range(column + 1, end + 1)
            )
        column += cell.span
    return cells


def _bar_chart(worksheet, chart: layout.Chart, first: int, last: int, series: int) -> BarChart:
    """A stacked bar per category (a row below the first) with one series per number column, each named
    by the first row."""
    bar = BarChart()
    bar.type = "col"
    bar.grouping = "stacked"
    bar.overlap = 100
    bar.title = spreadsheet_text(chart.title)
    bar.y_axis.title = spreadsheet_text(chart.y_title)
    bar.height, bar.width = chart.height_cm, chart.width_cm
    data = Reference(worksheet, min_col=2, max_col=1 + series, min_row=first, max_row=last)
    bar.add_data(data, titles_from_data=True)
    bar.set_categories(Reference(worksheet, min_col=1, min_row=first + 1, max_row=last))
    return bar
