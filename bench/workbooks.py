"""The council workbook at city size (`make bench`): its time, its peak memory, and beside it openpyxl alone
writing the same cells in write-only mode, so the ratio is what the portal adds on top of openpyxl
(its queries, the layout step, styles, row heights, page breaks and the chart).

Targets (issue 9): at most 5 s and 300 MB for the council workbook, at most twice openpyxl alone.
Measured for the newest locked year (read from its snapshot) and the newest year still open or under
review (today's stored figures).
"""

import datetime
import statistics
import time
import tracemalloc
from io import BytesIO

from django.db import connection
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from evaluation.enums import CycleStatus
from evaluation.models import FiscalYear
from reports.workbooks.council import CouncilWorkbook
from strategy.models import Plan

RUNS = 3


def workbook_rows(plan: Plan) -> list[tuple[str, int, str]]:
    """Rows of (what, queries, result) for the council workbooks of the plan's newest locked and open
    years."""
    rows = []
    for fiscal_year in _years(plan):
        label = f"council workbook FY{fiscal_year.year}"

        def make(fiscal_year=fiscal_year):
            return CouncilWorkbook(fiscal_year=fiscal_year, today=datetime.date.today())

        make().render()  # a year not locked has its figures stored by the first request
        queries = _queries(lambda make=make: make().render())
        seconds = _median(lambda make=make: make().render())
        sheets = make().sheets()
        cells = sum(len(row) for sheet in sheets for row in sheet.rows())
        alone = _median(lambda sheets=sheets: openpyxl_alone(sheets))
        peak = _peak(lambda make=make: make().render())
        rows.append(
            (label, queries, f"{seconds:7.2f} s  {cells:,} cells  {len(make().render()) / 1024:.0f} KB")
        )
        rows.append(("  openpyxl alone, same cells", 0, f"{alone:7.2f} s  ratio {seconds / alone:.2f}×"))
        rows.append(("  its peak memory", queries, f"{peak / 2**20:7.1f} MB"))
    return rows


def openpyxl_alone(sheets) -> bytes:
    """The same values with the same number formats, written by openpyxl's write-only mode and nothing
    else: no queries, no layout, no fonts, borders, heights, print setup or chart."""
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        worksheet = workbook.create_sheet(sheet.name)
        for row in sheet.rows():
            cells = []
            for cell in row:
                written = WriteOnlyCell(worksheet, value=cell.value)
                if cell.number_format != "General":
                    written.number_format = cell.number_format
                cells.append(written)
            worksheet.append(cells)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _years(plan: Plan) -> list[FiscalYear]:
    years = FiscalYear.objects.filter(plan=plan).exclude(status=CycleStatus.PLANNED).order_by("-year")
    locked = years.filter(status=CycleStatus.LOCKED).first()
    current = years.exclude(status=CycleStatus.LOCKED).first()
    return [year for year in (locked, current) if year is not None]


def _queries(work) -> int:
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        work()
    return len(queries)


def _median(work) -> float:
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        work()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def _peak(work) -> int:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
