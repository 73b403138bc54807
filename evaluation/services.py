"""Writes of the evaluation app: one function for each change of state.

Every transition here is atomic, locks the rows it changes, records who did it (simple-history's
`_history_user`) and why (`_change_reason`), and is the only path for its change: the admin, its
actions, the spreadsheet import and the commands all call it. Each raises `ValidationError` with a
message for the user, changing nothing, when the change is not allowed. The few helpers that are
not atomic (`version_check`, `record_save`) say so and are called inside their caller's transaction.
"""

import datetime

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.fiscal import fiscal_year_label
from core.roles import DEMO, DEPARTMENT_STAFF, DX_OFFICE, VIEWER, role_permissions
from evaluation.enums import CycleStatus, RecordStatus
from evaluation.models import (
    ActionResult,
    FiscalYear,
    Grade,
    IndicatorResult,
    MeasureEvaluation,
    ProjectRecord,
)
from evaluation.rollups.snapshots import snapshot_take
from evaluation.rollups.year import measure_proposed_grade, record_proposed_grade
from projects.models import Project
from projects.scoping import is_dx_office
from strategy.models import Plan


@transaction.atomic
def reference_data_load() -> None:
    """Load the plans, goals, measures, initiatives and grade scale, then the fiscal years and roles.

    Idempotent: fixtures are keyed on natural keys, so a second run updates rows in place, and
    fiscal years keep whatever state the DX office has put them in.
    """
    call_command("loaddata", "plan", verbosity=0)
    for plan in Plan.objects.all():
        for year in plan.years:
            FiscalYear.objects.get_or_create(plan=plan, year=year)
    roles_sync()


def roles_sync() -> None:
    """Create the role groups and give each exactly its permissions."""
    models_by_app = {
        config.label: [model._meta.model_name for model in config.get_models()]
        for config in apps.get_app_configs()
    }
    for role in (DEPARTMENT_STAFF, DX_OFFICE, VIEWER):
        group, _ = Group.objects.get_or_create(name=role)
        wanted = role_permissions(role, models_by_app)
        permissions = [
            permission
            for permission in Permission.objects.select_related("content_type")
            if (permission.content_type.app_label, permission.codename) in wanted
        ]
        group.permissions.set(permissions)
    Group.objects.get_or_create(name=DEMO)


def _require_dx_office(user) -> None:
    if not is_dx_office(user):
        raise PermissionDenied("この操作はDX推進課だけが行えます。")


def _save(obj, *, by, reason: str, update_fields=None) -> None:
    """Save with the acting user and the reason in the object's history."""
    obj._history_user = by
    obj._change_reason = reason
    obj.save(update_fields=update_fields)


# --- Fiscal years ---------------------------------------------------------------------------------


def _locked_fiscal_year(fiscal_year: FiscalYear) -> FiscalYear:
    return FiscalYear.objects.select_for_update().select_related("plan").get(pk=fiscal_year.pk)


def _require_cycle(fiscal_year: FiscalYear, expected: str, action: str) -> None:
    if fiscal_year.status != expected:
        raise ValidationError(
            "%(year)sは「%(status)s」のため%(action)sできません。",
            code="wrong_cycle_status",
            params={
                "year": fiscal_year_label(fiscal_year.year),
                "status": fiscal_year.get_status_display(),
                "action": action,
            },
        )


@transaction.atomic
def fiscal_year_open(fiscal_year: FiscalYear, *, deadline: datetime.date, by) -> int:
    """Open a fiscal year for entry with a deadline; returns how many project records were prepared.

    Every project running that year gets a record (未着手) with one empty row per action goal of the
    year and per outcome indicator, so staff find everything to fill on one page. DX office only.
    """
    _require_dx_office(by)
    fiscal_year = _locked_fiscal_year(fiscal_year)
    _require_cycle(fiscal_year, CycleStatus.PLANNED, "入力受付を開始")
    if deadline is None:
        raise ValidationError({"deadline": "提出期限を入力してください。"}, code="required")
    fiscal_year.status, fiscal_year.deadline = CycleStatus.OPEN, deadline
    _save(fiscal_year, by=by, reason="入力受付を開始")
    projects = Project.objects.filter(plan=fiscal_year.plan).for_year(fiscal_year.year)
    return records_prepare(projects, fiscal_year.year, by=by)


@transaction.atomic
def records_prepare(projects, year: int, *, by) -> int:
    """Create the missing records and result rows of `projects` for `year` (bulk, with history).

    DX office only; idempotent, so it also prepares projects added to a year already open.
    """
    _require_dx_office(by)
    projects = list(projects.prefetch_related("action_goals", "indicators"))
    existing = set(
        ProjectRecord.objects.filter(project__in=projects, fiscal_year=year).values_list("project", flat=True)
    )
    new_records = [ProjectRecord(project=p, fiscal_year=year) for p in projects if p.pk not in existing]
    bulk_create_with_history(
        new_records, ProjectRecord, default_user=by, default_change_reason="年度の評価を準備"
    )
    records = ProjectRecord.objects.filter(project__in=projects, fiscal_year=year).prefetch_related(
        "action_results", "indicator_results"
    )
    action_rows, indicator_rows = [], []
    by_project = {p.pk: p for p in projects}
    for record in records:
        project = by_project[record.project_id]
        have_goals = {r.action_goal_id for r in record.action_results.all()}
        have_indicators = {r.indicator_id for r in record.indicator_results.all()}
        action_rows += [
            ActionResult(record=record, action_goal=goal)
            for goal in project.action_goals.all()
            if goal.fiscal_year == year and goal.pk not in have_goals
        ]
        indicator_rows += [
            IndicatorResult(record=record, indicator=indicator)
            for indicator in project.indicators.all()
            if indicator.pk not in have_indicators
        ]
    bulk_create_with_history(
        action_rows, ActionResult, default_user=by, default_change_reason="年度の評価を準備"
    )
    bulk_create_with_history(
        indicator_rows, IndicatorResult, default_user=by, default_change_reason="年度の評価を準備"
    )
    return len(new_records)


@transaction.atomic
def fiscal_year_close(fiscal_year: FiscalYear, *, by) -> None:
    """End entry and start the review (入力受付中 → 審査中). Returned records stay editable. DX office only."""
    _require_dx_office(by)
    fiscal_year = _locked_fiscal_year(fiscal_year)
    _require_cycle(fiscal_year, CycleStatus.OPEN, "審査を開始")
    fiscal_year.status = CycleStatus.REVIEW
    _save(fiscal_year, by=by, reason="入力受付を終了し審査を開始")


@transaction.atomic
def fiscal_year_lock(fiscal_year: FiscalYear, *, by):
    """Lock a reviewed year once every record is approved, and freeze its figures as reported.

    Returns the snapshot. After this the year is read-only for everyone; a late correction goes
    through `record_reopen`. DX office only.
    """
    _require_dx_office(by)
    fiscal_year = _locked_fiscal_year(fiscal_year)
    _require_cycle(fiscal_year, CycleStatus.REVIEW, "確定")
    pending = ProjectRecord.objects.filter(
        project__plan=fiscal_year.plan, fiscal_year=fiscal_year.year
    ).exclude(status=RecordStatus.APPROVED)
    if pending.exists():
        raise ValidationError(
            "承認されていない事業が%(count)s件あるため確定できません。すべて承認してから確定してください。",
            code="records_pending",
            params={"count": pending.count()},
        )
    fiscal_year.status = CycleStatus.LOCKED
    _save(fiscal_year, by=by, reason="年度を確定（報告済み）")
    return snapshot_take(plan=fiscal_year.plan, fiscal_year=fiscal_year.year, by=by)


# --- Project records ------------------------------------------------------------------------------


def _locked_record(record: ProjectRecord) -> ProjectRecord:
    return (
        ProjectRecord.objects.select_for_update(of=("self",))
        .select_related("project__plan")
        .get(pk=record.pk)
    )


def _cycle_of(record: ProjectRecord) -> FiscalYear:
    return FiscalYear.objects.get(plan_id=record.project.plan_id, year=record.fiscal_year)


def _require_status(record: ProjectRecord, allowed: list[str], action: str) -> None:
    if record.status not in allowed:
        labels = "・".join(str(RecordStatus(s).label) for s in allowed)
        raise ValidationError(
            "%(action)sできるのは「%(allowed)s」の評価だけです（現在は「%(status)s」）。",
            code="wrong_record_status",
            params={"action": action, "allowed": labels, "status": record.get_status_display()},
        )


def version_check(
    obj, expected_version: int | None, *, seen: str = "画面を開いた", redo: str = "画面を開き直して"
) -> None:
    """Refuse a save based on an older version of a record or evaluation, naming who changed it since.

    `seen` and `redo` say how the user got the old version (a page, a downloaded sheet). Call inside
    a transaction: the row stays locked until it ends, so two saves cannot both pass.
    """
    current = type(obj).objects.select_for_update().get(pk=obj.pk)
    if current.version == expected_version:
        return
    latest = current.history.select_related("history_user").first()
    user = latest.history_user if latest else None
    who = (user.get_full_name() or user.username) if user else "他の利用者"
    when = timezone.localtime(latest.history_date).strftime("%Y-%m-%d %H:%M") if latest else ""
    raise ValidationError(
        "この%(what)sは、あなたが%(seen)s後に%(who)sさんが更新しました（%(when)s）。"
        "入力内容は保存していません。%(redo)s最新の内容を確認してから、もう一度入力してください。",
        code="stale_version",
        params={"what": type(obj)._meta.verbose_name, "who": who, "when": when, "seen": seen, "redo": redo},
    )


def record_save(record: ProjectRecord, *, by, reason: str = "入力内容を保存") -> None:
    """Save what staff or the DX office typed into a record; a first save moves it to 入力中.

    The caller has checked the version (`version_check`) and the user's right to edit.
    """
    if record.status == RecordStatus.NOT_STARTED:
        record.status = RecordStatus.DRAFT
    record.version += 1
    _save(record, by=by, reason=reason)


@transaction.atomic
def record_submit(record: ProjectRecord, *, by) -> ProjectRecord:
    """Submit a complete record for review (入力中・差戻し → 提出済み・再提出); lists what is missing."""
    record = _locked_record(record)
    _require_status(record, RecordStatus.with_department(), "提出")
    if not record.is_open_to_department(_cycle_of(record).status):
        raise ValidationError(
            "%(year)sの入力受付は終了しているため提出できません。",
            code="cycle_closed",
            params={"year": fiscal_year_label(record.fiscal_year)},
        )
    missing = record.missing_items()
    if missing:
        raise ValidationError(
            "未入力の項目があるため提出できません。次の項目を入力してください: %(items)s",
            code="incomplete",
            params={"items": "、".join(missing)},
        )
    resubmission = record.status == RecordStatus.RETURNED
    record.status = RecordStatus.RESUBMITTED if resubmission else RecordStatus.SUBMITTED
    record.proposed_grade = record_proposed_grade(record)
    record.submitted_at, record.submitted_by = timezone.now(), by
    record.version += 1
    _save(record, by=by, reason="再提出" if resubmission else "提出")
    return record


@transaction.atomic
def record_return(record: ProjectRecord, *, by, comment: str) -> ProjectRecord:
    """Return a submitted record to its department with the reviewer's comment. DX office only."""
    _require_dx_office(by)
    record = _locked_record(record)
    _require_status(record, RecordStatus.awaiting_review(), "差戻し")
    if not comment.strip():
        raise ValidationError(
            {"comment": "差し戻す理由を入力してください。所管課に表示されます。"}, code="required"
        )
    record.status, record.review_comment = RecordStatus.RETURNED, comment
    record.version += 1
    _save(record, by=by, reason=f"差戻し: {comment}")
    return record


@transaction.atomic
def record_approve(
    record: ProjectRecord, *, by, final_grade: Grade | None = None, reason: str = ""
) -> ProjectRecord:
    """Approve a submitted record; the final grade is the self-evaluation unless a reason says otherwise.

    DX office only. Two concurrent approvals leave one: the second finds the record approved.
    """
    _require_dx_office(by)
    record = _locked_record(record)
    _require_status(record, RecordStatus.awaiting_review(), "承認")
    final_grade = final_grade or record.self_grade
    if final_grade != record.self_grade and not reason.strip():
        raise ValidationError(
            {"reason": "自己評価と異なる最終評価にするときは、その理由を入力してください。"},
            code="reason_required",
        )
    record.status, record.final_grade = RecordStatus.APPROVED, final_grade
    record.final_grade_reason = reason
    record.approved_at, record.approved_by, record.reopened = timezone.now(), by, False
    record.version += 1
    _save(record, by=by, reason="承認")
    return record


@transaction.atomic
def record_reopen(record: ProjectRecord, *, by, reason: str) -> ProjectRecord:
    """Reopen one approved record of a locked year for a late correction, with the reason. DX office only.

    The record goes back to its department as 差戻し; the year stays locked and its snapshot keeps
    what was reported.
    """
    _require_dx_office(by)
    record = _locked_record(record)
    if _cycle_of(record).status != CycleStatus.LOCKED:
        raise ValidationError(
            "確定した年度の評価だけが再開の対象です。確定前は差戻しを使ってください。", code="not_locked"
        )
    _require_status(record, [RecordStatus.APPROVED], "訂正のための再開")
    if not reason.strip():
        raise ValidationError({"reason": "訂正のために再開する理由を入力してください。"}, code="required")
    record.status, record.reopened, record.review_comment = RecordStatus.RETURNED, True, reason
    record.version += 1
    _save(record, by=by, reason=f"確定後の訂正のため再開: {reason}")
    return record


def grade_reason_check(chosen: Grade | None, proposed: Grade | None, reason: str, *, field: str) -> None:
    """A grade other than the computed proposal is allowed only with a written reason."""
    if chosen and proposed and chosen != proposed and not (reason or "").strip():
        raise ValidationError(
            {field: "評価案（%(proposal)s）と異なる評価を選ぶときは、その理由を入力してください。"},
            code="reason_required",
            params={"proposal": proposed.display},
        )


# --- Measure evaluations --------------------------------------------------------------------------


def measure_evaluate(evaluation: MeasureEvaluation, *, by) -> MeasureEvaluation:
    """Save the DX office's evaluation of a measure, next to the grade the figures propose.

    A grade other than the proposal needs a written reason; both are kept. The caller has checked
    the version (`version_check`). DX office only; a locked year is refused.
    """
    _require_dx_office(by)
    cycle = FiscalYear.objects.get(plan_id=evaluation.measure.plan_id, year=evaluation.fiscal_year)
    if cycle.status == CycleStatus.LOCKED:
        raise ValidationError("%(year)sは確定しているため変更できません。", code="locked",
                              params={"year": fiscal_year_label(evaluation.fiscal_year)})  # fmt: skip
    evaluation.proposed_grade = measure_proposed_grade(evaluation)
    grade_reason_check(
        evaluation.grade, evaluation.proposed_grade, evaluation.grade_reason, field="grade_reason"
    )
    evaluation.evaluated_by = by
    evaluation.version += 1
    _save(evaluation, by=by, reason="施策の評価を保存")
    return evaluation
