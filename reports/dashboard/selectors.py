"""Reads for the dashboards: a plan's yearly figures from the evaluation engine, cut to what the user may see.

Every figure comes from `evaluation.rollups.year.rollup_year`, called once per fiscal year a page
needs; nothing here computes a figure or writes a row. The figures name each project's record and
department that year; the only other reads are which records department staff may see and how
often records were returned, one query each.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count

from evaluation.enums import ActualStatus, Completion, CycleStatus
from evaluation.models import FiscalYear, ProjectRecord
from evaluation.rollups.compute import Counts, Figure, IndicatorFigure, YearRollup
from evaluation.rollups.year import rollup_year
from evaluation.selectors import BoardRow, fiscal_year_current, submission_board
from projects.scoping import scope_by_project_year, sees_everything
from strategy.achievement import percent_text
from strategy.models import Plan

# An action goal 「達成」 beside an indicator under half its target (or the reverse: the goal 「未達成」
# while the indicator met its target) is worth a second look before the year is approved.
FAR_BELOW = Decimal("0.5")
MET = Decimal(1)
RETURNED_OFTEN = 2  # returned this many times or more in a year: the department may need help
RETURN_REASON = "差戻し"  # `record_return` saves the history row with 「差戻し: 理由」


@dataclass(frozen=True)
class RecordRef:
    """A record the user may see: what a link and a department filter need."""

    pk: int
    status: str
    department_code: str
    department_name: str


@dataclass(frozen=True)
class Scope:
    """What one request may see of a plan: its fiscal years with records, their figures, and the
    visible records.

    The records come from the figures (each project's figure names its record, its state and its
    department that year), so seeing them costs no query. `visible` holds the (project code, fiscal
    year) of the records department staff may see; None for the DX office and viewers, who see every
    record and also the measure and goal figures (`everything`).
    """

    plan: Plan
    years: list[int]
    rollups: dict[int, YearRollup]
    visible: frozenset[tuple[str, int]] | None

    @property
    def everything(self) -> bool:
        return self.visible is None

    def record(self, code: str, year: int) -> RecordRef | None:
        if self.visible is not None and (code, year) not in self.visible:
            return None
        rollup = self.rollups.get(year)
        figure = rollup.find("project", code) if rollup else None
        return _record_ref(figure) if figure is not None else None

    def records_of(self, year: int) -> list[RecordRef]:
        """The visible records of `year`."""
        if self.visible is None:
            figures = self.rollups[year].projects
        else:
            figures = [self.rollups[year].find("project", code) for code, y in self.visible if y == year]
        refs = (_record_ref(figure) for figure in figures if figure is not None)
        return [ref for ref in refs if ref is not None]

    def departments(self) -> list[tuple[str, str]]:
        """(code, name) of the departments responsible for a visible record, by code."""
        if self.visible is None:
            return sorted(set().union(*(self.rollups[year].record_departments for year in self.years)))
        found = {
            (ref.department_code, ref.department_name) for year in self.years for ref in self.records_of(year)
        }
        return sorted(department for department in found if department[0])


def _record_ref(figure: Figure) -> RecordRef | None:
    if figure.record is None:
        return None
    return RecordRef(figure.record, figure.record_status, figure.department_code, figure.department)


def dashboard_scope(user) -> Scope | None:
    """The plan being worked on, its fiscal years with records (oldest first) with their figures, and
    the records the user may see. Two queries, one more for department staff, and one per year for
    the figures (see `rollup_year`)."""
    current = fiscal_year_current()
    plan = current.plan if current else Plan.objects.order_by("-start_year").first()
    if plan is None:
        return None
    years = list(
        FiscalYear.objects.filter(plan=plan)
        .exclude(status=CycleStatus.PLANNED)
        .order_by("year")
        .values_list("year", flat=True)
    )
    visible = None
    if not sees_everything(user):
        records = scope_by_project_year(
            user, ProjectRecord.objects.filter(project__plan=plan), "project", "fiscal_year"
        )
        visible = frozenset(records.values_list("project__code", "fiscal_year").order_by())
    rollups = {year: rollup_year(plan=plan, fiscal_year=year) for year in years}
    return Scope(plan=plan, years=years, rollups=rollups, visible=visible)


def dashboard_rollups(scope: Scope, years) -> dict[int, YearRollup]:
    """The engine's figures for each of `years`: those of the scope's years as read, others read now."""
    return {year: scope.rollups.get(year) or rollup_year(plan=scope.plan, fiscal_year=year) for year in years}


def year_latest_with_data(rollups: dict[int, YearRollup]) -> int | None:
    """The newest year in which any project has a figure, else the newest year."""
    with_data = [
        year for year, rollup in rollups.items() if any(p.achievement is not None for p in rollup.projects)
    ]
    return max(with_data or rollups or [None])


@dataclass(frozen=True)
class Filters:
    """The choices kept in the address: a goal number, a measure code, a department code ("" = all)."""

    goal: str = ""
    measure: str = ""
    department: str = ""


def projects_shown(scope: Scope, rollup: YearRollup, filters: Filters) -> list[Figure]:
    """The year's project figures the user may see that match the filters, in the engine's order."""
    year = rollup.fiscal_year
    shown = []
    for project in rollup.projects:
        if scope.visible is not None and (project.code, year) not in scope.visible:
            continue
        if filters.department and (project.record is None or project.department_code != filters.department):
            continue
        if filters.measure and project.parent != filters.measure:
            continue
        shown.append(project)
    if filters.goal:
        measures = {m.code for m in rollup.measures if m.parent == filters.goal}
        shown = [project for project in shown if project.parent in measures]
    return shown


def measures_shown(
    scope: Scope, rollup: YearRollup, filters: Filters, projects: list[Figure]
) -> list[Figure]:
    """The year's measure figures matching the filters; for department staff (or a department filter)
    only the measures holding a shown project."""
    measures = [
        m
        for m in rollup.measures
        if (not filters.goal or m.parent == filters.goal)
        and (not filters.measure or m.code == filters.measure)
    ]
    if not scope.everything or filters.department:
        holding = {project.parent for project in projects}
        measures = [m for m in measures if m.code in holding]
    return measures


@dataclass
class GoalRow:
    """A basic goal with its figure, its shown measures and the grade count of its shown projects."""

    figure: Figure
    measures: list[Figure]
    counts: Counts


@dataclass
class HeatRow:
    """One line of the grade heat map: a measure (or, for department staff, a project) over the years."""

    level: str  # measure | project
    code: str
    name: str
    grades: dict[int, str]  # year → grade code; a year without a figure is absent


@dataclass
class Overview:
    year: int
    rollup: YearRollup
    goals: list[GoalRow]
    projects: list[Figure]
    counts: Counts
    years: list[int]
    heat_rows: list[HeatRow]


def dashboard_overview(scope: Scope, rollups: dict[int, YearRollup], year: int, filters: Filters) -> Overview:
    """The overview of `year`: goals with their measures and grade counts, and the grade heat map over the years."""
    rollup = rollups[year]
    projects = projects_shown(scope, rollup, filters)
    measures = measures_shown(scope, rollup, filters, projects)
    goals = []
    for goal in rollup.goals:
        members = [m for m in measures if m.parent == goal.code]
        if not members:
            continue
        codes = {m.code for m in members}
        goal_projects = [p for p in projects if p.parent in codes]
        goals.append(GoalRow(goal, members, Counts.of(goal_projects, rollup.scale)))
    unfiltered = scope.everything and filters == Filters()
    counts = rollup.plan_figure.counts if unfiltered else Counts.of(projects, rollup.scale)
    return Overview(
        year=year,
        rollup=rollup,
        goals=goals,
        projects=projects,
        counts=counts,
        years=list(rollups),
        heat_rows=_heat_rows(
            scope, rollups, filters, by_project=not scope.everything or bool(filters.department)
        ),
    )


def _heat_rows(
    scope: Scope, rollups: dict[int, YearRollup], filters: Filters, *, by_project: bool
) -> list[HeatRow]:
    rows: dict[str, HeatRow] = {}
    for year, rollup in rollups.items():
        # By measure, those who see everything see every measure: no project needs looking at.
        projects = projects_shown(scope, rollup, filters) if by_project else []
        figures = projects if by_project else measures_shown(scope, rollup, filters, projects)
        for figure in figures:
            row = rows.setdefault(figure.code, HeatRow(figure.level, figure.code, figure.name, {}))
            if figure.grade is not None:
                row.grades[year] = figure.grade.code
    return list(rows.values())


# The measure page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorYear:
    """An indicator in one fiscal year, as the engine computed it."""

    year: int
    figure: IndicatorFigure
    record: RecordRef | None  # the project's record that year (outcome indicators)
    actual_shown: bool = True  # false after the year the page shows: only its target is drawn


@dataclass
class IndicatorSeries:
    """An indicator over the plan's years with records; `latest` holds the baseline, final target and forecast."""

    latest: IndicatorFigure
    years: list[IndicatorYear]
    project: Figure | None = None  # the owning project (outcome indicators)

    @property
    def chart_id(self) -> str:
        return f"chart-{self.latest.kind}-{self.latest.owner}-{self.latest.code}"


@dataclass
class MeasurePage:
    year: int
    measure: Figure
    targets: list[IndicatorSeries]
    projects: list[tuple[Figure, RecordRef | None]]  # each with its record of the year
    outcomes: list[IndicatorSeries]
    chosen: str = ""  # the project whose outcome indicators are drawn, when the measure has many
    charts_limited: bool = False  # too many projects to draw them all: one is chosen at a time


# Above this many projects a measure page draws one project's outcome charts at a time, so that the
# page stays light at a city's scale (a measure holds some 250 projects in seed_scale).
OUTCOME_CHART_PROJECTS = 10


def dashboard_measure(
    scope: Scope, rollups: dict[int, YearRollup], year: int, code: str, project_code: str = ""
) -> MeasurePage | None:
    """A measure's target indicators and its shown projects' outcome indicators over the years; None when
    the measure is not in the year or the user sees none of its projects.

    `rollups` holds every year of the plan, so each indicator shows its targets up to the final year;
    actuals are shown up to `year`.
    """
    rollup = rollups[year]
    measure = rollup.find("measure", code)
    if measure is None:
        return None
    projects = projects_shown(scope, rollup, Filters(measure=code))
    if not scope.everything and not projects:
        return None
    years = sorted(rollups)
    targets = [
        _series(indicator, [(y, rollups[y].find("measure", code), None) for y in years], year)
        for indicator in measure.indicators
    ]
    charts_limited = len(projects) > OUTCOME_CHART_PROJECTS
    drawn = [p for p in projects if p.code == project_code] if charts_limited else projects
    outcomes = []
    for project in drawn:
        for indicator in project.indicators:
            history = [
                (y, rollups[y].find("project", project.code), scope.record(project.code, y)) for y in years
            ]
            series = _series(indicator, history, year)
            series.project = project
            outcomes.append(series)
    rows = [(project, scope.record(project.code, year)) for project in projects]
    return MeasurePage(
        year=year, measure=measure, targets=targets, projects=rows, outcomes=outcomes,
        chosen=project_code if drawn and charts_limited else "", charts_limited=charts_limited,
    )  # fmt: skip


def _series(latest: IndicatorFigure, history, shown: int) -> IndicatorSeries:
    years = []
    for year, owner, record in history:
        found = next((i for i in owner.indicators if i.code == latest.code), None) if owner else None
        if found is not None:
            years.append(IndicatorYear(year, found, record, actual_shown=year <= shown))
    return IndicatorSeries(latest=latest, years=years)


# Submission status ---------------------------------------------------------------------------


@dataclass
class Submission:
    fiscal_year: FiscalYear | None
    rows: list[BoardRow]
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.totals.values())


def dashboard_submission(user, *, department: str = "", today: datetime.date) -> Submission:
    """Per department, the open year's records in each state (only those the user may see), overdue first."""
    fiscal_year = fiscal_year_current()
    if fiscal_year is None:
        return Submission(None, [])
    records = scope_by_project_year(user, ProjectRecord.objects.all(), "project", "fiscal_year")
    rows = submission_board(fiscal_year, today=today, records=records)
    if department:
        rows = [row for row in rows if row.code == department]
    rows.sort(key=lambda row: not row.overdue)  # stable: by code within each group
    totals: dict[str, int] = {}
    for row in rows:
        for status, count in row.counts.items():
            totals[status] = totals.get(status, 0) + count
    return Submission(fiscal_year, rows, totals)


# Risks and data quality ----------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One item on the risk or data-quality list, with the record (or explanation) behind it."""

    kind: str  # what was found, in Japanese
    subject: str  # 「事業P001 …」 or 「施策1-1 …」
    detail: str
    level: str  # project | measure
    code: str
    record: RecordRef | None = None


def returns_counted(scope: Scope, year: int) -> dict[str, int]:
    """How many times each visible project's record of `year` was returned: {project code: n}. One query."""
    pks = [ref.pk for ref in scope.records_of(year)]
    rows = (
        ProjectRecord.history.filter(id__in=pks, history_change_reason__startswith=RETURN_REASON)
        .values("project__code")
        .annotate(n=Count("history_id"))
        .order_by()
    )
    return {row["project__code"]: row["n"] for row in rows}


def _subject(indicator: IndicatorFigure) -> tuple[str, str]:
    level = "measure" if indicator.kind == "measure_indicator" else "project"
    return (
        level,
        f"{'施策' if level == 'measure' else '事業'}{indicator.owner} {indicator.code} {indicator.name}",
    )


def _indicators_shown(scope: Scope, rollup: YearRollup, projects: list[Figure], measures: list[Figure]):
    """(indicator, record) pairs: the shown projects' outcome indicators, and, for those who see everything,
    the shown measures' target indicators."""
    pairs = [(i, scope.record(p.code, rollup.fiscal_year)) for p in projects for i in p.indicators]
    if scope.everything:
        pairs = [(i, None) for m in measures for i in m.indicators] + pairs
    return pairs


def dashboard_risks(scope: Scope, rollup: YearRollup, filters: Filters) -> list[Finding]:
    """Indicators forecast to miss their final target, projects graded below the best grade or returned
    twice or more, and figures over 150 %."""
    projects = projects_shown(scope, rollup, filters)
    measures = measures_shown(scope, rollup, filters, projects)
    pairs = _indicators_shown(scope, rollup, projects, measures)
    findings = []
    for indicator, record in pairs:
        if indicator.forecast.outlook == "at_risk":
            level, subject = _subject(indicator)
            findings.append(
                Finding(
                    "最終目標に届かない見込み",
                    subject,
                    indicator.forecast.note,
                    level,
                    indicator.owner,
                    record,
                )
            )
    best = rollup.scale.thresholds[0][0] if rollup.scale.thresholds else None
    returns = returns_counted(scope, rollup.fiscal_year)
    for project in projects:
        record = scope.record(project.code, rollup.fiscal_year)
        if project.grade is not None and not project.grade.is_unrated and project.grade.code != best:
            findings.append(
                Finding(
                    f"{project.grade.code}評価",
                    project.heading,
                    project.grade.display,
                    "project",
                    project.code,
                    record,
                )
            )
        if returns.get(project.code, 0) >= RETURNED_OFTEN:
            findings.append(
                Finding(
                    "差戻しが重なっている",
                    project.heading,
                    f"この年度に{returns[project.code]}回差し戻されました",
                    "project",
                    project.code,
                    record,
                )
            )
    for indicator, record in pairs:
        if indicator.rates.progress.too_high or indicator.rates.attainment.too_high:
            level, subject = _subject(indicator)
            findings.append(
                Finding(
                    "150%を超える値（目標設定の確認）",
                    subject,
                    _rates_text(indicator),
                    level,
                    indicator.owner,
                    record,
                )
            )
    return findings


def _rates_text(indicator: IndicatorFigure) -> str:
    return f"進捗率 {percent_text(indicator.rates.progress.value)}／達成率 {percent_text(indicator.rates.attainment.value)}"


def dashboard_quality(
    scope: Scope, rollup: YearRollup, previous: YearRollup | None, filters: Filters
) -> list[Finding]:
    """Missing and provisional actuals, actuals unchanged from the year before, and action goals that
    disagree with their project's indicators."""
    projects = projects_shown(scope, rollup, filters)
    measures = measures_shown(scope, rollup, filters, projects)
    pairs = _indicators_shown(scope, rollup, projects, measures)
    before = {(i.kind, i.owner, i.code): i.actual for i in previous.indicators} if previous else {}
    findings = []
    for indicator, record in pairs:
        level, subject = _subject(indicator)
        if indicator.indicator_kind == "qualitative":
            continue
        if indicator.actual is None:
            findings.append(
                Finding("実績がない", subject, indicator.status_label, level, indicator.owner, record)
            )
            continue
        if indicator.status == ActualStatus.PROVISIONAL:
            findings.append(
                Finding("速報値のまま", subject, "確定値への更新が必要です", level, indicator.owner, record)
            )
        last = before.get((indicator.kind, indicator.owner, indicator.code))
        if last is not None and last == indicator.actual:
            findings.append(
                Finding("前年度と同じ実績", subject, f"前年度も{indicator.actual.normalize():f}{indicator.unit}", level,
                        indicator.owner, record)
            )  # fmt: skip
    for project in projects:
        finding = _inconsistent(project)
        if finding:
            findings.append(
                Finding("行動目標と成果指標が食い違う", project.heading, finding, "project", project.code,
                        scope.record(project.code, rollup.fiscal_year))
            )  # fmt: skip
    return findings


def _inconsistent(project: Figure) -> str:
    completions = {action.completion for action in project.actions if action.completion}
    figures = [i.achievement.value for i in project.indicators if i.achievement.value is not None]
    if not completions or not figures:
        return ""
    if completions == {Completion.ACHIEVED} and min(figures) < FAR_BELOW:
        return "行動目標はすべて達成ですが、目標の50%に届かない成果指標があります"
    if completions == {Completion.NOT_ACHIEVED} and min(figures) >= MET:
        return "行動目標はすべて未達成ですが、成果指標はすべて目標に達しています"
    return ""
