"""A plan year's figures computed once per change of their inputs, and read by every page after that.

How a change is noticed: database triggers on every table the roll-up reads (migration
`evaluation/0006_figures_clock`) move `FiguresClock`, a counter per fiscal year, in the same
transaction as each insert, update or delete, whatever wrote it (a form, the workflow, an import, a
bulk write, a restore, raw SQL). A row of a year (a record, its results, the year's action goals,
a measure's result or evaluation) ticks that year; any other input (the plan, its measures,
projects, indicators, targets, departments) ticks year 0. A year's figures read the inputs of every
year up to it (the actuals of earlier years make the forecast), so the *version* of a year's inputs
is the ticks of year 0 and of every year up to it: one indexed query, and a save in the open year
leaves the figures of earlier years alone. Ticks only grow; a rolled-back change takes
its tick back with it.

Why a counter bumped by triggers rather than by Python: no write path can forget it, bulk writes
and restores included, and it commits or rolls back with the change itself. Two saves of the same
year wait for each other's commit on the year's counter row, a few milliseconds at most.

Where the figures live: `YearFigures`, one row per plan year holding the pickled `YearRollup`
with the version it was computed from, shared by every worker through the database. A worker also
keeps the last row it read in memory, keyed by the row's `token` (new at every store), so a page
whose figures are stored costs one query and no unpickling.

Saves are followed project by project: the triggers of a project's rows of one year (its record,
results and action goals) also note the project beside each tick (`FiguresChange`, migration
0007). A worker whose figures are behind by noted ticks only computes those projects again, with
the measures, goals and plan above them (`_patched`, `compute.rollup_patch`), and keeps the result.

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
from typing import NamedTuple

from django.db import connection, models
from django.utils import timezone

import core.fiscal
import evaluation.samples
import strategy.achievement
from evaluation.models import (
    ActionResult,
    FiguresChange,
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
from evaluation.rollups.compute import YearRollup, rollup_compute, rollup_patch
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

# At most this many changes behind, a worker's figures are brought up to date by computing the
# changed projects again (`_patched`); further behind, the year is computed from scratch. Change
# notes older than this are pruned whenever figures are stored.
PATCH_TICKS = 1000


class Held(NamedTuple):
    """A plan year's figures as a worker holds them: the stored row they came from (its token), the
    clock's ticks they are current for ({fiscal year: tick}), and the figures."""

    token: str
    ticks: dict[int, int]
    rollup: YearRollup


class State(NamedTuple):
    """The clock's ticks now for a plan year's figures, and the stored row's version and token."""

    ticks: dict[int, int]
    stored_version: str | None
    token: str | None

    @property
    def version(self) -> str:
        return _version(self.ticks)


# This worker's copy of the figures it last read or brought up to date, per (plan id, fiscal year).
_in_memory: dict[tuple[int, int], Held] = {}
# This process's locks of the plan years being computed (SQLite; PostgreSQL locks across processes).
_computing: dict[tuple[int, int], threading.Lock] = defaultdict(threading.Lock)


def _version(ticks: dict[int, int]) -> str:
    """The version of a plan year's inputs: this code's, and the tick of year 0 and of every year up
    to it ("a1b2…:0=12,2024=40,2025=7")."""
    return f"{CODE_VERSION}:" + ",".join(f"{year}={tick}" for year, tick in sorted(ticks.items()))


def _ticks(version: str) -> dict[int, int] | None:
    """The ticks a version names; None when it is another release's."""
    code, _, ticks = version.partition(":")
    if code != CODE_VERSION:
        return None
    pairs = (pair.split("=") for pair in ticks.split(",") if pair)
    return {int(year): int(tick) for year, tick in pairs}


@functools.cache
def _state_sql() -> str:
    quote = connection.ops.quote_name
    clock, stored = quote(FiguresClock._meta.db_table), quote(YearFigures._meta.db_table)
    year, plan = quote("fiscal_year"), quote("plan_id")
    return (
        f"SELECT {year}, {quote('tick')}, NULL, NULL FROM {clock} WHERE {year} <= %s "
        f"UNION ALL SELECT NULL, NULL, {quote('version')}, {quote('token')} FROM {stored} "
        f"WHERE {plan} = %s AND {year} = %s"
    )


def figures_state(*, plan: Plan, fiscal_year: int) -> State:
    """The clock's ticks for the plan year's figures now, with the stored figures' version and
    token (None when nothing is stored), in one query."""
    with connection.cursor() as cursor:
        cursor.execute(_state_sql(), [fiscal_year, plan.pk, fiscal_year])
        rows = cursor.fetchall()
    ticks = {year: tick for year, tick, _, _ in rows if year is not None}
    stored = [(version, token) for year, _, version, token in rows if year is None]
    return State(ticks, *(stored[0] if stored else (None, None)))


def figures_version(*, plan: Plan, fiscal_year: int) -> str:
    """The version of the inputs of the plan year's figures: changes with every saved change."""
    return figures_state(plan=plan, fiscal_year=fiscal_year).version


@contextlib.contextmanager
def gc_paused():
    """Keep the cyclic garbage collector out of a burst of allocations that are all kept.

    Building a year's figures allocates some hundred thousand objects that live on; each of the
    collector's passes scans all of them again, which was most of the roll-up's time. Nothing in
    that burst makes reference cycles to reclaim, and the collector runs again after it.

    Afterwards the survivors are frozen (`gc.freeze`): no collection scans them again. A worker
    holds the figures of every year it served, some hundred thousand objects a year, and a full
    collection scanning them took 0.5-1.6 s under load (`make load`), every thread of the worker
    waiting; dozens of them in two minutes were the run's slowest requests. Frozen objects are still
    freed as soon as nothing refers to them (the figures a patch replaces are). What would stay is
    cyclic garbage among what was alive when freezing: the figures make none, other requests of the
    worker at that moment may make a little, and gunicorn replaces each worker after `max_requests`."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def rollup_fresh(*, plan: Plan, fiscal_year: int) -> YearRollup:
    """The plan year's figures computed from the database now, never stored (16 queries)."""
    with gc_paused():
        return rollup_compute(rollup_inputs(plan=plan, fiscal_year=fiscal_year))


def rollup_stored(*, plan: Plan, fiscal_year: int) -> YearRollup:
    """The plan year's figures, current with the inputs as they are now.

    * Nothing changed since this worker read them: one query.
    * Only rows of some projects changed (records, results, action goals; at most `PATCH_TICKS`
      changes): the figures this worker holds, or else the stored ones (one query more), with those
      projects and everything above them computed again (the changes read in one query, and the
      roll-up's 16 narrowed to those projects).
    * Anything else (the plan, measures, targets, a measure's results, or too many changes): computed
      from scratch and stored by one request while the others asking wait for it and read what it
      stored (the roll-up's 16 queries, one to store and one to prune; on PostgreSQL two more, to
      take and release the lock).

    The clock is read before the inputs, so figures are held under ticks no newer than their inputs:
    a change committed meanwhile makes the next request bring them up to date again, and none is
    ever stale."""
    state = figures_state(plan=plan, fiscal_year=fiscal_year)
    held = _held_or_stored(plan, fiscal_year, state)
    if held is not None and held.ticks == state.ticks:
        return held.rollup
    patched = _patched(plan, fiscal_year, held, state) if held is not None else None
    if patched is not None:
        return patched
    with _single_flight(plan, fiscal_year):
        # Stored meanwhile by the request this one waited for?
        state = figures_state(plan=plan, fiscal_year=fiscal_year)
        held = _held_or_stored(plan, fiscal_year, state) if state.stored_version == state.version else None
        return held.rollup if held is not None else _compute_and_store(plan, fiscal_year, state)


def _held_or_stored(plan: Plan, fiscal_year: int, state: State) -> Held | None:
    """Figures to start from: this worker's copy while the stored row it came from is still the
    stored one, else the stored row when it is current or near enough to bring up to date."""
    key = (plan.pk, fiscal_year)
    held = _in_memory.get(key)
    # Never ahead of the clock: a database restored under running workers starts it again.
    if held is not None and held.token == state.token and _behind(held.ticks, state.ticks) is not None:
        return held
    ticks = _ticks(state.stored_version) if state.stored_version else None
    if ticks is None or _behind(ticks, state.ticks) is None:
        return None
    data = YearFigures.objects.filter(plan=plan, fiscal_year=fiscal_year, token=state.token).values_list(
        "data", flat=True
    )
    for pickled in data:
        with gc_paused():
            held = Held(state.token, ticks, pickle.loads(pickled))  # our own rows, written below
        _in_memory[key] = held
        return held
    return None  # replaced since the state was read


def _behind(held: dict[int, int], now: dict[int, int]) -> dict[int, tuple[int, int]] | None:
    """{fiscal year: (tick held, tick now)} of the years changed since `held`; None when the
    figures cannot be brought up to date project by project: year 0 (the plan and everything
    not of one year) changed, or more than `PATCH_TICKS` changes happened."""
    if held.get(0, 0) != now.get(0, 0) or not held.keys() <= now.keys():
        return None
    changed = {year: (held.get(year, 0), tick) for year, tick in now.items() if tick != held.get(year, 0)}
    if any(after < before for before, after in changed.values()):
        return None
    if sum(after - before for before, after in changed.values()) > PATCH_TICKS:
        return None
    return changed


def _patched(plan: Plan, fiscal_year: int, held: Held, state: State) -> YearRollup | None:
    """The held figures brought up to date by computing the changed projects again, or None when
    the changes since are not all of noted projects (see `_behind` and `FiguresChange`).

    Kept for the worker's next request only outside a transaction: one may still roll back what
    it read, and its ticks would then be reused by other changes."""
    behind = _behind(held.ticks, state.ticks)
    projects = _changed_projects(behind) if behind is not None else None
    if projects is None:
        return None
    inputs = rollup_inputs(plan=plan, fiscal_year=fiscal_year, project_ids=projects)
    with gc_paused():
        rollup = rollup_patch(held.rollup, inputs)
    if not connection.in_atomic_block:
        _in_memory[(plan.pk, fiscal_year)] = Held(held.token, state.ticks, rollup)
    return rollup


def _changed_projects(behind: dict[int, tuple[int, int]]) -> set[int] | None:
    """The ids of the projects changed in the ticks `behind` names (one query); None when a tick
    has no project noted (a change not of one project's rows of one year)."""
    if not behind:
        return set()
    ticks = models.Q()
    for year, (before, after) in behind.items():
        ticks |= models.Q(fiscal_year=year, tick__gt=before, tick__lte=after)
    counts = dict(
        FiguresChange.objects.filter(ticks).order_by().values_list("project_id").annotate(models.Count("id"))
    )
    if sum(counts.values()) != sum(after - before for before, after in behind.values()):
        return None
    return set(counts)


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


def _compute_and_store(plan: Plan, fiscal_year: int, state: State) -> YearRollup:
    """The figures computed now, stored under the version of `state`, read before their inputs;
    the change notes no patch will need again are pruned."""
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
                version=state.version,
                token=token,
                data=pickled,
                computed_at=timezone.now(),
            )
        ],
        update_conflicts=True,
        unique_fields=["plan", "fiscal_year"],
        update_fields=["version", "token", "data", "computed_at"],
    )
    _in_memory[(plan.pk, fiscal_year)] = Held(token, state.ticks, rollup)
    clock = FiguresClock.objects.filter(fiscal_year=models.OuterRef("fiscal_year")).values("tick")
    FiguresChange.objects.filter(
        fiscal_year__lte=fiscal_year, tick__lte=models.Subquery(clock) - PATCH_TICKS
    ).delete()
    return rollup
