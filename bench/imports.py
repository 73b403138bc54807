"""The results spreadsheet at city size, for `make bench`: the DX office downloads its sheet (12,000
rows on seed_scale), fills 10,000 of them and uploads it. Measured as a browser does it, through the
test client: the preview (the upload checked, read, every row validated and each change listed) and
the confirmation (read and checked again, every row saved with its history in one transaction).

Each target is 20 s, well inside gunicorn's 120 s timeout (config/gunicorn.conf.py). Every run is
rolled back, so the other benchmarks see the data as seeded.
"""

import io
import re
import statistics
import time

from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import reverse

from bench.measure import counted
from bench.table import Row

ROWS = 10_000
RUNS = 3
TARGET_SECONDS = 20


def sheet_filled(client, rows: int) -> bytes:
    """The user's results sheet with its first `rows` rows given a confirmed actual."""
    from openpyxl import load_workbook

    response = client.get(reverse("records:results_export"))
    assert response.status_code == 200, response.status_code
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["成果指標の実績"]
    sheet.delete_rows(rows + 2, sheet.max_row)
    for row in range(2, rows + 2):
        sheet.cell(row, 9).value = 1_000_000 + row  # unlike any seeded actual: every row changes
        sheet.cell(row, 10).value = "確定値"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _request(send) -> tuple[int, float, object]:
    with counted() as queries:
        start = time.perf_counter()
        response = send()
        seconds = time.perf_counter() - start
    return len(queries), seconds, response


def _preview_read(preview) -> tuple[str, int]:
    """The preview's confirmation token and the rows it says would change, read from the page as the
    DX office sees it (pages are served without the test client's context capture)."""
    page = preview.content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page)
    changed = re.search(r"、([\d,]+)行が変わります", page)
    assert preview.status_code == 200 and token and changed, "the preview found problems"
    return token.group(1), int(changed.group(1).replace(",", ""))


def import_run(user, content: bytes) -> tuple[tuple[int, float], tuple[int, float]]:
    """One preview and one confirmation, rolled back: ((queries, seconds), (queries, seconds))."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    with transaction.atomic():
        client = Client()
        client.force_login(user)
        upload = SimpleUploadedFile("results.xlsx", content)
        queries, preview_seconds, preview = _request(
            lambda: client.post(reverse("records:results_import"), {"sheet": upload})
        )
        token, changed = _preview_read(preview)
        assert changed == ROWS, changed
        confirm_queries, confirm_seconds, confirmed = _request(
            lambda: client.post(reverse("records:results_import_confirm"), {"token": token})
        )
        assert confirmed.status_code == 302, confirmed.status_code
        transaction.set_rollback(True)
    return (queries, preview_seconds), (confirm_queries, confirm_seconds)


def dx_office_user():
    """A DX office account of the bench's own (seed_scale's are demo accounts, refused with DEBUG off)."""
    from django.contrib.auth.models import Group

    from core.roles import DX_OFFICE

    user, _ = get_user_model().objects.get_or_create(username="bench-dx", defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name=DX_OFFICE))
    return user


def import_rows() -> list[Row]:
    """The download of the DX office's sheet, and the 10,000-row import's preview and confirmation
    (median of RUNS runs, against their target)."""
    user = dx_office_user()
    client = Client()
    client.force_login(user)
    queries, download_seconds, download = _request(lambda: client.get(reverse("records:results_export")))
    rows = [
        Row(
            "results sheet download (DX office)",
            f"{download_seconds:.2f} s  {len(download.content) / 1024:.0f} KB xlsx",
            queries=queries,
        )
    ]
    content = sheet_filled(client, ROWS)
    runs = [import_run(user, content) for _ in range(RUNS)]
    for index, step in enumerate(("preview", "confirm")):
        seconds = statistics.median(run[index][1] for run in runs)
        rows.append(
            Row(
                f"results import {ROWS:,} rows: {step}",
                f"{seconds:.2f} s",
                f"≤ {TARGET_SECONDS} s",
                seconds <= TARGET_SECONDS,
                queries=runs[0][index][0],
            )
        )
    return rows
