"""The council workbook prints as laid out: LibreOffice converts it to PDF headless, with exactly the
pages the layout planned (no row spilling onto an extra page), every page of a table carrying the
table's first and last column headers (fitted to the width, never cut mid-column).

Needs Debian's LibreOffice Calc (`libreoffice-calc-nogui`, installed by .ci/run); skipped loudly without it.
"""

import datetime
import io
import re
import shutil
import subprocess
from collections import Counter

import pytest
from pypdf import PdfReader

from evaluation.models import FiscalYear
from reports.workbooks.council import CouncilWorkbook
from reports.workbooks.layout import HEADER

SOFFICE = shutil.which("soffice")


@pytest.fixture
def workbook(demo):
    fiscal_year = FiscalYear.objects.select_related("plan").get(plan__code="ict2", year=2024)
    return CouncilWorkbook(fiscal_year=fiscal_year, today=datetime.date(2026, 12, 1))


def to_pdf(content: bytes, folder) -> PdfReader:
    source = folder / "council.xlsx"
    source.write_bytes(content)
    # A profile of its own, so a LibreOffice already running for the user is never disturbed.
    profile = f"-env:UserInstallation=file://{folder / 'profile'}"
    done = subprocess.run(
        [SOFFICE, profile, "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(source)],
        capture_output=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr.decode()
    pdf = folder / "council.pdf"
    assert pdf.exists(), done.stdout.decode() + done.stderr.decode()
    return PdfReader(io.BytesIO(pdf.read_bytes()))


def test_libreoffice_prints_the_council_workbook_as_planned(workbook, tmp_path):
    if SOFFICE is None:
        pytest.skip(
            "LibreOffice (soffice) is not installed: install libreoffice-calc-nogui to check the printout"
        )
    sheets = workbook.sheets()
    reader = to_pdf(workbook.render(), tmp_path)
    texts = [page.extract_text() for page in reader.pages]
    assert len(texts) == sum(sheet.pages() for sheet in sheets)
    # Each page's footer names its sheet and says 「n／of」.
    footers = [re.search(r"(\S+)　(\d+)／(\d+)", text) for text in texts]
    assert all(footers), [text[-80:] for text, found in zip(texts, footers, strict=True) if not found]
    pages = Counter(found.group(1) for found in footers)
    assert pages == {sheet.name: sheet.pages() for sheet in sheets}
    assert pages["表紙"] == 1
    headers = {
        sheet.name: [cell.value for cell in sheet.header[-1] if cell.style == HEADER and cell.value]
        for sheet in sheets
        if sheet.header
    }
    for text, found in zip(texts, footers, strict=True):
        names = headers.get(found.group(1))
        if names:
            assert names[0] in text and names[-1] in text, (found.group(0), names[0], names[-1])
