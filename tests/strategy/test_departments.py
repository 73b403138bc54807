"""Departments are renamed and merged every April; old years keep the names they were reported under."""

import datetime

from strategy.models import Department
from tests import factories


def _renamed(plan):
    old = factories.department("学校ICT推進室", valid_to=datetime.date(2025, 3, 31))
    new = factories.department("教育DX推進課", valid_from=datetime.date(2025, 4, 1))
    new.predecessors.add(old)
    return old, new


def test_a_renamed_department_shows_its_old_name_for_old_years(plan):
    old, new = _renamed(plan)
    project = factories.project(old, end_year=None)
    project.assignments.filter(department=old).update(end_year=2024)
    project.assignments.create(department=new, start_year=2025)
    assert factories.responsible_department(project, 2024).name == "学校ICT推進室"
    assert factories.responsible_department(project, 2025).name == "教育DX推進課"
    assert factories.responsible_department(project, 2027).name == "教育DX推進課"
    assert Department.objects.get(pk=old.pk).name == "学校ICT推進室"


def test_lineage_follows_predecessors_transitively(plan):
    first = factories.department("情報政策課", valid_to=datetime.date(2022, 3, 31))
    second = factories.department("デジタル推進課", valid_to=datetime.date(2025, 3, 31))
    third = factories.department("DX推進課")
    second.predecessors.add(first)
    third.predecessors.add(second)
    assert third.lineage_ids() == {first.pk, second.pk, third.pk}
    assert first.lineage_ids() == {first.pk}
    assert str(first) == "情報政策課（〜2022-03-31）"
