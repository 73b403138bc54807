"""Reads of the public pages and the open data: the plan's structure and its published years.

Each read is a fixed number of queries whatever the number of projects or indicators. What a year
publishes is read from its latest snapshot only (see `reports.public.published`); the live records,
their drafts, notes and comments are never read here.
"""

import datetime
import operator
from dataclasses import dataclass
from functools import reduce

from django.db.models import Case, F, JSONField, OuterRef, Prefetch, Q, Subquery, Value, When
from django.utils import timezone

from evaluation.enums import CycleStatus
from evaluation.models import FiscalYear, YearSnapshot
from measures.models import Initiative, Measure, MeasureIndicator
from projects.enums import AssignmentRole
from projects.models import Project, ProjectAssignment, covers_year
from reports.public.published import PublishedYear
from strategy.models import BasicGoal, Plan


def _latest_snapshots(plan: Plan):
    """The latest snapshot of each locked fiscal year of the plan (a queryset, ordered by year)."""
    latest = (
        YearSnapshot.objects.filter(plan=OuterRef("plan"), fiscal_year=OuterRef("year"))
        .order_by("-taken_at", "-pk")
        .values("pk")[:1]
    )
    locked = FiscalYear.objects.filter(plan=plan, status=CycleStatus.LOCKED).annotate(
        snapshot=Subquery(latest)
    )
    return YearSnapshot.objects.filter(pk__in=locked.values("snapshot")).order_by("fiscal_year")


# This worker's published years, per (plan id, fiscal year). A snapshot is never changed and a later one
# is a new row, so a year held here is shown for exactly as long as its snapshot (`PublishedYear.snapshot`)
# is the year's latest; only that one is kept for each year.
_held: dict[tuple[int, int], PublishedYear] = {}


def published_years(plan: Plan, year: int | None = None) -> list[PublishedYear]:
    """[PublishedYear] of the plan's locked fiscal years (or of `year` alone), oldest first: 1 query,
    which reads the figures (megabytes of JSON a year) only of the snapshots this worker does not hold."""
    held = {shown.snapshot: shown for (plan_id, _), shown in _held.copy().items() if plan_id == plan.pk}
    figures = F("figures")
    if held:
        known = reduce(operator.or_, (Q(pk=pk, taken_at=taken_at) for pk, taken_at in held))
        figures = Case(When(known, then=Value(None)), default=figures, output_field=JSONField())
    snapshots = _latest_snapshots(plan)
    if year is not None:
        snapshots = snapshots.filter(fiscal_year=year)
    years = []
    for pk, fiscal_year, taken_at, read in snapshots.values_list("pk", "fiscal_year", "taken_at", figures):
        shown = held.get((pk, taken_at))
        if shown is None:
            shown = _held[(plan.pk, fiscal_year)] = PublishedYear.of((pk, taken_at), fiscal_year, read)
        years.append(shown)
    return years


def published_dates(plan: Plan) -> list[tuple[int, datetime.date]]:
    """[(fiscal year, the day its figures were last published)], oldest first, without the figures: 1 query."""
    return [
        (fiscal_year, timezone.localdate(taken_at))
        for fiscal_year, taken_at in _latest_snapshots(plan).values_list("fiscal_year", "taken_at")
    ]


def measure_public(plan: Plan, code: str) -> Measure | None:
    """The plan's measure with its goal, its initiatives (`.initiatives.all()`) and its target
    indicators with their yearly targets (`.indicators.all()`, each `.targets.all()`): 4 queries."""
    indicators = MeasureIndicator.objects.order_by("code").prefetch_related("targets")
    return (
        Measure.objects.filter(plan=plan, code=code)
        .select_related("goal")
        .prefetch_related(
            Prefetch("initiatives", queryset=Initiative.objects.order_by("number")),
            Prefetch("indicators", queryset=indicators),
        )
        .first()
    )


def plan_structure(plan: Plan) -> list[BasicGoal]:
    """The plan's goals by number, each with `.measures.all()` by code and their `.initiatives.all()`
    and `.predecessors.all()`: 4 queries."""
    measures = Measure.objects.order_by("code").prefetch_related(
        Prefetch("initiatives", queryset=Initiative.objects.order_by("number")),
        Prefetch("predecessors", queryset=Measure.objects.order_by("code")),
    )
    return list(plan.goals.order_by("number").prefetch_related(Prefetch("measures", queryset=measures)))


@dataclass(frozen=True)
class Correspondence:
    """A measure of the plan and the predecessor plan's measures it took over; `measure` is None for a
    predecessor's measure that no measure took over."""

    measure: Measure | None
    predecessors: list[Measure]


def measures_correspondence(plan: Plan) -> list[Correspondence]:
    """[Correspondence] for each of the plan's measures by code, then the predecessor's measures that
    none took over: 3 queries."""
    measures = plan.measures.order_by("code").prefetch_related(
        Prefetch("predecessors", queryset=Measure.objects.order_by("code"))
    )
    rows = [Correspondence(measure, list(measure.predecessors.all())) for measure in measures]
    if plan.predecessor_id is not None:
        taken = {predecessor.pk for row in rows for predecessor in row.predecessors}
        earlier = Measure.objects.filter(plan_id=plan.predecessor_id).order_by("code")
        rows += [Correspondence(None, [measure]) for measure in earlier if measure.pk not in taken]
    return rows


@dataclass(frozen=True)
class CatalogueProject:
    """A project of the catalogue (実施事業集) as the open data lists it."""

    code: str
    name: str
    summary: str
    measure: str  # the measure's code
    initiative: int | None  # the initiative's number within its measure
    start_year: int
    end_year: int | None
    status: str  # ProjectStatus
    department: str  # the responsible department's name in the year asked for; "" when none


def catalogue_projects(plan: Plan, year: int) -> list[CatalogueProject]:
    """[CatalogueProject] of the plan by code, each with its responsible department in `year`: 2 queries."""
    departments: dict[int, str] = {}
    for project_id, name in (
        ProjectAssignment.objects.filter(covers_year(year), role=AssignmentRole.PRIMARY, project__plan=plan)
        .order_by("start_year")
        .values_list("project_id", "department__name")
    ):
        departments.setdefault(project_id, name)
    rows = (
        Project.objects.filter(plan=plan)
        .order_by("code")
        .values_list(
            "pk",
            "code",
            "name",
            "summary",
            "measure__code",
            "initiative__number",
            "start_year",
            "end_year",
            "status",
        )
    )
    return [CatalogueProject(*fields, department=departments.get(pk, "")) for pk, *fields in rows]


def _history_latest(model, **filters) -> Subquery:
    return Subquery(model.history.filter(**filters).order_by("-history_date").values("history_date")[:1])


def structure_changed_on(plan: Plan) -> datetime.date | None:
    """The day the plan, its goals, measures, initiatives, projects or their departments last changed,
    from their history: 1 query. None when there is no history (rows written without it)."""
    latest = (
        Plan.objects.filter(pk=plan.pk)
        .annotate(
            plan_changed=_history_latest(Plan, id=OuterRef("pk")),
            goals_changed=_history_latest(BasicGoal, plan=OuterRef("pk")),
            measures_changed=_history_latest(Measure, plan=OuterRef("pk")),
            initiatives_changed=_history_latest(Initiative, measure__plan=OuterRef("pk")),
            projects_changed=_history_latest(Project, plan=OuterRef("pk")),
            assignments_changed=_history_latest(ProjectAssignment, project__plan=OuterRef("pk")),
        )
        .values_list(
            "plan_changed",
            "goals_changed",
            "measures_changed",
            "initiatives_changed",
            "projects_changed",
            "assignments_changed",
        )
        .get()
    )
    changes = [moment for moment in latest if moment is not None]
    return timezone.localdate(max(changes)) if changes else None
