"""The one rule that says who may see and change which project, and in which fiscal year.

* The DX office and superusers see and change everything.
* Viewers (議会・幹部) see everything and change nothing.
* Department staff see a project's year when one of their departments (or a unit their department
  succeeded after a reorganisation) was responsible or co-responsible for it in that year, and change
  it only when their department was the responsible one (所管課).

Every list, form, filter, autocomplete, history page, import, export and dashboard asks this module.
"""

from django.db.models import Exists, OuterRef, QuerySet

from core.roles import DX_OFFICE, VIEWER
from projects.enums import AssignmentRole
from projects.models import Project, ProjectAssignment, covers_year
from strategy.models import Department


def _group_names(user) -> set[str]:
    if not hasattr(user, "_portal_groups"):
        user._portal_groups = set(user.groups.values_list("name", flat=True))
    return user._portal_groups


def is_dx_office(user) -> bool:
    return user.is_active and (user.is_superuser or DX_OFFICE in _group_names(user))


def sees_everything(user) -> bool:
    return is_dx_office(user) or (user.is_active and VIEWER in _group_names(user))


def department_ids(user) -> set[int]:
    """The user's departments and every unit they succeeded, cached on the user for the request."""
    if not hasattr(user, "_portal_departments"):
        ids: set[int] = set()
        for department in Department.objects.filter(memberships__user=user):
            ids |= department.lineage_ids()
        user._portal_departments = ids
    return user._portal_departments


def _assignments(user, *, project_ref: str, year_ref: str | None, editing: bool) -> QuerySet:
    assignments = ProjectAssignment.objects.filter(
        project=OuterRef(project_ref), department__in=department_ids(user)
    )
    if editing:
        assignments = assignments.filter(role=AssignmentRole.PRIMARY)
    if year_ref:
        assignments = assignments.filter(covers_year(OuterRef(year_ref)))
    return assignments


def projects_visible(user, queryset: QuerySet | None = None) -> QuerySet:
    """Projects the user may see in at least one year."""
    queryset = Project.objects.all() if queryset is None else queryset
    if sees_everything(user):
        return queryset
    return queryset.filter(Exists(_assignments(user, project_ref="pk", year_ref=None, editing=False)))


def scope_by_project(user, queryset: QuerySet, project_path: str) -> QuerySet:
    """Rows hanging off a project (indicators, action goals, targets) the user may see."""
    if sees_everything(user):
        return queryset
    return queryset.filter(Exists(_assignments(user, project_ref=project_path, year_ref=None, editing=False)))


def scope_by_project_year(
    user, queryset: QuerySet, project_path: str, year_path: str, *, editing=False
) -> QuerySet:
    """Yearly rows (records, results) the user may see, or with `editing` change, in their year."""
    if is_dx_office(user) or (sees_everything(user) and not editing):
        return queryset
    if sees_everything(user):  # a viewer asking to edit
        return queryset.none()
    return queryset.filter(
        Exists(_assignments(user, project_ref=project_path, year_ref=year_path, editing=editing))
    )
