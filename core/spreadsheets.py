"""Text written to and read from files people open in a spreadsheet (xlsx, CSV): never a formula.

Every export (the results round trip, the council workbook, 評価シート, open data) writes text
through `spreadsheet_text`, and every import reads it back through `text_from_spreadsheet`.
"""

from core.validators import line_breaks_normalised, text_for_output

# A cell starting with one of these runs as a formula in a spreadsheet: exported text gets a
# leading apostrophe (shown as text), which the import takes off again.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(text: str) -> str:
    """`text` safe to hand out: control characters dropped (openpyxl refuses a sheet holding them)
    and a leading formula character escaped. Numbers are not text: write them as numbers."""
    text = text_for_output(text)
    return f"'{text}" if text.startswith(FORMULA_START) else text


def text_from_spreadsheet(text: str) -> str:
    """The text `spreadsheet_text` wrote, with line breaks normalised."""
    text = line_breaks_normalised(text)
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text
