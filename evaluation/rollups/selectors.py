"""Reads for a fiscal year's roll-up: everything the arithmetic needs, in a fixed number of queries.

The number of queries does not depend on how many projects, indicators or results there are:
each kind of row is fetched once for the whole plan (or the one measure or project asked for) and
grouped in Python.
"""

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.db.models.sql.constants import CURSOR

from evaluation.enums import RecordStatus
from evaluation.models import (
    ActionResult,
    Grade,
    IndicatorResult,
    MeasureEvaluation,
    MeasureIndicatorResult,
    ProjectRecord,
    YearSnapshot,
)
from measures.models import Initiative, Measure, MeasureIndicator, MeasureIndicatorTarget
from projects.enums import AssignmentRole
from projects.models import (
    ActionGoal,
    OutcomeIndicator,
    OutcomeIndicatorTarget,
    Project,
    ProjectAssignment,
    covers_year,
)
from strategy.achievement import IndicatorSpec
from strategy.models import BasicGoal, Plan

# Rows are named tuples: a year's roll-up reads tens of thousands of them, and a tuple is built fast and,
# holding plain values, soon left alone by the garbage collector.


class Result(NamedTuple):
    """An indicator's actual for the year, with its status (ActualStatus)."""

    actual: Decimal | None
    actual_status: str


class IndicatorRow(NamedTuple):
    """An indicator (a measure's target indicator or a project's outcome indicator) as the roll-up
    reads it: what names it, and `spec`, the arithmetic's view (direction, kind, baseline, final
    target, tolerance and the stated yearly targets)."""

    pk: int
    code: str
    name: str
    unit: str
    decimals: int
    source: str
    spec: IndicatorSpec


class InitiativeRow(NamedTuple):
    number: int
    title: str


class ActionGoalRow(NamedTuple):
    pk: int
    number: int
    description: str


class MeasureRow(NamedTuple):
    pk: int
    code: str
    title: str
    goal_number: int
    initiatives: list[InitiativeRow]
    indicators: list[IndicatorRow]


class ProjectRow(NamedTuple):
    """A project with what the year's figures need: its measure's and initiative's numbers, the
    code it was merged into, the year's responsible department's name and code and the year's action goals."""

    pk: int
    code: str
    name: str
    summary: str
    status: str
    start_year: int | None
    end_year: int | None
    measure_code: str
    initiative_number: int | None
    merged_into_code: str
    department: str
    department_code: str
    indicators: list[IndicatorRow]
    year_goals: list[ActionGoalRow]


class RecordRow(NamedTuple):
    """The year's record of a project: its state, final grade and results.

    `indicator_results` by outcome indicator id; `action_results` (a completion) by action goal id."""

    pk: int
    status: str
    final_grade_id: int | None
    indicator_results: dict[int, Result]
    action_results: dict[int, str]


@dataclass(frozen=True)
class RollupInputs:
    """The rows behind one fiscal year's figures, read as plain values (no model instances but the
    plan and its grades, which the figures carry):

    * `grades`: the plan's grade scale, in order;
    * `goals`: the plan's basic goals, by number;
    * `measures`: `MeasureRow`s by code, with their initiatives and target indicators;
    * `projects`: `ProjectRow`s by code, with their outcome indicators and the year's action goals;
    * `records`: the year's `RecordRow`s by project id;
    * `target_results`: the year's measure-indicator `Result`s by indicator id;
    * `evaluations`: the grade id the DX office set, by measure id, for the measures evaluated that year;
    * `outcome_actuals` / `target_actuals`: {indicator id: {year: actual}} for every year up to
      this one that has a value, for the forecast.
    """

    plan: Plan
    fiscal_year: int
    grades: list[Grade]
    goals: list[BasicGoal]
    measures: list[MeasureRow]
    projects: list[ProjectRow]
    records: dict[int, RecordRow]
    target_results: dict[int, Result]
    evaluations: dict[int, int | None]
    outcome_actuals: dict[int, dict[int, Decimal]]
    target_actuals: dict[int, dict[int, Decimal]]


def rollup_inputs(
    *,
    plan: Plan,
    fiscal_year: int,
    measure: Measure | None = None,
    project: Project | None = None,
    project_ids: Collection[int] | None = None,
    projects_only: bool = False,
) -> RollupInputs:
    """Everything one year's roll-up needs, for the whole plan or narrowed to one measure, one
    project or the projects of `project_ids` (with their measures): `RollupInputs` (see there for
    the shape), in 16 queries whatever the number of rows. With `projects_only`, only what the
    projects' own figures need (their proposed grades): no goals and no measures, in 9 queries.

    Rows are read as tuples (`values_list`), not model instances: the roll-up only needs their
    values, and building tens of thousands of model instances and per-object prefetch querysets
    was most of its time."""
    measures = Measure.objects.filter(plan=plan)
    projects = Project.objects.filter(plan=plan)
    if measure is not None:
        measures, projects = measures.filter(pk=measure.pk), projects.filter(measure=measure)
    if project is not None:
        measures, projects = measures.filter(pk=project.measure_id), projects.filter(pk=project.pk)
    if project_ids is not None:
        projects = projects.filter(pk__in=project_ids)
        measures = measures.filter(pk__in=projects.values("measure_id"))
    if projects_only:
        measures = measures.none()  # read by no query
    grades = list(Grade.objects.filter(scale__plan=plan).order_by("order"))
    goals = [] if projects_only else list(plan.goals.order_by("number"))
    measure_rows = _measures(measures)
    target_results, target_actuals = _target_results(measures, fiscal_year)
    evaluations = dict(
        _rows(
            MeasureEvaluation.objects.filter(measure__in=measures, fiscal_year=fiscal_year)
            .order_by()
            .values_list("measure_id", "grade_id")
        )
    )
    project_rows = _projects(projects, fiscal_year)
    records, outcome_actuals = _records(projects, fiscal_year)
    return RollupInputs(
        plan=plan,
        fiscal_year=fiscal_year,
        grades=grades,
        goals=goals,
        measures=measure_rows,
        projects=project_rows,
        records=records,
        target_results=target_results,
        evaluations=evaluations,
        outcome_actuals=outcome_actuals,
        target_actuals=target_actuals,
    )


INDICATOR_FIELDS = ("pk", "code", "name", "unit", "decimals", "source", "direction", "kind", "tolerance")
INDICATOR_FIELDS += ("baseline_value", "baseline_year", "final_target", "final_target_year")
PROJECT_FIELDS = ("pk", "code", "name", "summary", "status", "start_year", "end_year", "measure__code")
PROJECT_FIELDS += ("initiative__number", "merged_into__code")


def _rows(queryset) -> list[tuple]:
    """The rows of a `values_list` queryset, as iterating it gives them, with each distinct value of
    a column converted from the database's form once (equal values convert alike).

    Django converts every value of every row on its own. SQLite keeps decimals as floats, so a year's
    tens of thousands of targets, baselines and actuals (a few hundred distinct values) each paid a
    Decimal conversion, a third of the time of reading the rows; PostgreSQL hands Decimals over and
    has nothing to convert. The rows are fetched at once (Django fetches them 100 at a time). Same
    SQL, same rows, same values."""
    compiler = queryset.query.get_compiler(using=queryset.db)
    cursor = compiler.execute_sql(CURSOR)  # None when the query can match nothing
    if cursor is None:
        return []
    with cursor:
        rows = cursor.fetchall()
    converters = compiler.get_converters([selected[0] for selected in compiler.select[: compiler.col_count]])
    if not converters or not rows:
        return rows
    columns: list = list(zip(*rows, strict=True))
    for position, (functions, expression) in converters.items():
        converted = {}
        for value in set(columns[position]):
            result = value
            for convert in functions:
                result = convert(result, expression, compiler.connection)
            converted[value] = result
        columns[position] = map(converted.__getitem__, columns[position])
    return list(zip(*columns, strict=True))


def yearly_targets(targets) -> dict[int, dict[int, Decimal]]:
    """{indicator id: {fiscal year: target}} of a target queryset, in one query: the year targets
    an indicator's `IndicatorSpec` takes, read for many indicators at once."""
    yearly: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for indicator_id, year, value in _rows(
        targets.order_by("fiscal_year").values_list("indicator_id", "fiscal_year", "value")
    ):
        yearly[indicator_id][year] = value
    return yearly


def _indicators(indicators, targets, owner: str) -> dict[int, list[IndicatorRow]]:
    """{owner id: [IndicatorRow, ...] by code} from an indicator and a target queryset (2 queries:
    the rows and their yearly targets)."""
    yearly = yearly_targets(targets)
    by_owner: dict[int, list[IndicatorRow]] = defaultdict(list)
    rows = _rows(indicators.order_by("code").values_list(owner, *INDICATOR_FIELDS))
    for owner_id, pk, code, name, unit, decimals, source, direction, kind, *numbers in rows:
        tolerance, baseline, baseline_year, final_target, final_year = numbers
        spec = IndicatorSpec(
            direction, kind, baseline, baseline_year, final_target, final_year, tolerance, yearly.get(pk, {})
        )
        by_owner[owner_id].append(IndicatorRow(pk, code, name, unit, decimals, source, spec))
    return by_owner


def _measures(queryset) -> list[MeasureRow]:
    initiatives: dict[int, list[InitiativeRow]] = defaultdict(list)
    for measure_id, number, title in _rows(
        Initiative.objects.filter(measure__in=queryset)
        .order_by("number")
        .values_list("measure_id", "number", "title")
    ):
        initiatives[measure_id].append(InitiativeRow(number, title))
    indicators = _indicators(
        MeasureIndicator.objects.filter(measure__in=queryset),
        MeasureIndicatorTarget.objects.filter(indicator__measure__in=queryset),
        "measure_id",
    )
    rows = _rows(queryset.order_by("code").values_list("pk", "code", "title", "goal__number"))
    return [
        MeasureRow(pk, code, title, goal_number, initiatives.get(pk, []), indicators.get(pk, []))
        for pk, code, title, goal_number in rows
    ]


def _projects(queryset, fiscal_year: int) -> list[ProjectRow]:
    departments: dict[int, tuple[str, str]] = {}
    for project_id, name, code in _rows(
        ProjectAssignment.objects.filter(covers_year(fiscal_year), role=AssignmentRole.PRIMARY, project__in=queryset)
        .order_by("start_year")
        .values_list("project_id", "department__name", "department__code")
    ):  # fmt: skip
        departments.setdefault(project_id, (name, code))
    goals: dict[int, list[ActionGoalRow]] = defaultdict(list)
    for pk, project_id, number, description in _rows(
        ActionGoal.objects.filter(fiscal_year=fiscal_year, project__in=queryset)
        .order_by("number")
        .values_list("pk", "project_id", "number", "description")
    ):
        goals[project_id].append(ActionGoalRow(pk, number, description))
    indicators = _indicators(
        OutcomeIndicator.objects.filter(project__in=queryset),
        OutcomeIndicatorTarget.objects.filter(indicator__project__in=queryset),
        "project_id",
    )
    rows = _rows(queryset.order_by("code").values_list(*PROJECT_FIELDS))
    return [
        ProjectRow(
            pk, code, name, summary, status, start_year, end_year, measure_code, initiative_number,
            merged_into or "", *departments.get(pk, ("", "")), indicators.get(pk, []), goals.get(pk, []),
        )
        for pk, code, name, summary, status, start_year, end_year, measure_code, initiative_number, merged_into in rows
    ]  # fmt: skip


def _records(projects, fiscal_year: int) -> tuple[dict[int, RecordRow], dict[int, dict[int, Decimal]]]:
    """The year's records by project id, and the outcome actuals of every year so far (the year's
    results and the earlier actuals come in one query)."""
    results: dict[int, dict[int, Result]] = defaultdict(dict)
    actuals: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for record_id, year, indicator_id, actual, status in _rows(
        IndicatorResult.objects.filter(record__project__in=projects, record__fiscal_year__lte=fiscal_year)
        .order_by("record__fiscal_year")
        .values_list("record_id", "record__fiscal_year", "indicator_id", "actual", "actual_status")
    ):
        if year == fiscal_year:
            results[record_id][indicator_id] = Result(actual, status)
        if actual is not None:
            actuals[indicator_id][year] = actual
    completions: dict[int, dict[int, str]] = defaultdict(dict)
    for record_id, goal_id, completion in _rows(
        ActionResult.objects.filter(record__project__in=projects, record__fiscal_year=fiscal_year)
        .order_by()
        .values_list("record_id", "action_goal_id", "completion")
    ):
        completions[record_id][goal_id] = completion
    records = {
        project_id: RecordRow(pk, status, grade_id, results.get(pk, {}), completions.get(pk, {}))
        for pk, project_id, status, grade_id in _rows(
            ProjectRecord.objects.filter(project__in=projects, fiscal_year=fiscal_year)
            .order_by()
            .values_list("pk", "project_id", "status", "final_grade_id")
        )
    }
    return records, dict(actuals)


def _target_results(measures, fiscal_year: int) -> tuple[dict[int, Result], dict[int, dict[int, Decimal]]]:
    """The year's measure-indicator results by indicator id, and their actuals of every year so far."""
    results: dict[int, Result] = {}
    actuals: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for indicator_id, year, actual, status in _rows(
        MeasureIndicatorResult.objects.filter(indicator__measure__in=measures, fiscal_year__lte=fiscal_year)
        .order_by("fiscal_year")
        .values_list("indicator_id", "fiscal_year", "actual", "actual_status")
    ):
        if year == fiscal_year:
            results[indicator_id] = Result(actual, status)
        if actual is not None:
            actuals[indicator_id][year] = actual
    return results, dict(actuals)


def snapshot_latest(*, plan: Plan, fiscal_year: int, with_figures: bool = False) -> YearSnapshot | None:
    """The year's most recent snapshot (when the figures were last reported), or None; its `figures`
    are read only `with_figures` (a city's year is megabytes of JSON, and most pages only link to the
    snapshot)."""
    snapshots = YearSnapshot.objects.filter(plan=plan, fiscal_year=fiscal_year)
    if not with_figures:
        snapshots = snapshots.defer("figures")
    return snapshots.order_by("-taken_at", "-pk").first()


def approved_results(*, plan: Plan, fiscal_year: int) -> dict[str, str]:
    """{project code: main results (主な実績)} of the year's approved records, in one query."""
    return dict(
        ProjectRecord.objects.filter(
            project__plan=plan, fiscal_year=fiscal_year, status=RecordStatus.APPROVED
        )
        .order_by("project__code")
        .values_list("project__code", "results_summary")
    )
