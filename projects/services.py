"""Mid-plan revisions (見直し) of the project catalogue: add, end, merge, move.

Like the target re-set in `measures.services`, each takes the year it applies from and a reason,
keeps what was there before and files a `PlanRevision`. The callers (admin actions) check the
permission to change.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from core.fiscal import fiscal_year_label
from measures.services import INDICATOR_REVISED_FIELDS, revision_check, revision_file, revision_save
from projects.enums import AssignmentRole, ProjectStatus
from projects.models import ActionGoal, OutcomeIndicator, OutcomeIndicatorTarget, Project, ProjectAssignment
from strategy.models import Department, PlanRevision, RevisionKind

# Once the plan has begun these change only through a revision (add, end, merge, move).
PROJECT_REVISED_FIELDS = ["plan", "code", "measure", "start_year", "end_year", "status", "merged_into"]
REVISED_FIELDS = {Project: PROJECT_REVISED_FIELDS, OutcomeIndicator: INDICATOR_REVISED_FIELDS, ActionGoal: []}
REVISION_ONLY = (
    "計画期間が始まっているため、取り込みでは変えられません。計画の見直しとして、一覧の操作（事業の終了・統合・"
    "所管課の変更、目標値の再設定）で、適用する年度と理由を付けて変えてください。"
)


@transaction.atomic
def project_add(project: Project, *, department: Department, reason: str, by) -> PlanRevision:
    """Add a project to the catalogue from its start year, with the department responsible for it."""
    revision_check(project.plan, project.start_year, reason)
    revision_save(project, by=by, reason=f"事業の追加: {reason}")
    assignment = ProjectAssignment(project=project, department=department, start_year=project.start_year)
    revision_save(assignment, by=by, reason=f"事業の追加: {reason}")
    summary = f"事業「{project}」を追加（所管課: {department.name}）"
    return revision_file(
        project.plan,
        RevisionKind.PROJECT_ADDED,
        year=project.start_year,
        reason=reason,
        summary=summary,
        by=by,
    )


def _end(project: Project, *, year: int, status: str, reason: str, by, merged_into=None) -> None:
    revision_check(project.plan, year, reason)
    if year <= project.start_year:
        raise ValidationError(
            {
                "year": f"{fiscal_year_label(project.start_year)}に始まった事業は、その翌年度以降から終了できます。"
            },
            code="before_start",
        )
    if project.end_year is not None and project.end_year < year - 1:
        raise ValidationError({"year": "この事業は既に終了しています。"}, code="already_ended")
    project.end_year, project.status, project.merged_into = year - 1, status, merged_into
    revision_save(project, by=by, reason=f"{ProjectStatus(status).label}: {reason}")
    for assignment in project.assignments.filter(end_year__isnull=True):
        assignment.end_year = year - 1
        revision_save(assignment, by=by, reason=f"{ProjectStatus(status).label}: {reason}")


@transaction.atomic
def project_end(project: Project, *, year: int, status: str, reason: str, by) -> PlanRevision:
    """End a project (完了・休止・廃止): it runs for the last time in the year before `year`."""
    if status not in (ProjectStatus.COMPLETED, ProjectStatus.SUSPENDED, ProjectStatus.ABOLISHED):
        raise ValidationError({"status": "完了・休止・廃止のいずれかを選んでください。"}, code="invalid")
    project = Project.objects.select_for_update().get(pk=project.pk)
    _end(project, year=year, status=status, reason=reason, by=by)
    summary = f"事業「{project}」を{ProjectStatus(status).label}（{fiscal_year_label(year - 1)}まで実施）"
    return revision_file(
        project.plan, RevisionKind.PROJECT_ENDED, year=year, reason=reason, summary=summary, by=by
    )


@transaction.atomic
def project_merge(project: Project, *, into: Project, year: int, reason: str, by) -> PlanRevision:
    """Merge a project into another from `year`; the merged one keeps its past years and its code."""
    if into.pk == project.pk or into.plan_id != project.plan_id:
        raise ValidationError({"into": "同じ計画の別の事業を統合先に選んでください。"}, code="invalid_target")
    if not into.runs_in(year):
        raise ValidationError(
            {"into": f"統合先の事業は{fiscal_year_label(year)}に実施されていません。"},
            code="target_not_running",
        )
    project = Project.objects.select_for_update().get(pk=project.pk)
    _end(project, year=year, status=ProjectStatus.MERGED, reason=reason, by=by, merged_into=into)
    summary = f"事業「{project}」を「{into}」に統合"
    return revision_file(
        project.plan, RevisionKind.PROJECT_MERGED, year=year, reason=reason, summary=summary, by=by
    )


@transaction.atomic
def project_move(project: Project, *, department: Department, year: int, reason: str, by) -> PlanRevision:
    """Give a project to another department from `year`; earlier years stay with the old one."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    revision_check(project.plan, year, reason)
    current = project.assignments.filter(role=AssignmentRole.PRIMARY, end_year__isnull=True).first()
    if current and current.department_id == department.pk:
        raise ValidationError({"department": "現在と同じ所管課です。"}, code="same_department")
    if current and current.start_year >= year:
        raise ValidationError(
            {
                "year": f"現在の所管課は{fiscal_year_label(current.start_year)}からの担当です。それより後の年度を選んでください。"
            },
            code="before_current",
        )
    if current:
        current.end_year = year - 1
        revision_save(current, by=by, reason=f"所管課の変更: {reason}")
    revision_save(
        ProjectAssignment(project=project, department=department, start_year=year),
        by=by,
        reason=f"所管課の変更: {reason}",
    )
    before = current.department.name if current else "（なし）"
    summary = f"事業「{project}」の所管課を{before}から{department.name}に変更"
    return revision_file(
        project.plan, RevisionKind.PROJECT_MOVED, year=year, reason=reason, summary=summary, by=by
    )


def _plan_of(obj):
    return obj.plan if isinstance(obj, Project) else obj.project.plan


@transaction.atomic
def catalogue_save(obj: Project | ActionGoal | OutcomeIndicator, *, by, reason: str) -> None:
    """Save a row of the project catalogue changed outside a revision (a project's name, summary or
    initiative, an action goal, an indicator, or anything before the plan begins): cleaned, with
    who and why in its history. Once the plan has begun, a change to what only a revision may
    change (`REVISED_FIELDS`) is refused, naming the field. Used by the master-data import; a new
    project is added by `project_add` instead.
    """
    if obj.pk and _plan_of(obj).has_started:
        stored = type(obj).objects.get(pk=obj.pk)
        attnames = {name: obj._meta.get_field(name).attname for name in REVISED_FIELDS[type(obj)]}
        changed = [
            name for name, attname in attnames.items() if getattr(obj, attname) != getattr(stored, attname)
        ]
        if changed:
            raise ValidationError({name: REVISION_ONLY for name in changed}, code="revision_only")
    revision_save(obj, by=by, reason=reason)


@transaction.atomic
def indicator_targets_set(
    indicator: OutcomeIndicator, targets: dict[int, Decimal | None], *, by, reason: str, new: bool = False
) -> bool:
    """Make an outcome indicator's stated yearly targets those of `targets` (a year mapped to None has
    no stated target: it follows the line between baseline and final target). Years not in `targets`
    are left alone. Returns whether anything changed. Once the plan has begun, the targets of an
    indicator that existed change only by 「目標値を再設定する」, so a change is refused
    (ValidationError on `targets`); a `new` indicator gets its targets as on the admin's add page.
    """
    stored = {target.fiscal_year: target for target in indicator.targets.all()}
    changes = {
        year: value
        for year, value in targets.items()
        if (stored[year].value if year in stored else None) != value
    }
    if not changes:
        return False
    if indicator.plan.has_started and not new:
        raise ValidationError({"targets": REVISION_ONLY}, code="revision_only")
    for year, value in sorted(changes.items()):
        if value is None:
            target = stored[year]
            target._history_user, target._change_reason = by, reason
            target.delete()
        else:
            target = stored.get(year) or OutcomeIndicatorTarget(indicator=indicator, fiscal_year=year)
            target.value = value
            revision_save(target, by=by, reason=reason)
    return True
