"""Reads of the yearly cycle for the admin's lists and boards."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, OuterRef, Q, Subquery, When

from evaluation.enums import CycleStatus, RecordStatus
from evaluation.models import ActionResult, CommitteeOpinion, FiscalYear, IndicatorResult, ProjectRecord
from projects.enums import AssignmentRole
from projects.models import ProjectAssignment, covers_year
from projects.scoping import is_dx_office, scope_by_project_year
from strategy.models import Membership, Plan


def fiscal_year_current(plan=None) -> FiscalYear | None:
    """The year staff work on: the newest open one, else the newest under review, else the newest locked."""
    priority = Case(When(status=CycleStatus.OPEN, then=0), When(status=CycleStatus.REVIEW, then=1), default=2)
    years = FiscalYear.objects.select_related("plan").exclude(status=CycleStatus.PLANNED)
    if plan is not None:
        years = years.filter(plan=plan)
    return years.annotate(priority=priority).order_by("priority", "-year").first()


def plan_current() -> Plan | None:
    """The plan being worked on: the current fiscal year's, else the newest plan."""
    current = fiscal_year_current()
    return current.plan if current else Plan.objects.order_by("-start_year").first()


def _primary_in_record_year(field_name: str) -> Subquery:
    assignments = ProjectAssignment.objects.filter(
        covers_year(OuterRef("fiscal_year")), project=OuterRef("project"), role=AssignmentRole.PRIMARY
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
    code: str = ""  # the department's code; "" when no department is set

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def outstanding(self) -> int:
        return sum(self.counts.get(status, 0) for status in RecordStatus.with_department())


def submission_board(fiscal_year: FiscalYear, *, today: datetime.date, records=None) -> list[BoardRow]:
    """Per department (by code), how many records are in each state; overdue when past the deadline
    with records still with the department. One query. `records` narrows the records counted
    (a department's dashboard counts only what its staff may see)."""
    records = ProjectRecord.objects.all() if records is None else records
    records = records_with_department(
        records.filter(cycle=fiscal_year)
    ).values_list("department_code", "department_name", "status")
    rows: dict[str, BoardRow] = {}
    for code, name, status in records.order_by():
        row = rows.setdefault(code or "", BoardRow(department=name or "（所管課未設定）", code=code or ""))
        row.counts[status] = row.counts.get(status, 0) + 1
    past_deadline = fiscal_year.deadline is not None and today > fiscal_year.deadline
    for row in rows.values():
        row.overdue = past_deadline and row.outstanding > 0
    return [rows[code] for code in sorted(rows)]


@dataclass
class Reminder:
    """What one department still owes for a fiscal year, and who should hear about it."""

    fiscal_year: FiscalYear
    department: str
    recipients: list[str]
    missing: list[ProjectRecord] = field(default_factory=list)
    returned: list[ProjectRecord] = field(default_factory=list)


def reminders_due(*, today: datetime.date, days_before: int) -> list[Reminder]:
    """Per fiscal year and department: records not yet submitted when the year is open and its deadline
    at most `days_before` days away (or past), and records returned to the department at any time.

    Recipients are the active users with an e-mail address who belong to the department
    responsible in that year. A bounded number of queries whatever the number of records.
    """
    reminders: dict[tuple[int, int], Reminder] = {}
    # Returned records are chased in any year (under review, or reopened after the lock);
    # the rest only while the year is open and its deadline near.
    for fiscal_year in FiscalYear.objects.exclude(status=CycleStatus.PLANNED).select_related("plan"):
        near_deadline = (
            fiscal_year.status == CycleStatus.OPEN
            and fiscal_year.deadline is not None
            and (fiscal_year.deadline - today).days <= days_before
        )
        records = (
            records_with_department(
                ProjectRecord.objects.filter(cycle=fiscal_year)
            )
            .annotate(department_id=_primary_in_record_year("department"))
            .filter(status__in=RecordStatus.with_department())
            .select_related("project")
            .with_results()
            .order_by("project__code")
        )
        for record in records:
            chase = record.status == RecordStatus.RETURNED or near_deadline
            if not chase or record.department_id is None:
                continue
            reminder = reminders.setdefault(
                (fiscal_year.pk, record.department_id),
                Reminder(fiscal_year=fiscal_year, department=record.department_name, recipients=[]),
            )
            (reminder.returned if record.status == RecordStatus.RETURNED else reminder.missing).append(record)
    _add_recipients(reminders)
    return [reminder for reminder in reminders.values() if reminder.recipients]


def _add_recipients(reminders: dict[tuple[int, int], Reminder]) -> None:
    department_ids = {department_id for _, department_id in reminders}
    memberships = (
        Membership.objects.filter(department__in=department_ids, user__is_active=True)
        .exclude(user__email="")
        .values_list("department", "user__email")
    )
    emails: dict[int, list[str]] = {}
    for department_id, email in memberships.order_by("user__email"):
        emails.setdefault(department_id, []).append(email)
    for (_, department_id), reminder in reminders.items():
        reminder.recipients = emails.get(department_id, [])


def committee_opinions(*, plan, fiscal_year: int, level: str, code: str) -> list[CommitteeOpinion]:
    """The outside committee's opinions on one project or measure of a year, with the city's responses."""
    subject = {"project": "project", "measure": "measure"}.get(level)
    if subject is None:
        return []
    return list(
        CommitteeOpinion.objects.filter(
            fiscal_year=fiscal_year, **{f"{subject}__plan": plan, f"{subject}__code": code}
        ).order_by("id")
    )


def records_editable_by(user, records=None):
    """The records `user` may edit now, out of `records` (all records by default).

    The one rule for "may this user change this record now", used by the entry page, the workflow,
    the spreadsheet import and export, and the lists. The DX office edits any record of a year that
    is not locked, and a record reopened for correction in a locked one. A department edits only
    while its department holds the pen for the project that year and the year accepts its entry:
    open; under review for a returned record; locked only for a record reopened for correction.
    """
    records = ProjectRecord.objects.all() if records is None else records
    if is_dx_office(user):
        return records.filter(~Q(cycle__status=CycleStatus.LOCKED) | Q(reopened=True))
    with_department = Q(status__in=RecordStatus.with_department())
    accepts_entry = (
        Q(cycle__status=CycleStatus.OPEN)
        | Q(cycle__status=CycleStatus.REVIEW, status=RecordStatus.RETURNED)
        | Q(cycle__status=CycleStatus.LOCKED, reopened=True)
    )
    return scope_by_project_year(
        user, records.filter(with_department & accepts_entry), "project", "fiscal_year", editing=True
    )


@dataclass(frozen=True)
class SavedChange:
    """One saved change to a record or to one of its result rows, as the history holds it."""

    when: datetime.datetime
    user_id: int | None
    reason: str
    model: type  # ProjectRecord, IndicatorResult or ActionResult
    row_id: int


def record_changes_since(seen: dict[int, int]) -> dict[int, list[SavedChange] | None]:
    """For each record id in `seen` (mapped to the version a user saw), every change saved since the
    record stood at that version, oldest first: its own history rows of a later version, and the
    changes to its result rows saved after it (not their creation when the year was prepared, which
    may come after). None for a record whose history lacks the version seen (what changed since is
    then unknown). Three queries whatever the number of records.
    """
    cut: dict[int, datetime.datetime] = {}
    changes: dict[int, list[SavedChange]] = {pk: [] for pk in seen}
    history = ProjectRecord.history.order_by("history_date", "history_id").filter(id__in=seen)
    for pk, version, when, user_id, reason in history.values_list(
        "id", "version", "history_date", "history_user_id", "history_change_reason"
    ):
        if version <= seen[pk]:
            cut[pk] = when  # rows saved with this record version belong to what the user saw
        else:
            changes[pk].append(SavedChange(when, user_id, reason or "", ProjectRecord, pk))
    if cut:
        for model in (IndicatorResult, ActionResult):
            rows = model.history.filter(record_id__in=cut, history_date__gt=min(cut.values())).exclude(
                history_type="+"
            )
            for pk, record_id, when, user_id, reason in rows.values_list(
                "id", "record_id", "history_date", "history_user_id", "history_change_reason"
            ):
                if when > cut[record_id]:
                    changes[record_id].append(SavedChange(when, user_id, reason or "", model, pk))
    return {
        pk: sorted(found, key=lambda change: change.when) if pk in cut else None
        for pk, found in changes.items()
    }


def record_may_edit(user, record: ProjectRecord) -> bool:
    """Whether `user` may change `record` now (see `records_editable_by`)."""
    return records_editable_by(user, ProjectRecord.objects.filter(pk=record.pk)).exists()


@dataclass(frozen=True)
class ResultChange:
    """One saved change to a result row of a record, as its history page lists it."""

    when: datetime.datetime
    who: str
    reason: str
    row: str
    changes: list[tuple[str, str, str]]  # (field label, before, after)


RESULT_FIELDS = {ActionResult: ["done", "completion"], IndicatorResult: ["actual", "actual_status", "note"]}


def result_changes(record: ProjectRecord) -> list[ResultChange]:
    """Every change to the record's action-goal and indicator rows, newest first (two queries per kind)."""
    entries = []
    for model, fields in RESULT_FIELDS.items():
        names = _row_names(model, record)
        rows = model.history.filter(record_id=record.pk).select_related("history_user").order_by("id", "history_id")
        previous = {}
        for row in rows:
            before = previous.get(row.id)
            changes = [
                (_label(model, name), _shown(model, name, getattr(before, name)), _shown(model, name, getattr(row, name)))
                for name in fields
                if before is not None and getattr(before, name) != getattr(row, name)
            ]
            previous[row.id] = row
            if changes:
                user = row.history_user
                who = (user.get_full_name() or user.username) if user else "（システム）"
                entries.append(ResultChange(row.history_date, who, row.history_change_reason or "", names[row.id], changes))
    return sorted(entries, key=lambda entry: entry.when, reverse=True)


def _row_names(model, record) -> dict[int, str]:
    if model is ActionResult:
        rows = record.action_results.select_related("action_goal")
        return {r.pk: f"行動目標 {r.action_goal.number}. {r.action_goal.description}" for r in rows}
    rows = record.indicator_results.select_related("indicator")
    return {r.pk: f"成果指標 {r.indicator.code} {r.indicator.name}" for r in rows}


def _label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def _shown(model, name: str, value) -> str:
    field = model._meta.get_field(name)
    if value is None or value == "":
        return "（空欄）"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)
