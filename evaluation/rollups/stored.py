"""A plan year's figures computed once per change of their inputs, and read by every page after that.

How a change is noticed: every model the roll-up reads keeps a django-simple-history table, and
every save or delete through the ORM (services, imports, admin edits, the workflow, revisions,
`bulk_create_with_history`) writes a row there in the same transaction as the change. The
*version* of the inputs is therefore read, in one query, as each input table's history
(highest `history_id` and row count) plus the table's own highest id:

* the highest history id moves with every committed save or delete;
* the history count also moves when a transaction that took an earlier id commits after a later
  one (ids are handed out at insert, rows become visible at commit);
* the table's highest id catches rows inserted without history (`bulk_create`, as the test and
  bench factories do).

Writes that bypass the ORM's save and delete (`QuerySet.update()`, `bulk_update`, raw SQL) are not
seen; production code never writes the roll-up's inputs that way (checked with grep), and tests
of this module pin that a saved change is on the very next page.

Where the figures live: `YearFigures`, one row per plan year holding the pickled `YearRollup`
with the version it was computed from, shared by every worker through the database. A worker also
keeps the last row it read in memory, keyed by the row's `token` (new at every store), so a page
whose figures are stored costs one query and no unpickling.

The version also covers this code (`CODE_VERSION`): figures stored by an older release are
computed again after a deploy.
"""

import contextlib
import functools
import gc
import hashlib
import pickle
import secrets
from pathlib import Path

from django.db import connection
from django.utils import timezone

import core.fiscal
import evaluation.samples
import strategy.achievement
from evaluation.models import (
    ActionResult,
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

# This worker's copy of the figures it last read, per (plan id, fiscal year): (token, YearRollup).
_in_memory: dict[tuple[int, int], tuple[str, YearRollup]] = {}


@functools.cache
def _version_sql(vendor: str) -> str:
    """The query of the inputs' version, written once per database vendor: reaching each model's
    history table through django-simple-history builds a manager class, several milliseconds a page."""
    quote = connection.ops.quote_name
    parts = []
    for model in INPUT_MODELS:
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        history = quote(model.history.model._meta.db_table)
        parts += [
            f"(SELECT MAX({quote('history_id')}) FROM {history})",
            f"(SELECT COUNT(*) FROM {history})",
            f"(SELECT MAX({pk}) FROM {table})",
        ]
    stored = quote(YearFigures._meta.db_table)
    where = f"{quote('plan_id')} = %s AND {quote('fiscal_year')} = %s"
    parts += [f"(SELECT {quote(column)} FROM {stored} WHERE {where})" for column in ("version", "token")]
    return "SELECT " + ", ".join(parts)


def figures_state(*, plan: Plan, fiscal_year: int) -> tuple[str, str | None, str | None]:
    """(the inputs' version now, the stored figures' version, their token) in one query; the
    stored ones are None when nothing is stored for the plan year."""
    with connection.cursor() as cursor:
        cursor.execute(_version_sql(connection.vendor), [plan.pk, fiscal_year] * 2)
        *counters, stored_version, token = cursor.fetchone()
    current = hashlib.sha256(f"{CODE_VERSION}:{counters}".encode()).hexdigest()[:32]
    return current, stored_version, token


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
    (the roll-up's 16 queries, and one to store).

    Two workers computing the same year at once both store; the last one wins, and either's
    figures are those of the inputs' version they read first, so none is ever stale."""
    key = (plan.pk, fiscal_year)
    current, stored_version, token = figures_state(plan=plan, fiscal_year=fiscal_year)
    if stored_version == current:
        held = _in_memory.get(key)
        if held is not None and held[0] == token:
            return held[1]
        data = YearFigures.objects.filter(plan=plan, fiscal_year=fiscal_year, token=token).values_list(
            "data", flat=True
        )
        for pickled in data:
            with gc_paused():
                rollup = pickle.loads(pickled)  # our own rows, written below
            _in_memory[key] = (token, rollup)
            return rollup
    rollup = rollup_fresh(plan=plan, fiscal_year=fiscal_year)
    with gc_paused():
        pickled = pickle.dumps(rollup, protocol=pickle.HIGHEST_PROTOCOL)
    token = secrets.token_hex(16)
    # One statement, safe when another worker stores the same plan year at the same moment.
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
    _in_memory[key] = (token, rollup)
    return rollup
