"""Reads for the council workbook and the 評価シート: a year's figures as reported or as computed today,
and the texts, opinions and changes printed beside them. Each read is a fixed number of queries,
whatever the number of projects.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from core.fiscal import fiscal_year_of
from evaluation.enums import Completion, CycleStatus, NextDirection, RecordStatus
from evaluation.models import CommitteeOpinion, FiscalYear, MeasureEvaluation, ProjectRecord
from evaluation.rollups.compute import rollup_compute
from evaluation.rollups.figures import snapshot_figures
from evaluation.rollups.selectors import rollup_inputs, snapshot_latest
from evaluation.rollups.year import rollup_year
from measures.models import MeasureIndicator
from projects.models import ActionGoal, OutcomeIndicator, Project
from strategy.models import Department, Plan, PlanRevision

COMPLETIONS = dict(Completion.choices)
DIRECTIONS = dict(NextDirection.choices)


@dataclass(frozen=True)
class ReportFigures:
    """A year's figures (`snapshot_figures`' JSON) and when they were frozen: the snapshot taken when the
    year was locked (what was reported), or None for figures computed from today's data."""

    figures: dict
    reported_at: datetime.datetime | None


def report_figures(*, fiscal_year: FiscalYear, project: Project | None = None) -> ReportFigures:
    """The year's figures as reported when it is locked (its latest snapshot), else as computed today.

    Today's figures are the stored roll-up of the whole year, or with `project` that project's figures
    alone (its indicators' and its own, computed on the spot): one project's sheet need not wait for
    the whole plan. Both have the same JSON shape, so a report reads either the same way."""
    plan, year = fiscal_year.plan, fiscal_year.year
    if fiscal_year.status == CycleStatus.LOCKED:
        snapshot = snapshot_latest(plan=plan, fiscal_year=year, with_figures=True)
        if snapshot is not None:
            return ReportFigures(snapshot.figures, snapshot.taken_at)
    if project is None:
        rollup = rollup_year(plan=plan, fiscal_year=year)
    else:
        rollup = rollup_compute(rollup_inputs(plan=plan, fiscal_year=year, project=project))
    return ReportFigures(snapshot_figures(rollup), None)


@dataclass(frozen=True)
class ActionText:
    """An action goal of a year and what was done against it."""

    fiscal_year: int
    number: int
    description: str
    done: str = ""
    completion: str = ""  # 「達成」…, "" while not entered


@dataclass(frozen=True)
class RecordText:
    """The words of a project's yearly record (never the internal note), with its project's summary."""

    status: str
    self_grade: str  # grade codes, "" when not set
    final_grade: str
    self_grade_reason: str
    final_grade_reason: str
    results_summary: str
    issues: str
    next_direction: str  # 「継続」…
    next_steps: str
    review_comment: str
    summary: str

    @property
    def approved(self) -> bool:
        return self.status == RecordStatus.APPROVED

    @property
    def grade_reason(self) -> str:
        """Why the record has its grade: the reviewer's reason when the final grade differs, else the
        department's."""
        return self.final_grade_reason or self.self_grade_reason


RECORD_FIELDS = (
    "project__code",
    "status",
    "self_grade__code",
    "final_grade__code",
    "self_grade_reason",
    "final_grade_reason",
    "results_summary",
    "issues",
    "next_direction",
    "next_steps",
    "review_comment",
    "project__summary",
)


def record_texts(*, plan: Plan, fiscal_year: int, project: Project | None = None) -> dict[str, RecordText]:
    """{project code: RecordText} of the year's records. One query."""
    records = ProjectRecord.objects.filter(project__plan=plan, fiscal_year=fiscal_year)
    if project is not None:
        records = records.filter(project=project)
    texts = {}
    for (
        code,
        status,
        self_grade,
        final_grade,
        *words,
        direction,
        next_steps,
        comment,
        summary,
    ) in records.order_by().values_list(*RECORD_FIELDS):
        self_reason, final_reason, results, issues = words
        texts[code] = RecordText(
            status=status,
            self_grade=self_grade or "",
            final_grade=final_grade or "",
            self_grade_reason=self_reason,
            final_grade_reason=final_reason,
            results_summary=results,
            issues=issues,
            next_direction=DIRECTIONS.get(direction, ""),
            next_steps=next_steps,
            review_comment=comment,
            summary=summary,
        )
    return texts


def action_texts(
    *, plan: Plan, fiscal_year: int | None = None, project: Project | None = None
) -> dict[str, list[ActionText]]:
    """{project code: [ActionText] by year and number}: the action goals of `fiscal_year` (every year when
    None) with what each year's record says was done. One query."""
    goals = ActionGoal.objects.filter(project__plan=plan)
    if fiscal_year is not None:
        goals = goals.filter(fiscal_year=fiscal_year)
    if project is not None:
        goals = goals.filter(project=project)
    found: dict[str, list[ActionText]] = defaultdict(list)
    rows = goals.order_by("project__code", "fiscal_year", "number").values_list(
        "project__code", "fiscal_year", "number", "description", "results__done", "results__completion"
    )
    for code, year, number, description, done, completion in rows:
        found[code].append(ActionText(year, number, description, done or "", COMPLETIONS.get(completion, "")))
    return found


@dataclass(frozen=True)
class IndicatorDetail:
    """What the figures' JSON leaves out of an indicator: its decimals and the years of its baseline and
    final target."""

    decimals: int
    baseline_year: int | None
    final_year: int | None


def indicator_details(
    *, plan: Plan, project: Project | None = None
) -> dict[tuple[str, str, str], IndicatorDetail]:
    """{(owner kind, owner code, indicator code): IndicatorDetail}, owner kind "measure" or "project" as in
    the figures. Two queries (one with `project`)."""
    fields = ("code", "decimals", "baseline_year", "final_target_year")
    details = {}
    if project is None:
        for owner, code, *rest in MeasureIndicator.objects.filter(measure__plan=plan).values_list(
            "measure__code", *fields
        ):
            details[("measure", owner, code)] = IndicatorDetail(*rest)
    outcomes = OutcomeIndicator.objects.filter(project__plan=plan)
    if project is not None:
        outcomes = outcomes.filter(project=project)
    for owner, code, *rest in outcomes.values_list("project__code", *fields):
        details[("project", owner, code)] = IndicatorDetail(*rest)
    return details


@dataclass(frozen=True)
class Opinion:
    committee: str
    opinion: str
    response: str


def opinions_of_year(
    *, plan: Plan, fiscal_year: int, project: Project | None = None
) -> dict[tuple[str, str], list[Opinion]]:
    """{("project" or "measure", code): [Opinion]}: the outside committee's opinions on the year and the
    city's responses. One query."""
    opinions = CommitteeOpinion.objects.filter(fiscal_year=fiscal_year)
    if project is not None:
        opinions = opinions.filter(project=project)
    else:
        opinions = opinions.filter(Q(project__plan=plan) | Q(measure__plan=plan))
    found: dict[tuple[str, str], list[Opinion]] = defaultdict(list)
    for project_code, measure_code, committee, opinion, response in opinions.order_by("id").values_list(
        "project__code", "measure__code", "committee", "opinion", "response"
    ):
        key = ("project", project_code) if project_code else ("measure", measure_code)
        found[key].append(Opinion(committee, opinion, response))
    return found


@dataclass(frozen=True)
class MeasureText:
    grade_reason: str
    comment: str


def measure_texts(*, plan: Plan, fiscal_year: int) -> dict[str, MeasureText]:
    """{measure code: the DX office's reason for its grade and its 総評} for the year. One query."""
    return {
        code: MeasureText(reason, comment)
        for code, reason, comment in MeasureEvaluation.objects.filter(
            measure__plan=plan, fiscal_year=fiscal_year
        ).values_list("measure__code", "grade_reason", "comment")
    }


@dataclass(frozen=True)
class Change:
    """One change to the plan since it began: a filed revision, or a department renamed or merged."""

    effective_year: int
    kind: str
    summary: str
    reason: str
    dated: datetime.date


def plan_changes(*, plan: Plan, until_year: int) -> list[Change]:
    """The plan's revisions that apply from its first year up to `until_year`, and the departments
    renamed or merged in that time (a unit whose predecessors it took over), oldest first. Two queries."""
    changes = [
        Change(
            revision.effective_year,
            revision.get_kind_display(),
            revision.summary,
            revision.reason,
            revision.revised_on,
        )
        for revision in PlanRevision.objects.filter(plan=plan, effective_year__lte=until_year).order_by(
            "effective_year", "revised_on", "id"
        )
    ]
    first_day = datetime.date(plan.start_year, 4, 1)
    last_day = datetime.date(until_year + 1, 3, 31)
    predecessors: dict[tuple[str, str, datetime.date], list[str]] = defaultdict(list)
    successions = Department.predecessors.through.objects.filter(
        from_department__valid_from__range=(first_day, last_day)
    ).order_by("from_department__code", "to_department__code")
    for code, name, valid_from, former in successions.values_list(
        "from_department__code", "from_department__name", "from_department__valid_from", "to_department__name"
    ):
        predecessors[(code, name, valid_from)].append(former)
    for (_, name, valid_from), former in predecessors.items():
        kind = "組織の統合" if len(former) > 1 else "組織の名称変更"
        summary = f"{'・'.join(former)} → {name}"
        changes.append(Change(fiscal_year_of(valid_from), kind, summary, "組織改正", valid_from))
    # Stable: within a year and a day, the filed revisions before the departments' changes.
    return sorted(changes, key=lambda change: (change.effective_year, change.dated))
