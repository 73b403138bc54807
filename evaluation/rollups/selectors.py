"""Reads for a fiscal year's roll-up: everything the arithmetic needs, in a fixed number of queries.

The number of queries does not depend on how many projects, indicators or results there are:
each kind of row is fetched once for the whole plan (or the one measure or project asked for) and
grouped in Python.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch

from evaluation.models import (
    Grade,
    IndicatorResult,
    MeasureEvaluation,
    MeasureIndicatorResult,
    ProjectRecord,
    YearSnapshot,
)
from measures.models import Initiative, Measure, MeasureIndicator
from projects.enums import AssignmentRole
from projects.models import ActionGoal, OutcomeIndicator, Project, ProjectAssignment, covers_year
from strategy.models import BasicGoal, Plan


@dataclass(frozen=True)
class RollupInputs:
    """The rows behind one fiscal year's figures.

    * `grades`: the plan's grade scale, in order;
    * `goals`: the plan's basic goals, by number;
    * `measures`: by code, with `goal`, `.initiatives.all()` and `.indicators.all()` (each with
      `.targets.all()`) prefetched;
    * `projects`: by code, with `measure`, `initiative`, `merged_into`, `.indicators.all()` (each
      with `.targets.all()`),
      `.year_goals` (the year's action goals) and `.year_assignments` (the year's responsible
      department, with `.department`);
    * `records`: the year's records by project id, with `.indicator_results.all()` and
      `.action_results.all()` prefetched;
    * `target_results`: the year's measure-indicator results by indicator id;
    * `evaluations`: the year's measure evaluations by measure id;
    * `outcome_actuals` / `target_actuals`: {indicator id: {year: actual}} for every year up to
      this one that has a value, for the forecast.
    """

    plan: Plan
    fiscal_year: int
    grades: list[Grade]
    goals: list[BasicGoal]
    measures: list[Measure]
    projects: list[Project]
    records: dict[int, ProjectRecord]
    target_results: dict[int, MeasureIndicatorResult]
    evaluations: dict[int, MeasureEvaluation]
    outcome_actuals: dict[int, dict[int, Decimal]]
    target_actuals: dict[int, dict[int, Decimal]]


def rollup_inputs(
    *, plan: Plan, fiscal_year: int, measure: Measure | None = None, project: Project | None = None
) -> RollupInputs:
    """Everything one year's roll-up needs, for the whole plan or narrowed to one measure or one
    project: `RollupInputs` (see there for the shape), in 18 queries whatever the number of rows."""
    measures = Measure.objects.filter(plan=plan)
    projects = Project.objects.filter(plan=plan)
    if measure is not None:
        measures, projects = measures.filter(pk=measure.pk), projects.filter(measure=measure)
    if project is not None:
        measures, projects = measures.filter(pk=project.measure_id), projects.filter(pk=project.pk)
    return RollupInputs(
        plan=plan,
        fiscal_year=fiscal_year,
        grades=list(Grade.objects.filter(scale__plan=plan).order_by("order")),
        goals=list(plan.goals.order_by("number")),
        measures=_measures(measures),
        projects=_projects(projects, fiscal_year),
        records=_records(projects, fiscal_year),
        target_results={
            result.indicator_id: result
            for result in MeasureIndicatorResult.objects.filter(
                indicator__measure__in=measures, fiscal_year=fiscal_year
            )
        },
        evaluations={
            evaluation.measure_id: evaluation
            for evaluation in MeasureEvaluation.objects.filter(measure__in=measures, fiscal_year=fiscal_year)
        },
        outcome_actuals=_by_indicator(
            IndicatorResult.objects.filter(
                record__project__in=projects, record__fiscal_year__lte=fiscal_year, actual__isnull=False
            ).values_list("indicator_id", "record__fiscal_year", "actual")
        ),
        target_actuals=_by_indicator(
            MeasureIndicatorResult.objects.filter(
                indicator__measure__in=measures, fiscal_year__lte=fiscal_year, actual__isnull=False
            ).values_list("indicator_id", "fiscal_year", "actual")
        ),
    )


def _measures(queryset) -> list[Measure]:
    indicators = MeasureIndicator.objects.order_by("code").prefetch_related("targets")
    return list(
        queryset.order_by("code")
        .select_related("goal")
        .prefetch_related(
            Prefetch("initiatives", queryset=Initiative.objects.order_by("number")),
            Prefetch("indicators", queryset=indicators),
        )
    )


def _projects(queryset, fiscal_year: int) -> list[Project]:
    assignments = (
        ProjectAssignment.objects.filter(covers_year(fiscal_year), role=AssignmentRole.PRIMARY)
        .select_related("department")
        .order_by("start_year")
    )
    return list(
        queryset.order_by("code")
        .select_related("measure", "initiative", "merged_into")
        .prefetch_related(
            Prefetch(
                "indicators", queryset=OutcomeIndicator.objects.order_by("code").prefetch_related("targets")
            ),
            Prefetch(
                "action_goals",
                queryset=ActionGoal.objects.filter(fiscal_year=fiscal_year).order_by("number"),
                to_attr="year_goals",
            ),
            Prefetch("assignments", queryset=assignments, to_attr="year_assignments"),
        )
    )


def _records(projects, fiscal_year: int) -> dict[int, ProjectRecord]:
    records = ProjectRecord.objects.filter(project__in=projects, fiscal_year=fiscal_year).prefetch_related(
        "indicator_results", "action_results"
    )
    return {record.project_id: record for record in records}


def _by_indicator(rows) -> dict[int, dict[int, Decimal]]:
    actuals: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for indicator_id, year, actual in rows:
        actuals[indicator_id][year] = actual
    return dict(actuals)


def snapshot_latest(*, plan: Plan, fiscal_year: int) -> YearSnapshot | None:
    """The year's most recent snapshot (the figures as last reported), or None."""
    return (
        YearSnapshot.objects.filter(plan=plan, fiscal_year=fiscal_year).order_by("-taken_at", "-pk").first()
    )
