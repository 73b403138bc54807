"""What a workbook holds, as plain data: sheets of cells and how they print. No openpyxl here.

The exporters build `Sheet`s (the rows-first step, testable without a spreadsheet library) and
`render.workbook_bytes` alone writes them. How a sheet is cut into printed pages is worked out here
too, from the same row heights the renderer writes, so the page breaks and the page count are known
before any file exists (the LibreOffice test holds the PDF to them).

Every sheet prints on A4 landscape, scaled to the page width (fitToWidth 1, as many pages high as it
takes), its title and column header rows repeated on every page. A row's height is set from its
longest wrapped text, so text is never cut and a page holds a known number of rows.
"""

import math
from dataclasses import dataclass, field
from typing import NamedTuple

# Cell styles (the renderer maps each to a font, alignment, border and fill).
TITLE = "title"  # the sheet's title line
SUBTITLE = "subtitle"  # lines under the title (plan, year, which figures)
LABEL = "label"  # a bold caption beside a value (cover, 評価シート)
HEADER = "header"  # a column header, in the table's grid
BAND = "band"  # a group's first row (a measure above its indicators and projects), shaded
TEXT = "text"  # text in the table's grid, wrapped
VALUE = "value"  # a number, or 「−」/「集計中」 in its place: right-aligned in the grid
PLAIN = "plain"  # text outside the grid (the cover's lines), wrapped
NOTE = "note"  # a footnote under the table, smaller

WRAPPED = frozenset({TITLE, SUBTITLE, LABEL, HEADER, BAND, TEXT, PLAIN, NOTE})
FONT_POINTS = {TITLE: 14, SUBTITLE: 11, NOTE: 9}
DEFAULT_POINTS = 10

PERCENT_FORMAT = "0.0%"
COUNT_FORMAT = '#,##0"件"'
MISSING = "−"

# The page: A4 landscape in points, and the margins the renderer sets (inches, as openpyxl takes them).
PAGE_WIDTH, PAGE_HEIGHT = 841.89, 595.28
MARGINS = {"left": 0.4, "right": 0.4, "top": 0.6, "bottom": 0.6, "header": 0.3, "footer": 0.3}
# Only this share of a page is planned full: the width of a column unit and the height of a line
# differ a little between Excel and LibreOffice and between fonts, and a page planned too full would
# spill a row onto an extra page.
PAGE_FILL = 0.9


class Cell(NamedTuple):
    """One cell: a text (written through `core.spreadsheets.spreadsheet_text`, never a formula) or a
    number with its number format. `span` merges it with the cells to its right."""

    value: str | float | int | None
    style: str = TEXT
    number_format: str = "General"
    span: int = 1


EMPTY = Cell(None, PLAIN)
Row = tuple[Cell, ...]


def text(value, style: str = TEXT, *, span: int = 1) -> Cell:
    return Cell("" if value is None else str(value), style, span=span)


def percent(fraction: float | None) -> Cell:
    """A fraction kept as a number (0.825) and shown as a percentage (82.5%); no figure → 「−」."""
    if fraction is None:
        return Cell(MISSING, VALUE)
    return Cell(fraction, VALUE, PERCENT_FORMAT)


def count(value: int) -> Cell:
    return Cell(value, VALUE, COUNT_FORMAT)


def quantity(value: float | None, *, decimals: int, unit: str, missing: str = MISSING) -> Cell:
    """A value with its indicator's decimals (more when it has more, at most 4) and its unit in the
    number format, so it stays a number: 42.9 → 「42.9％」. No value → `missing` as text."""
    if value is None:
        return Cell(missing, VALUE)
    return Cell(value, VALUE, quantity_format(value, decimals=decimals, unit=unit))


def quantity_format(value: float, *, decimals: int, unit: str) -> str:
    places = min(max(decimals, _places(value)), 4)
    digits = "#,##0" + ("." + "0" * places if places else "")
    # A double quote would end the quoted unit; a unit never needs one.
    unit = unit.replace('"', "").replace("\\", "")
    return f'{digits}"{unit}"' if unit else digits


def _places(value: float) -> int:
    """The decimal places `value` needs (at most 4, as the database keeps values): 43.75 → 2."""
    rounded = round(value, 4)
    for places in range(5):
        if math.isclose(rounded, round(rounded, places), rel_tol=0, abs_tol=1e-9):
            return places
    return 4


@dataclass(frozen=True)
class Chart:
    """A bar chart drawn beside its numbers: the block's first row holds the series' names after the
    first cell, each other row a category (its name first, then one number per series)."""

    title: str
    y_title: str
    height_cm: float = 7.5
    width_cm: float = 18.0

    @property
    def height_points(self) -> float:
        return self.height_cm / 2.54 * 72


@dataclass(frozen=True)
class Block:
    """Rows kept on one printed page where they fit (a project with its indicators)."""

    rows: tuple[Row, ...]
    new_page: bool = False
    chart: Chart | None = None


@dataclass
class Sheet:
    """One worksheet: a title area and column headers (both repeated on every printed page), the body
    in blocks, and footnotes. `widths` are column widths in Excel's units (about one digit each)."""

    name: str
    widths: tuple[float, ...]
    heading: list[Row] = field(default_factory=list)
    header: list[Row] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)
    frozen_columns: int = 0

    @property
    def title_rows(self) -> int:
        """How many rows (the title area and the column headers) repeat at the top of every page."""
        return len(self.heading) + len(self.header)

    def body_blocks(self) -> list[Block]:
        """The body's blocks with the footnotes after the tables (before a chart, which is drawn below
        its block's rows and would cover anything after them)."""
        if not self.footnotes:
            return self.blocks
        notes = Block(((EMPTY,), *((Cell(note, NOTE, span=len(self.widths)),) for note in self.footnotes)))
        tables = [block for block in self.blocks if block.chart is None]
        charts = [block for block in self.blocks if block.chart is not None]
        return [*tables, notes, *charts]

    def rows(self) -> list[Row]:
        """Every row in order: title area, headers, body, footnotes."""
        return [*self.heading, *self.header, *(row for block in self.body_blocks() for row in block.rows)]

    def row_heights(self) -> list[float]:
        """The height of every row, in the order of `rows()`."""
        return [row_height(row, self.widths) for row in self.rows()]

    def page_breaks(self, heights: list[float] | None = None) -> list[int]:
        """The sheet rows (1-based) after which a printed page ends: a block that does not fit on what is
        left of a page starts the next one; a block taller than a page is split between its rows.
        `heights` are `row_heights()` when the caller has them already."""
        all_heights = self.row_heights() if heights is None else heights
        title = sum(all_heights[: self.title_rows])
        capacity = PAGE_FILL * printable_height() / print_scale(self.widths) - title
        breaks, used, row_number = [], 0.0, self.title_rows
        for block in self.body_blocks():
            heights = all_heights[row_number : row_number + len(block.rows)]
            needed = sum(heights) + (block.chart.height_points + 2 * LINE_POINTS if block.chart else 0)
            if used and (block.new_page or used + needed > capacity):
                breaks.append(row_number)
                used = 0.0
            if needed <= capacity:
                used += needed
                row_number += len(heights)
                continue
            for height in heights:  # taller than a page: fill each page row by row
                if used and used + height > capacity:
                    breaks.append(row_number)
                    used = 0.0
                used += height
                row_number += 1
        return breaks

    def pages(self) -> int:
        return len(self.page_breaks()) + 1


# Heights in points: a line of 10-point text with the gap Japanese fonts keep (游ゴシック sets a
# 10-point line about 17 points high), and a little padding.
LINE_POINTS = 17.0
ROW_PADDING = 3.0
MIN_ROW_POINTS = 18.0
# Text widths in column units: a full-width (Japanese) character takes about two, an ASCII one.
WIDE_UNITS = 1.9


def text_units(text: str) -> float:
    """The width of one line of text in column units. UTF-8 takes 3 bytes for a Japanese character and
    1 for ASCII, so the byte count tells them apart at C speed."""
    wide = (len(text.encode()) - len(text)) / 2
    return (len(text) - wide) + wide * WIDE_UNITS


def text_lines(text: str, width: float) -> int:
    """The lines `text` wraps to in a column `width` units wide."""
    usable = max(width - 1.5, 1.0)
    return sum(max(1, math.ceil(text_units(line) / usable)) for line in text.split("\n"))


def row_height(row: Row, widths: tuple[float, ...]) -> float:
    """The height that shows every wrapped line of the row's cells."""
    height, column = MIN_ROW_POINTS, 0
    for cell in row:
        width = sum(widths[column : column + cell.span])
        column += cell.span
        if cell.style not in WRAPPED or not isinstance(cell.value, str) or not cell.value:
            continue
        scale = FONT_POINTS.get(cell.style, DEFAULT_POINTS) / DEFAULT_POINTS
        # A larger font also takes more width per character.
        lines = text_lines(cell.value, width / scale)
        height = max(height, lines * LINE_POINTS * scale + ROW_PADDING)
    return round(height, 1)


def column_points(width: float) -> float:
    """A column's printed width in points, as Excel lays it out (7 pixels a unit plus 5 of padding)."""
    return (7 * width + 5) * 0.75


def print_scale(widths: tuple[float, ...]) -> float:
    """The zoom that fits the sheet's columns to the page width (never enlarged)."""
    printable = PAGE_WIDTH - (MARGINS["left"] + MARGINS["right"]) * 72
    return min(1.0, printable / sum(column_points(width) for width in widths))


def printable_height() -> float:
    return PAGE_HEIGHT - (MARGINS["top"] + MARGINS["bottom"]) * 72
