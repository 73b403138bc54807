"""Reads of the yearly cycle for the admin's lists and boards."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, OuterRef, Q, Subquery, When

from evaluation.enums import CycleStatus, RecordStatus
from evaluation.models import FiscalYear, ProjectRecord
from projects.enums import AssignmentRole
from projects.models import ProjectAssignment


def fiscal_year_current(plan=None) -> FiscalYear | None:
    """The year staff work on: the newest open one, else the newest under review, else the newest locked."""
    priority = Case(When(status=CycleStatus.OPEN, then=0), When(status=CycleStatus.REVIEW, then=1), default=2)
    years = FiscalYear.objects.select_related("plan").exclude(status=CycleStatus.PLANNED)
    if plan is not None:
        years = years.filter(plan=plan)
    return years.annotate(priority=priority).order_by("priority", "-year").first()


def cycle_statuses(records) -> dict[tuple[int, int], str]:
    """{(plan id, year): cycle status} for the given records, in one query."""
    keys = {(r.project.plan_id, r.fiscal_year) for r in records}
    if not keys:
        return {}
    condition = Q()
    for plan_id, year in keys:
        condition |= Q(plan_id=plan_id, year=year)
    return {(f.plan_id, f.year): f.status for f in FiscalYear.objects.filter(condition)}


def _primary_in_record_year(field_name: str) -> Subquery:
    assignments = ProjectAssignment.objects.filter(
        Q(end_year__isnull=True) | Q(end_year__gte=OuterRef("fiscal_year")),
        project=OuterRef("project"),
        role=AssignmentRole.PRIMARY,
        start_year__lte=OuterRef("fiscal_year"),
    )
    return Subquery(assignments.values(field_name)[:1])


def records_with_department(queryset):
    """Records annotated with `department_name` and `department_code` of their responsible unit that year."""
    return queryset.annotate(
        department_name=_primary_in_record_year("department__name"),
        department_code=_primary_in_record_year("department__code"),
    )


@dataclass
class BoardRow:
    """One department's line on the submission board."""

    department: str
    counts: dict[str, int] = field(default_factory=dict)
    overdue: bool = False

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def outstanding(self) -> int:
        return sum(self.counts.get(status, 0) for status in RecordStatus.with_department())


def submission_board(fiscal_year: FiscalYear, *, today: datetime.date) -> list[BoardRow]:
    """Per department (by code), how many records are in each state; overdue when past the deadline
    with records still with the department. One query."""
    records = records_with_department(
        ProjectRecord.objects.filter(project__plan=fiscal_year.plan, fiscal_year=fiscal_year.year)
    ).values_list("department_code", "department_name", "status")
    rows: dict[str, BoardRow] = {}
    for code, name, status in records.order_by():
        row = rows.setdefault(code or "", BoardRow(department=name or "（所管課未設定）"))
        row.counts[status] = row.counts.get(status, 0) + 1
    past_deadline = fiscal_year.deadline is not None and today > fiscal_year.deadline
    for row in rows.values():
        row.overdue = past_deadline and row.outstanding > 0
    return [rows[code] for code in sorted(rows)]
