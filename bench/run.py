"""Benchmarks, run by `make bench`: a fiscal year's roll-up and the DX office's busiest pages, on the
demo data and on 10× and 30× its projects.

Runs on a throwaway test database (SQLite in memory unless DATABASE_URL is set), never on the
development database, and prints, per size, the queries taken and the median time of five runs.
The query counts must stay flat as the projects grow; the times show what a city of that size waits.
"""

import datetime
import os
import statistics
import sys
import time
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

from bench.scale import scale_data  # noqa: E402
from evaluation.demo import demo_load  # noqa: E402
from evaluation.rollups.figures import rollup_figures  # noqa: E402
from evaluation.rollups.year import rollup_year  # noqa: E402
from evaluation.services import reference_data_load  # noqa: E402
from projects.models import Project  # noqa: E402
from strategy.models import Plan  # noqa: E402
from tests.factories import projects_clone  # noqa: E402

SIZES = (1, 10, 30)
RUNS = 5


PAGES = {
    "records list (all years)": "/admin/evaluation/projectrecord/?year=all",
    "submission board": "/admin/evaluation/projectrecord/board/",
    "plan explanation": "/rollups/ict2/2024/plan/ict2/",
    "projects list": "/admin/projects/project/",
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


def bench_size(plan: Plan, size: int, client) -> list[tuple[str, int, int, float]]:
    """Rows of (what, projects, queries, median seconds) at `size` × the demo's projects."""
    if size > 1:
        projects_clone(plan, copies=size - 1)
    projects = Project.objects.filter(plan=plan).count()
    rows = [
        ("rollup FY2024", projects, *timed(lambda: rollup_figures(rollup_year(plan=plan, fiscal_year=2024))))
    ]
    rows += [(name, projects, *timed(page(client, url))) for name, url in PAGES.items()]
    return rows


def main() -> None:
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)
    reference_data_load()
    sizes = SIZES
    if "--scale" in sys.argv:  # the seed_scale data set (2,000 projects, about 2 minutes) instead of the demo
        scale_data(projects=int(os.environ.get("BENCH_PROJECTS", "2000")))
        sizes = (1,)
    else:
        demo_load(password="bench-only-password", today=datetime.date(2026, 5, 1))
    plan = Plan.objects.get(code="ict2")
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("bench", password="bench-only-password"))
    print(f"{'what':28s} {'projects':>8s} {'queries':>8s} {'median s':>9s}")
    for size in sizes:
        # Each size starts from the demo again: the clones are rolled back.
        with transaction.atomic():
            for what, projects, queries, seconds in bench_size(plan, size, client):
                print(f"{what:28s} {projects:8d} {queries:8d} {seconds:9.3f}")
            transaction.set_rollback(True)


if __name__ == "__main__":
    main()
