"""How the benchmarks measure: the queries a piece of work runs, its median time, its peak memory."""

import statistics
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

RUNS = 5


@contextmanager
def counted() -> Iterator[list[str]]:
    """The SQL statements run inside the block. Counted by a wrapper, not by the query log, which a
    request empties when it starts."""
    queries: list[str] = []
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        yield queries


def timed(work, runs: int = RUNS) -> tuple[int, float]:
    """(queries of one run, median seconds of `runs` more runs) of calling `work`."""
    with counted() as queries:
        work()
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        timings.append(time.perf_counter() - start)
    return len(queries), statistics.median(timings)


def peak_memory(work) -> int:
    """Peak bytes Python allocated while running `work` once (tracemalloc)."""
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def megabytes(size: int) -> str:
    return f"{size / 2**20:.1f} MB"
