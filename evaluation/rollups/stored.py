"""A plan year's figures computed once per change of their inputs, and read by every page after that.

How a change is noticed: database triggers on every table the roll-up reads (migration
`evaluation/0006_figures_clock`) move `FiguresClock`, a counter per fiscal year, in the same
transaction as each insert, update or delete, whatever wrote it (a form, the workflow, an import, a
bulk write, a restore, raw SQL). A row of a year (a record, its results, the year's action goals,
a measure's result or evaluation) ticks that year; any other input (the plan, its measures,
projects, indicators, targets, departments) ticks year 0. A year's figures read the inputs of every
year up to it (the actuals of earlier years make the forecast), so the *version* of a year's inputs
is the sum of the ticks of year 0 and of every year up to it: one indexed query, and a save in the
open year leaves the figures of earlier years alone. Ticks only grow; a rolled-back change takes
its tick back with it.

Why a counter bumped by triggers rather than by Python: no write path can forget it, bulk writes
and restores included, and it commits or rolls back with the change itself. Two saves of the same
year wait for each other's commit on the year's counter row, a few milliseconds at most.

Where the figures live: `YearFigures`, one row per plan year holding the pickled `YearRollup`
with the version it was computed from, shared by every worker through the database. A worker also
keeps the last row it read in memory, keyed by the row's `token` (new at every store), so a page
whose figures are stored costs one query and no unpickling.

When the inputs changed, the first request computes the figures while the others asking for the
same plan year wait for it and read what it stored (`_single_flight`), instead of all computing
the same figures at once in the weeks everyone reports.

The version also covers this code (`CODE_VERSION`): figures stored by an older release are
computed again after a deploy.
"""

import contextlib
import functools
import gc
import hashlib
import pickle
import secrets
import threading
from collections import defaultdict
from pathlib import Path

from django.db import connection
from django.utils import timezone

import core.fiscal
import evaluation.samples
import strategy.achievement
from evaluation.models import (
    ActionResult,
    FiguresClock,
    Grade,
    GradeScale,
    IndicatorResult,
    MeasureEvaluation,
    MeasureIndicatorResult,
    ProjectRecord,
    YearFigures,
)
from evaluation.rollups import compute, selectors
from evaluation.rollups.compute import YearRollup, rollup_compute
from evaluation.rollups.selectors import rollup_inputs
from measures.models import Initiative, Measure, MeasureIndicator, MeasureIndicatorTarget
from projects.models import ActionGoal, OutcomeIndicator, OutcomeIndicatorTarget, Project, ProjectAssignment
from strategy.models import BasicGoal, Department, Plan

# Every model whose rows the roll-up reads.
INPUT_MODELS = (
    Plan,
    BasicGoal,
    Department,
    GradeScale,
    Grade,
    Measure,
    Initiative,
    MeasureIndicator,
    MeasureIndicatorTarget,
    MeasureIndicatorResult,
    MeasureEvaluation,
    Project,
    ProjectAssignment,
    ActionGoal,
    OutcomeIndicator,
    OutcomeIndicatorTarget,
    ProjectRecord,
    IndicatorResult,
    ActionResult,
)

# The code that turns the inputs into figures: a release that changes it invalidates stored figures.
CODE_VERSION = hashlib.sha256(
    b"".join(
        Path(module.__file__).read_bytes()
        for module in (compute, selectors, strategy.achievement, evaluation.samples, core.fiscal)
    )
).hexdigest()[:16]

# The first key of the advisory locks taken while a plan year's figures are computed ("FIGS").
FIGURES_LOCK = 0x46494753

# This worker's copy of the figures it last read, per (plan id, fiscal year): (token, YearRollup).
_in_memory: dict[tuple[int, int], tuple[str, YearRollup]] = {}
# This process's locks of the plan years being computed (SQLite; PostgreSQL locks across processes).
_computing: dict[tuple[int, int], threading.Lock] = defaultdict(threading.Lock)


@functools.cache
def _state_sql() -> str:
    quote = connection.ops.quote_name
    clock, stored = quote(FiguresClock._meta.db_table), quote(YearFigures._meta.db_table)
    year, plan = quote("fiscal_year"), quote("plan_id")
    return f"SELECT (SELECT COALESCE(SUM({quote('tick')}), 0) FROM {clock} WHERE {year} <= %s), " + ", ".join(
        f"(SELECT {quote(column)} FROM {stored} WHERE {plan} = %s AND {year} = %s)"
        for column in ("version", "token")
    )


def figures_state(*, plan: Plan, fiscal_year: int) -> tuple[str, str | None, str | None]:
    """(the inputs' version now, the stored figures' version, their token) in one query; the
    stored ones are None when nothing is stored for the plan year."""
    with connection.cursor() as cursor:
        cursor.execute(_state_sql(), [fiscal_year, plan.pk, fiscal_year, plan.pk, fiscal_year])
        ticks, stored_version, token = cursor.fetchone()
    return f"{CODE_VERSION}:{ticks}", stored_version, token


def figures_version(*, plan: Plan, fiscal_year: int) -> str:
    """The version of the inputs of the plan year's figures: changes with every saved change."""
    return figures_state(plan=plan, fiscal_year=fiscal_year)[0]


@contextlib.contextmanager
def gc_paused():
    """Keep the cyclic garbage collector out of a burst of allocations that are all kept.

    Building a year's figures allocates some hundred thousand objects that live on; each of the
    collector's passes scans all of them again, which was most of the roll-up's time. Nothing in
    that burst makes reference cycles to reclaim, and the collector runs again after it.

    Afterwards the survivors are moved straight to the oldest generation (`freeze` then `unfreeze`
    does that without scanning them), where a young collection would have put them after scanning
    them all once more; the next full collection sees them as usual. Skipped when something else
    froze objects, which `unfreeze` would release."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if not gc.get_freeze_count():
            gc.freeze()
            gc.unfreeze()
        if enabled:
            gc.enable()


def rollup_fresh(*, plan: Plan, fiscal_year: int) -> YearRollup:
    """The plan year's figures computed from the database now, never stored (16 queries)."""
    with gc_paused():
        return rollup_compute(rollup_inputs(plan=plan, fiscal_year=fiscal_year))


def rollup_stored(*, plan: Plan, fiscal_year: int) -> YearRollup:
    """The plan year's figures: the stored ones when their inputs have not changed since (one
    query, and one more the first time this worker reads them), else computed, stored and returned
    by one request while the others asking wait for it (the roll-up's 16 queries, and one to store;
    on PostgreSQL two more, to take and release the lock).

    The version is read before the inputs, so figures are stored under a version no newer than
    their inputs: a change committed meanwhile makes the next request compute them again, and none
    is ever stale."""
    stored, _ = _stored(plan, fiscal_year)
    if stored is not None:
        return stored
    with _single_flight(plan, fiscal_year):
        stored, current = _stored(plan, fiscal_year)  # by the request this one waited for
        return _compute_and_store(plan, fiscal_year, current) if stored is None else stored


def _stored(plan: Plan, fiscal_year: int) -> tuple[YearRollup | None, str]:
    """(the stored figures when they are of the inputs' version now, else None; that version)."""
    key = (plan.pk, fiscal_year)
    current, stored_version, token = figures_state(plan=plan, fiscal_year=fiscal_year)
    if stored_version != current:
        return None, current
    held = _in_memory.get(key)
    if held is not None and held[0] == token:
        return held[1], current
    data = YearFigures.objects.filter(plan=plan, fiscal_year=fiscal_year, token=token).values_list(
        "data", flat=True
    )
    for pickled in data:
        with gc_paused():
            rollup = pickle.loads(pickled)  # our own rows, written below
        _in_memory[key] = (token, rollup)
        return rollup, current
    return None, current  # replaced since the version was read


@contextlib.contextmanager
def _single_flight(plan: Plan, fiscal_year: int):
    """Held while one request computes a plan year's figures: on PostgreSQL a session advisory lock
    (every worker process), elsewhere a lock of this process. Outside any transaction's lifetime,
    so it is released as soon as the figures are stored."""
    if connection.vendor != "postgresql":
        with _computing[(plan.pk, fiscal_year)]:
            yield
        return
    key = [FIGURES_LOCK, plan.pk * 10_000 + fiscal_year]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", key)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)


def _compute_and_store(plan: Plan, fiscal_year: int, current: str) -> YearRollup:
    """The figures computed now, stored under `current`, the version read before their inputs."""
    rollup = rollup_fresh(plan=plan, fiscal_year=fiscal_year)
    with gc_paused():
        pickled = pickle.dumps(rollup, protocol=pickle.HIGHEST_PROTOCOL)
    token = secrets.token_hex(16)
    # One statement, safe when another process stores the same plan year at the same moment.
    YearFigures.objects.bulk_create(
        [
            YearFigures(
                plan=plan,
                fiscal_year=fiscal_year,
                version=current,
                token=token,
                data=pickled,
                computed_at=timezone.now(),
            )
        ],
        update_conflicts=True,
        unique_fields=["plan", "fiscal_year"],
        update_fields=["version", "token", "data", "computed_at"],
    )
    _in_memory[(plan.pk, fiscal_year)] = (token, rollup)
    return rollup
