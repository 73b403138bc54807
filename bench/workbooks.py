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
from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from bench.measure import counted, megabytes, peak_memory
from bench.table import Row
from evaluation.enums import CycleStatus
from evaluation.models import FiscalYear
from reports.workbooks.council import CouncilWorkbook
from strategy.models import Plan

RUNS = 3
SECONDS, MEGABYTES, RATIO = 5, 300, 2  # issue 9's targets


def workbook_rows(plan: Plan) -> list[Row]:
    """The council workbooks of the plan's newest locked and open years: time and peak memory. Times
    are medians of wall-clock seconds, judged against the targets, and of the process's CPU seconds,
    which other work on a shared machine does not inflate (but which leave out the database's time)."""
    rows = []
    for fiscal_year in _years(plan):

        def render(fiscal_year=fiscal_year) -> bytes:
            return CouncilWorkbook(fiscal_year=fiscal_year, today=datetime.date.today()).render()

        content = render()  # a year not locked has its figures stored by the first request
        with counted() as queries:
            render()
        wall, cpu = _median(render)
        sheets = CouncilWorkbook(fiscal_year=fiscal_year, today=datetime.date.today()).sheets()
        cells = sum(len(row) for sheet in sheets for row in sheet.rows())
        alone_wall, alone_cpu = _median(lambda sheets=sheets: openpyxl_alone(sheets))
        peak = peak_memory(render)
        name = f"council workbook FY{fiscal_year.year} ({fiscal_year.status})"
        rows += [
            Row(
                name,
                f"{wall:.2f} s (CPU {cpu:.2f} s)  {cells:,} cells  {len(content) / 1024:.0f} KB",
                f"≤ {SECONDS} s, ≤ {RATIO}× openpyxl alone",
                wall <= SECONDS and wall / alone_wall <= RATIO,
                f"{wall / alone_wall:.2f}× openpyxl alone, same cells ({alone_wall:.2f} s; "
                f"CPU {cpu / alone_cpu:.2f}×)",
                len(queries),
            ),
            Row(
                f"{name}: peak memory",
                megabytes(peak),
                f"≤ {MEGABYTES} MB",
                peak <= MEGABYTES * 2**20,
                queries=len(queries),
            ),
        ]
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


def _median(work) -> tuple[float, float]:
    """Median (wall-clock seconds, CPU seconds) of RUNS runs."""
    walls, cpus = [], []
    for _ in range(RUNS):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)
