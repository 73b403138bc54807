"""The open data's files, written from `reports.public.opendata` rows: CSV and JSON.

The only place the files' bytes are made. CSV is UTF-8 with a header row and CRLF line ends (RFC
4180), optionally led by a byte-order mark so that Japanese Excel opens it as UTF-8; its text goes
through `core.spreadsheets.spreadsheet_text`, so a cell never runs as a formula. Numbers are plain
half-width numbers without separators (47250, 89.8); a missing value is an empty cell, JSON null.
"""

import csv
import io
import json
from decimal import Decimal

from core.spreadsheets import spreadsheet_text

BOM = "\ufeff"


def number_text(value: Decimal) -> str:
    """47250.0000 → 「47250」, 42.90 → 「42.9」: every digit that counts, never an exponent."""
    return f"{value.normalize():f}"


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return number_text(value)
    return spreadsheet_text(value)


def csv_bytes(columns: list[str], rows: list[dict], *, bom: bool = False) -> bytes:
    """The rows as CSV: the header, then one line per row in `columns` order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([spreadsheet_text(column) for column in columns])
    for row in rows:
        writer.writerow([_cell(row[column]) for column in columns])
    return ((BOM if bom else "") + buffer.getvalue()).encode("utf-8")


def _json_value(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def json_bytes(about: dict, columns: list[str], rows: list[dict]) -> bytes:
    """{**about, "columns": [...], "rows": [{column: value}]}: the same rows and figures as the CSV."""
    document = {
        **about,
        "columns": columns,
        "rows": [{column: _json_value(row[column]) for column in columns} for row in rows],
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
