"""The workbooks' layout step alone: cells, number formats, row heights and page breaks, no database and
no spreadsheet library."""

import pytest

from reports.workbooks import layout
from reports.workbooks.layout import Block, Cell, Sheet


@pytest.mark.parametrize(
    ("value", "decimals", "unit", "expected"),
    [
        (42.9, 1, "％", '#,##0.0"％"'),
        (1200, 0, "件/年", '#,##0"件/年"'),
        (43.75, 1, "％", '#,##0.00"％"'),  # an interpolated target keeps its digits
        (2.123456, 0, "", "#,##0.0000"),  # at most the four places the database keeps
        (5, 0, 'a"b\\', '#,##0"ab"'),  # a quote or backslash would break the format
    ],
)
def test_quantity_keeps_the_number_and_puts_the_unit_in_its_format(value, decimals, unit, expected):
    cell = layout.quantity(value, decimals=decimals, unit=unit)
    assert cell == Cell(value, layout.VALUE, expected)


def test_missing_values_are_words_never_zero():
    assert layout.quantity(None, decimals=0, unit="件", missing="集計中") == Cell("集計中", layout.VALUE)
    assert layout.percent(None) == Cell("−", layout.VALUE)
    assert layout.percent(0.825) == Cell(0.825, layout.VALUE, "0.0%")


def test_wrapped_text_gets_a_row_tall_enough_for_its_lines():
    assert layout.text_lines("あ" * 10, 22.0) == 1  # 19 units in 20.5
    assert layout.text_lines("あ" * 11, 22.0) == 2
    assert layout.text_lines("一行目\n二行目", 22.0) == 2
    row = (Cell("あ" * 30, layout.TEXT), Cell(1, layout.VALUE))
    assert layout.row_height(row, (22.0, 10.0)) == 3 * layout.LINE_POINTS + layout.ROW_PADDING
    assert layout.row_height((Cell("短い", layout.TEXT),), (22.0,)) == layout.LINE_POINTS + layout.ROW_PADDING
    assert layout.row_height((Cell(12, layout.VALUE),), (22.0,)) == layout.MIN_ROW_POINTS


def test_blocks_stay_on_one_page_and_a_new_page_block_starts_one():
    widths = (100.0,)
    line = (Cell("x", layout.TEXT),)
    capacity = layout.PAGE_FILL * layout.printable_height() / layout.print_scale(widths)
    per_block = int(capacity // (3 * layout.row_height(line, widths)))  # three-row blocks a page holds
    blocks = [Block((line, line, line)) for _ in range(per_block + 1)]
    sheet = Sheet(name="s", widths=widths, blocks=blocks)
    assert sheet.page_breaks() == [3 * per_block]  # the last block moves whole to page 2
    sheet.blocks.append(Block((line,), new_page=True))
    assert sheet.page_breaks() == [3 * per_block, 3 * per_block + 3]
    assert sheet.pages() == 3


def test_a_block_taller_than_a_page_is_split_between_rows():
    widths = (100.0,)
    line = (Cell("x", layout.TEXT),)
    capacity = layout.PAGE_FILL * layout.printable_height() / layout.print_scale(widths)
    rows = int(capacity // layout.row_height(line, widths))
    sheet = Sheet(name="s", widths=widths, blocks=[Block((line,) * (rows + 5))])
    assert sheet.page_breaks() == [rows]


def test_footnotes_follow_the_tables_and_precede_a_chart():
    chart = Block(((Cell("x"),),), new_page=True, chart=layout.Chart(title="t", y_title="件"))
    table = Block(((Cell("table"),),))
    sheet = Sheet(name="s", widths=(10.0,), blocks=[table, chart], footnotes=["注記"])
    assert [row[0].value for row in sheet.rows()] == ["table", None, "注記", "x"]
