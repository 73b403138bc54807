"""Helpers for the results spreadsheet tests: download, upload, confirm, and read what the page shows."""

import io
from html.parser import HTMLParser

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

EXPORT = "records:results_export"
IMPORT = "records:results_import"
CONFIRM = "records:results_import_confirm"
HEADERS = [
    "事業番号", "事業名", "年度", "指標番号", "指標名", "単位",
    "年度目標値", "目標値の根拠", "実績値", "実績の状態", "補足", "版",
]  # fmt: skip


def download(client):
    response = client.get(reverse(EXPORT))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    return load_workbook(io.BytesIO(response.content))


def rows(workbook) -> list[list]:
    return [[cell.value for cell in row] for row in workbook["成果指標の実績"].iter_rows()]


def workbook_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, content, name="results.xlsx"):
    """Post a sheet (a workbook or bytes) for its preview."""
    if not isinstance(content, bytes):
        content = workbook_bytes(content)
    return client.post(reverse(IMPORT), {"sheet": SimpleUploadedFile(name, content)})


def confirm(client, preview):
    """Press 「取り込む」 on a preview page, following the redirect."""
    assert preview.status_code == 200, preview.status_code
    token = preview.context["token"]
    return client.post(reverse(CONFIRM), {"token": token, "confirm": ""}, follow=True)


def upload_and_confirm(client, content, name="results.xlsx"):
    return confirm(client, upload(client, content, name))


class _Tables(HTMLParser):
    """The text of each cell of one table of a page, row by row, and of the page's messages."""

    def __init__(self, table_id: str):
        super().__init__()
        self.table_id, self.depth, self.rows, self.cell = table_id, 0, [], None
        self.messages, self.in_message = [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id") == self.table_id:
            self.depth = 1
        elif self.depth and tag == "tr":
            self.rows.append([])
        elif self.depth and tag in ("td", "th"):
            self.cell = []
        elif tag == "li" and attrs.get("class") in ("success", "info", "error", "warning"):
            self.in_message, self.message = True, []
        elif tag == "br" and self.cell is not None:
            self.cell.append("\n")

    def handle_endtag(self, tag):
        if self.depth and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell).strip())
            self.cell = None
        elif self.depth and tag == "table":
            self.depth = 0
        elif tag == "li" and self.in_message:
            self.messages.append("".join(self.message).strip())
            self.in_message = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)
        if self.in_message:
            self.message.append(data)


def table(response, table_id: str) -> list[list[str]]:
    """The rows of a table as the page shows them (header row included)."""
    parser = _Tables(table_id)
    parser.feed(response.content.decode())
    return parser.rows


def problems(response) -> list[list[str]]:
    """The problems listed on the page: [行, 列, 内容] as shown."""
    assert response.status_code == 200
    return table(response, "import-problems")[1:]


def shown_messages(response) -> list[str]:
    parser = _Tables("")
    parser.feed(response.content.decode())
    return parser.messages
