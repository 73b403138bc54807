"""Plain factories for test data: each makes one valid object with sensible defaults."""

import datetime
from decimal import Decimal
from itertools import count

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Model

from evaluation.models import ActionResult, FiscalYear, IndicatorResult, ProjectRecord
from measures.models import Measure
from projects.enums import AssignmentRole
from projects.models import (
    ActionGoal,
    OutcomeIndicator,
    OutcomeIndicatorTarget,
    Project,
    ProjectAssignment,
    covers_year,
)
from strategy.models import Department, Membership, Plan

PASSWORD = "correct-horse-battery-staple"
_sequence = count(1)


def department(name=None, **fields) -> Department:
    number = next(_sequence)
    return Department.objects.create(
        code=fields.pop("code", f"T{number:03d}"), name=name or f"テスト課{number}", **fields
    )


def user(username=None, *, role=None, departments=(), **fields):
    account = get_user_model().objects.create_user(
        username=username or f"user{next(_sequence)}", password=PASSWORD, is_staff=True, **fields
    )
    if role:
        account.groups.add(Group.objects.get(name=role))
    for unit in departments:
        Membership.objects.create(user=account, department=unit)
    return account


def project(
    owner: Department, *, plan=None, measure_code="1-1", code=None, start_year=2024, **fields
) -> Project:
    plan = plan or Plan.objects.get(code="ict2")
    measure = Measure.objects.get(plan=plan, code=measure_code)
    created = Project.objects.create(
        plan=plan,
        code=code or f"{measure_code}-9-{next(_sequence):03d}",
        name=fields.pop("name", "テスト事業"),
        measure=measure,
        start_year=start_year,
        **fields,
    )
    ProjectAssignment.objects.create(
        project=created, department=owner, role=AssignmentRole.PRIMARY, start_year=start_year
    )
    return created


def indicator(owner: Project, *, code=None, **fields) -> OutcomeIndicator:
    values = {
        "name": "テスト指標",
        "unit": "件",
        "baseline_value": Decimal(100),
        "baseline_year": 2022,
        "final_target": Decimal(200),
        "final_target_year": 2027,
    }
    values.update(fields)
    return OutcomeIndicator.objects.create(project=owner, code=code or str(next(_sequence)), **values)


def action_goal(owner: Project, *, year=2024, number=1, description="行動目標") -> ActionGoal:
    return ActionGoal.objects.create(project=owner, fiscal_year=year, number=number, description=description)


def record(owner: Project, *, year=2024, **fields) -> ProjectRecord:
    cycle, _ = FiscalYear.objects.get_or_create(plan=owner.plan, year=year)
    return ProjectRecord.objects.create(project=owner, cycle=cycle, fiscal_year=year, **fields)


def april_first(year: int) -> datetime.date:
    return datetime.date(year, 4, 1)


def _clone(row: Model, **changes) -> Model:
    values = {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields if not f.primary_key}
    return type(row)(**{**values, **changes})


def _bulk_clone(model, rows, copies: int, remap: dict, changes=None) -> dict:
    """`copies` copies of `rows`, foreign keys pointed at the matching copy and `changes(n, row)`
    applied; returns {(copy number, old pk): new pk}."""
    rows = list(rows)
    pairs = [(n, row) for n in range(1, copies + 1) for row in rows]
    clones = [
        _clone(
            row,
            **{name: ids[(n, getattr(row, name))] for name, ids in remap.items()},
            **(changes(n, row) if changes else {}),
        )
        for n, row in pairs
    ]
    created = model.objects.bulk_create(clones)
    return {(n, row.pk): new.pk for (n, row), new in zip(pairs, created, strict=True)}


def projects_clone(plan, copies: int) -> None:
    """Add `copies` copies of every project with its department, indicator, targets, action goals,
    records and results (bulk inserts: no history rows, which a roll-up never reads)."""
    projects = _bulk_clone(
        Project,
        Project.objects.filter(plan=plan),
        copies,
        {},
        changes=lambda n, project: {"code": f"{project.code}-{n:02d}"},
    )
    in_plan = {"project__plan": plan}
    _bulk_clone(
        ProjectAssignment, ProjectAssignment.objects.filter(**in_plan), copies, {"project_id": projects}
    )
    indicators = _bulk_clone(
        OutcomeIndicator, OutcomeIndicator.objects.filter(**in_plan), copies, {"project_id": projects}
    )
    _bulk_clone(
        OutcomeIndicatorTarget,
        OutcomeIndicatorTarget.objects.filter(indicator__project__plan=plan),
        copies,
        {"indicator_id": indicators},
    )
    goals = _bulk_clone(ActionGoal, ActionGoal.objects.filter(**in_plan), copies, {"project_id": projects})
    records = _bulk_clone(
        ProjectRecord, ProjectRecord.objects.filter(**in_plan), copies, {"project_id": projects}
    )
    in_records = {"record__project__plan": plan}
    _bulk_clone(
        IndicatorResult,
        IndicatorResult.objects.filter(**in_records),
        copies,
        {"record_id": records, "indicator_id": indicators},
    )
    _bulk_clone(
        ActionResult,
        ActionResult.objects.filter(**in_records),
        copies,
        {"record_id": records, "action_goal_id": goals},
    )


def responsible_department(owner: Project, year: int) -> Department | None:
    """The department responsible (所管課) for `owner` in fiscal `year`, under the name it had then."""
    assignment = (
        owner.assignments.filter(covers_year(year), role=AssignmentRole.PRIMARY).select_related("department").first()
    )
    return assignment.department if assignment else None
