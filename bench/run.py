"""Every benchmark of the project, run by `make bench`, printed as one table (bench/table.py): each
figure with the queries it took, its target, met or MISSED, and its ratio to its reference where it has
one. The exit status is 1 when a target is missed; everything is printed either way.

On the seed_scale data set (2,000 projects), in a throwaway test database (SQLite in memory unless
DATABASE_URL is set), never the development database, with medians of five runs, pages fetched by
Django's test client as gunicorn would serve them (`serving_environment`):

* a fiscal year's roll-up read stored, and computed from scratch beside `its SQL run raw`: the same
  queries with the same parameters fetched by the database driver alone, so the ratio is what Python
  adds on top of the database (target ≤ 3×, issue 8); its peak memory by tracemalloc in a separate run;
* the DX office's pages once their figures are stored (what every request but the first after a change
  costs): the dashboard overview and a measure page (≤ 150 ms, HTML < 200 KB, issue 8), the explanation
  page (≤ 150 ms), the lists and the submission board, and the zip of all 評価シート of a year (one
  download: it takes minutes);
* the entry page: a record's change form as its department's staff open it (≤ 150 ms, as the other pages);
* the public pages and open-data files, read by anyone without a login (HTML pages ≤ 150 ms);
* the council workbook (bench/workbooks.py: ≤ 5 s, ≤ 300 MB, ≤ 2× openpyxl alone, issue 9);
* the DX office's results spreadsheet (bench/imports.py): its download, and a 10,000-row import's
  preview and confirmation (≤ 20 s each, issue 9);
* then, once this database is gone, the load run (bench/load.py, gunicorn under 50 people and then
  saturated: p95 ≤ 500 ms, no error, no save lost or doubled, issue 11), whose rows join the table.
  `--no-load` leaves it out.

`--demo` runs the page and roll-up benchmarks (not the import or the load run) on the demo and on 10×,
30× and 60× its projects instead, each benchmark's rows together, so the query counts can be seen to
stay flat as the projects grow.
"""

import dataclasses
import datetime
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import django

# Run from the checkout with its settings; Django must start before our modules are imported.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402

from bench.imports import import_rows  # noqa: E402
from bench.measure import RUNS, counted, megabytes, peak_memory, timed  # noqa: E402
from bench.scale import scale_data  # noqa: E402
from bench.table import Row, all_met, rows_from_json, table_text  # noqa: E402
from bench.workbooks import workbook_rows  # noqa: E402
from core.roles import DEPARTMENT_STAFF  # noqa: E402
from evaluation.demo import demo_load  # noqa: E402
from evaluation.enums import CycleStatus, RecordStatus  # noqa: E402
from evaluation.models import ProjectRecord  # noqa: E402
from evaluation.rollups.figures import rollup_figures  # noqa: E402
from evaluation.rollups.snapshots import snapshot_take  # noqa: E402
from evaluation.rollups.stored import rollup_fresh  # noqa: E402
from evaluation.rollups.year import rollup_year  # noqa: E402
from evaluation.selectors import record_may_edit  # noqa: E402
from evaluation.services import reference_data_load  # noqa: E402
from projects.enums import AssignmentRole  # noqa: E402
from projects.models import Project, ProjectAssignment, covers_year  # noqa: E402
from strategy.models import Membership, Plan  # noqa: E402
from tests.factories import projects_clone  # noqa: E402

DEMO = "--demo" in sys.argv
LOAD = not DEMO and "--no-load" not in sys.argv
SIZES = (1, 10, 30, 60)
PAGE_MS = 150  # issue 8's target for the dashboards and the explanation page, held for every page
HTML_KB = 200
RAW_SQL_RATIO = 3


@dataclasses.dataclass(frozen=True)
class Page:
    name: str
    url: str
    target_ms: int | None = None  # median time once the figures are stored
    limit_kb: int | None = None  # size of the response (HTML without static files)


DX_PAGES = (
    Page("dashboard overview", "/dashboard/?year=2026", PAGE_MS, HTML_KB),
    Page("dashboard measure 1-1", "/dashboard/measures/1-1/?year=2026", PAGE_MS, HTML_KB),
    Page("explanation page (plan FY2024)", "/rollups/ict2/2024/plan/ict2/", PAGE_MS),
    Page("records list (all years)", "/admin/evaluation/projectrecord/?year=all"),
    Page("submission board", "/admin/evaluation/projectrecord/board/"),
    Page("projects list", "/admin/projects/project/"),
)
# Every 評価シート of the year, some 2,000 on seed_scale: minutes to make, so downloaded once.
SHEETS_ZIP = Page("evaluation sheets zip FY2024, one run", "/reports/projects/2024.zip")
# Read by anyone: the published (locked) FY2024 as its snapshot holds it.
PUBLIC_PAGES = (
    Page("public measure 1-1", "/plan/measures/1-1/", PAGE_MS),
    Page("public year FY2024", "/plan/years/2024/", PAGE_MS),
    Page("open data progress.csv", "/open-data/progress.csv"),
    Page("open data structure.csv", "/open-data/structure.csv"),
)


def fetch(client, url: str) -> bytes:
    """The body of a GET that must answer 200, read to its end when it is streamed."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return b"".join(response.streaming_content) if response.streaming else response.content


def page_row(client, page: Page) -> Row:
    """A page's median time once its figures are stored (the first request after a change stores
    them), its size, and its targets."""
    size = len(fetch(client, page.url))
    queries, seconds = timed(lambda: fetch(client, page.url))
    targets = []
    if page.target_ms is not None:
        targets.append((f"≤ {page.target_ms} ms", seconds * 1000 <= page.target_ms))
    if page.limit_kb is not None:
        targets.append((f"< {page.limit_kb} KB", size < page.limit_kb * 1024))
    return Row(
        page.name,
        f"{seconds * 1000:7.1f} ms  {_size(size)}",
        ", ".join(target for target, _ in targets),
        all(met for _, met in targets) if targets else None,
        queries=queries,
    )


def download_row(client, page: Page) -> Row:
    """A download too long to repeat: one run, counted and timed at once."""
    with counted() as queries:
        start = time.perf_counter()
        size = len(fetch(client, page.url))
        seconds = time.perf_counter() - start
    return Row(page.name, f"{seconds:.1f} s  {_size(size)}", queries=len(queries))


def _size(size: int) -> str:
    return megabytes(size) if size >= 2**20 else f"{size / 1024:.0f} KB"


def rollup_rows(plan: Plan) -> list[Row]:
    """FY2024's roll-up read stored, and computed from scratch beside its own SQL run raw."""
    stored = lambda: rollup_figures(rollup_year(plan=plan, fiscal_year=2024))  # noqa: E731
    stored()  # the first read after a change stores the figures
    queries, seconds = timed(stored)
    rows = [Row("rollup FY2024, stored", f"{seconds * 1000:7.1f} ms", queries=queries)]
    fresh = lambda: rollup_fresh(plan=plan, fiscal_year=2024)  # noqa: E731
    queries, seconds = timed(fresh)
    raw = raw_sql_seconds(fresh)
    return [
        *rows,
        Row(
            "rollup FY2024 from scratch",
            f"{seconds * 1000:7.1f} ms",
            f"≤ {RAW_SQL_RATIO}× its SQL run raw",
            seconds / raw <= RAW_SQL_RATIO,
            f"{seconds / raw:.1f}× its SQL run raw ({raw * 1000:.1f} ms)",
            queries,
        ),
        Row("rollup FY2024 from scratch: peak memory", megabytes(peak_memory(fresh)), queries=queries),
    ]


def raw_sql_seconds(work) -> float:
    """Median seconds of running, through the driver alone, the SQL `work` runs (same parameters)."""
    statements = []

    def capture(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        work()
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def entry_page(plan: Plan) -> tuple[Client, Page]:
    """A department user of the bench's own (seed_scale's accounts are demo accounts, refused with
    DEBUG off) and the entry page of the largest record their department may fill in now."""
    record = (
        ProjectRecord.objects.filter(
            cycle__plan=plan, cycle__status=CycleStatus.OPEN, status__in=RecordStatus.with_department()
        )
        .annotate(rows=Count("indicator_results", distinct=True) + Count("action_results", distinct=True))
        .order_by("-rows", "pk")
        .select_related("project")
        .first()
    )
    responsible = ProjectAssignment.objects.filter(
        covers_year(record.fiscal_year), project=record.project, role=AssignmentRole.PRIMARY
    ).get()
    user = get_user_model().objects.create(username="bench-staff", is_staff=True)
    user.groups.add(Group.objects.get(name=DEPARTMENT_STAFF))
    Membership.objects.create(user=user, department=responsible.department)
    assert record_may_edit(user, record)
    client = Client()
    client.force_login(user)
    url = f"/admin/evaluation/projectrecord/{record.pk}/change/"
    return client, Page(f"entry page (department staff, {record.rows} result rows)", url, PAGE_MS)


def bench_data_set(plan: Plan, dx_office, staff: tuple[Client, Page]) -> list[Row]:
    """Every benchmark but the import and the load run, on the data set in the database."""
    rows = rollup_rows(plan)
    rows += [page_row(dx_office, page) for page in DX_PAGES]
    rows.append(download_row(dx_office, SHEETS_ZIP))
    rows.append(page_row(*staff))
    anyone = Client()
    rows += [page_row(anyone, page) for page in PUBLIC_PAGES]
    return rows + workbook_rows(plan)


def data_sets(plan: Plan) -> Iterator[str]:
    """Make each data set in turn, yielding its label while it is in the database: seed_scale's as
    loaded, or the demo times `SIZES`, each in a transaction rolled back afterwards."""
    if not DEMO:
        yield "seed_scale"
        return
    for size in SIZES:
        with transaction.atomic():
            if size > 1:
                projects_clone(plan, copies=size - 1)
                snapshot_take(plan=plan, fiscal_year=2024, by=None)  # the copies are published too
            yield f"demo ×{size}"
            transaction.set_rollback(True)


def benchmarks() -> tuple[str, list[Row]]:
    """What was measured (a heading) and its rows, in this process's throwaway database."""
    reference_data_load()
    if DEMO:
        demo_load(password="bench-only-password", today=datetime.date(2026, 5, 1))
    else:
        progress("building the seed_scale data set")
        scale_data(projects=int(os.environ.get("BENCH_PROJECTS", "2000")))
    plan = Plan.objects.get(code="ict2")
    dx_office = Client()
    dx_office.force_login(get_user_model().objects.create_superuser("bench", password="bench-only-password"))
    staff = entry_page(plan)
    per_data_set, sizes = [], []
    for label in data_sets(plan):
        projects = Project.objects.filter(plan=plan).count()
        progress(f"benchmarks on {label} ({projects:,} projects)")
        sizes.append(f"{label} {projects:,} projects")
        rows = bench_data_set(plan, dx_office, staff)
        per_data_set.append([_labelled(row, label) for row in rows] if DEMO else rows)
    # A benchmark's rows side by side across the data sets, so its query counts read down a column.
    rows = [row for same in zip(*per_data_set, strict=True) for row in same]
    if not DEMO:
        progress("the results spreadsheet: download and a 10,000-row import")
        rows += import_rows()
    heading = f"{', '.join(sizes)} on {connection.vendor}; times are medians of {RUNS} runs unless said"
    return heading, rows


def _labelled(row: Row, label: str) -> Row:
    return dataclasses.replace(row, benchmark=f"{row.benchmark} [{label}]")


def load_rows() -> list[Row]:
    """bench/load.py's rows; it prints its progress and notes on stderr."""
    progress("the load run (bench/load.py)")
    done = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("load.py")), "--json"],
        stdout=subprocess.PIPE,
        text=True,
    )
    return rows_from_json(done.stdout) or [
        Row("load run", f"stopped before its table (exit status {done.returncode})", "runs to the end", False)
    ]


START = time.monotonic()


def progress(doing: str) -> None:
    print(f"[{time.monotonic() - START:5.0f} s] {doing}…", file=sys.stderr, flush=True)


def serving_environment() -> None:
    """What the test client needs, and no more: its host allowed, and mail kept in memory.

    Not `setup_test_environment()`, which also instruments every template render so that tests can
    ask which templates a response used: the test client then copies the context at each of the
    hundreds of renders of an admin page, a fifth of the entry page's time, which gunicorn never
    spends (measured: 143 → 114 ms). The pages are timed as they are served."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def main() -> None:
    serving_environment()
    # The throwaway test database; one left by an interrupted run is replaced rather than asked about.
    name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        heading, rows = benchmarks()
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)
    if LOAD:
        rows += load_rows()
    print(heading)
    print(table_text(rows))
    sys.exit(0 if all_met(rows) else 1)


if __name__ == "__main__":
    main()
