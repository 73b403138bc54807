"""Benchmarks, run by `make bench`: a fiscal year's roll-up on the demo data and on 10× and 30× its projects.

Runs on a throwaway test database (SQLite in memory unless DATABASE_URL is set), never on the
development database, and prints, per size, the queries taken and the median time of five runs.
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

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from evaluation.demo import demo_load  # noqa: E402
from evaluation.rollups.figures import rollup_figures  # noqa: E402
from evaluation.rollups.year import rollup_year  # noqa: E402
from evaluation.services import reference_data_load  # noqa: E402
from strategy.models import Plan  # noqa: E402
from tests.factories import projects_clone  # noqa: E402

SIZES = (1, 10, 30)
RUNS = 5


def rollup_bench(plan: Plan, size: int) -> tuple[int, int, float]:
    """(projects, queries, median seconds) of computing and serialising FY2024 at `size` × the demo."""
    if size > 1:
        projects_clone(plan, copies=size - 1)
    with CaptureQueriesContext(connection) as queries:
        rollup = rollup_year(plan=plan, fiscal_year=2024)
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        rollup_figures(rollup_year(plan=plan, fiscal_year=2024))
        timings.append(time.perf_counter() - start)
    return len(rollup.projects), len(queries), statistics.median(timings)


def main() -> None:
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)
    reference_data_load()
    demo_load(password="bench-only-password", today=datetime.date(2026, 5, 1))
    plan = Plan.objects.get(code="ict2")
    print("rollup FY2024: projects  queries  median seconds")
    for size in SIZES:
        # Each size starts from the demo again: the clones are rolled back.
        with transaction.atomic():
            projects, queries, seconds = rollup_bench(plan, size)
            transaction.set_rollback(True)
        print(f"              {projects:8d}  {queries:7d}  {seconds:14.3f}")


if __name__ == "__main__":
    main()
