"""Benchmarks, run by `make bench`: a fiscal year's roll-up, the DX office's busiest pages and the
public pages and open-data files (read by anyone, without a login), on the seed_scale data set
(2,000 projects), or with `--demo` on the demo and 10×, 30× and 60× its projects.

Runs on a throwaway test database (SQLite in memory unless DATABASE_URL is set), never on the
development database, and prints, per data set, the queries taken and the median time of five runs.
The query counts must stay flat as the projects grow; the times show what a city of that size waits.
Then, for the roll-up itself:

* `explanation, stored`: the plan's explanation page when its figures are stored (what every page
  but the first after a change costs), with the page's HTML size;
* `council workbook`: the council report of the newest locked and open years (bench/workbooks.py),
  beside openpyxl alone writing the same cells, and its peak memory;
* `rollup from scratch`: computing the year's figures from the database (what the first page after
  a change pays), beside `its SQL run raw`: the same queries with the same parameters, fetched by
  the database driver alone; the ratio is what Python adds on top of the database. Its peak memory
  is measured by tracemalloc in a separate run.

On seed_scale, `bench/imports.py` then times the DX office's results spreadsheet: its download and a
10,000-row import, preview and confirmation.
"""

import datetime
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import django

# Run from the checkout with its settings; Django must start before our modules are imported.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from bench.imports import import_rows  # noqa: E402
from bench.scale import scale_data  # noqa: E402
from bench.workbooks import workbook_rows  # noqa: E402
from evaluation.demo import demo_load  # noqa: E402
from evaluation.rollups.figures import rollup_figures  # noqa: E402
from evaluation.rollups.snapshots import snapshot_take  # noqa: E402
from evaluation.rollups.stored import rollup_fresh  # noqa: E402
from evaluation.rollups.year import rollup_year  # noqa: E402
from evaluation.services import reference_data_load  # noqa: E402
from projects.models import Project  # noqa: E402
from strategy.models import Plan  # noqa: E402
from tests.factories import projects_clone  # noqa: E402

SIZES = (1, 10, 30, 60)
RUNS = 5
EXPLANATION = "/rollups/ict2/2024/plan/ict2/"


PAGES = {
    "records list (all years)": "/admin/evaluation/projectrecord/?year=all",
    "submission board": "/admin/evaluation/projectrecord/board/",
    "plan explanation": "/rollups/ict2/2024/plan/ict2/",
    "projects list": "/admin/projects/project/",
    "dashboard overview": "/dashboard/?year=2026",
    "dashboard measure 1-1": "/dashboard/measures/1-1/?year=2026",
}
# Read by anyone: the published (locked) FY2024 as its snapshot holds it.
PUBLIC_PAGES = {
    "public measure 1-1": "/plan/measures/1-1/",
    "public year FY2024": "/plan/years/2024/",
    "open data progress.csv": "/open-data/progress.csv",
    "open data structure.csv": "/open-data/structure.csv",
}


def timed(work) -> tuple[int, float]:
    """(queries of one run, median seconds of RUNS runs) of calling `work`."""
    # Counted by a wrapper, not the query log, which a request empties when it starts.
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        work()
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        work()
        timings.append(time.perf_counter() - start)
    return len(queries), statistics.median(timings)


def page(client, url: str):
    def get():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    return get


def datasets(plan: Plan, *, scale: bool) -> Iterator[str]:
    """Make each data set in turn, yielding a label while it is in the database: seed_scale's as
    loaded, or the demo times `SIZES`, each in a transaction rolled back afterwards."""
    if scale:
        yield "seed_scale"
        return
    for size in SIZES:
        with transaction.atomic():
            if size > 1:
                projects_clone(plan, copies=size - 1)
                snapshot_take(plan=plan, fiscal_year=2024, by=None)  # the copies are published too
            yield f"demo ×{size}"
            transaction.set_rollback(True)


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


def peak_memory(work) -> int:
    """Peak bytes Python allocated while running `work` once (tracemalloc)."""
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def bench_size(plan: Plan, client) -> list[tuple[str, int, str]]:
    """Rows of (what, queries, result) on the current data set."""
    rows = [
        ("rollup FY2024 (stored)", *_median(lambda: rollup_figures(rollup_year(plan=plan, fiscal_year=2024))))
    ]
    rows += [(name, *_page_median(client, url)) for name, url in PAGES.items()]
    anyone = Client()
    rows += [(name, *_page_median(anyone, url)) for name, url in PUBLIC_PAGES.items()]
    client.get(EXPLANATION)  # the figures are stored by the first request after a change
    queries, seconds = timed(page(client, EXPLANATION))
    size = len(client.get(EXPLANATION).content)
    rows.append(("explanation, stored", queries, f"{seconds * 1000:7.1f} ms  {size / 1024:.0f} KB HTML"))
    fresh = lambda: rollup_fresh(plan=plan, fiscal_year=2024)  # noqa: E731
    queries, seconds = timed(fresh)
    raw = raw_sql_seconds(fresh)
    rows.append(("rollup from scratch", queries, f"{seconds * 1000:7.1f} ms"))
    rows.append(("  its SQL run raw", queries, f"{raw * 1000:7.1f} ms  ratio {seconds / raw:.1f}×"))
    rows.append(("  its peak memory", queries, f"{peak_memory(fresh) / 2**20:7.1f} MB"))
    rows += workbook_rows(plan)
    return rows


def _page_median(client, url: str) -> tuple[int, str]:
    """A page's queries and median time once its figures are stored, with its HTML size."""
    client.get(url)  # the first request after a change stores the figures
    queries, seconds = timed(page(client, url))
    return queries, f"{seconds * 1000:7.1f} ms  {len(client.get(url).content) / 1024:.0f} KB"


def _median(work) -> tuple[int, str]:
    queries, seconds = timed(work)
    return queries, f"{seconds * 1000:7.1f} ms"


def main() -> None:
    setup_test_environment()
    # The throwaway test database; one left by an interrupted run is replaced rather than asked about.
    name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run()
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


def run() -> None:
    reference_data_load()
    # The seed_scale data set (2,000 projects; about 2 minutes to build) unless `--demo` asks for the
    # demo and its clones.
    scale = "--demo" not in sys.argv
    if scale:
        scale_data(projects=int(os.environ.get("BENCH_PROJECTS", "2000")))
    else:
        demo_load(password="bench-only-password", today=datetime.date(2026, 5, 1))
    plan = Plan.objects.get(code="ict2")
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("bench", password="bench-only-password"))
    print(f"database: {connection.vendor}")
    print(f"{'what':28s} {'projects':>8s} {'queries':>8s}  median (of {RUNS})")
    for label in datasets(plan, scale=scale):
        projects = Project.objects.filter(plan=plan).count()
        print(f"-- {label}")
        for what, queries, result in bench_size(plan, client):
            print(f"{what:28s} {projects:8d} {queries:8d}  {result}")
    if scale:
        print("-- results spreadsheet of the DX office (median of 3, each rolled back)")
        for what, queries, result in import_rows():
            print(f"{what:28s} {projects:8d} {queries:8d}  {result}")


if __name__ == "__main__":
    main()
