"""Plain factories for test data: each makes one valid object with sensible defaults."""

import datetime
from decimal import Decimal
from itertools import count

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from evaluation.models import ProjectRecord
from measures.models import Measure
from projects.enums import AssignmentRole
from projects.models import ActionGoal, OutcomeIndicator, Project, ProjectAssignment
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
    return ProjectRecord.objects.create(project=owner, fiscal_year=year, **fields)


def april_first(year: int) -> datetime.date:
    return datetime.date(year, 4, 1)
