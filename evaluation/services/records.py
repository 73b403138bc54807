"""A project record's workflow: save, submit, return, approve, reopen."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.fiscal import fiscal_year_label
from evaluation.enums import CycleStatus, RecordStatus
from evaluation.models import (
    FiscalYear,
    Grade,
    ProjectRecord,
)
from evaluation.rollups.year import record_proposed_grade
from evaluation.services.common import require_dx_office, save_with_history


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


def record_save(record: ProjectRecord, *, by, reason: str = "入力内容を保存") -> None:
    """Save what staff or the DX office typed into a record; a first save moves it to 入力中.

    The caller has checked the version (`version_check`) and the user's right to edit.
    """
    if record.status == RecordStatus.NOT_STARTED:
        record.status = RecordStatus.DRAFT
    record.version += 1
    save_with_history(record, by=by, reason=reason)


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
    save_with_history(record, by=by, reason="再提出" if resubmission else "提出")
    return record


@transaction.atomic
def record_return(record: ProjectRecord, *, by, comment: str) -> ProjectRecord:
    """Return a submitted record to its department with the reviewer's comment. DX office only."""
    require_dx_office(by)
    record = _locked_record(record)
    _require_status(record, RecordStatus.awaiting_review(), "差戻し")
    if not comment.strip():
        raise ValidationError(
            {"comment": "差し戻す理由を入力してください。所管課に表示されます。"}, code="required"
        )
    record.status, record.review_comment = RecordStatus.RETURNED, comment
    record.version += 1
    save_with_history(record, by=by, reason=f"差戻し: {comment}")
    return record


@transaction.atomic
def record_approve(
    record: ProjectRecord, *, by, final_grade: Grade | None = None, reason: str = ""
) -> ProjectRecord:
    """Approve a submitted record; the final grade is the self-evaluation unless a reason says otherwise.

    DX office only. Two concurrent approvals leave one: the second finds the record approved.
    """
    require_dx_office(by)
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
    save_with_history(record, by=by, reason="承認")
    return record


@transaction.atomic
def record_reopen(record: ProjectRecord, *, by, reason: str) -> ProjectRecord:
    """Reopen one approved record of a locked year for a late correction, with the reason. DX office only.

    The record goes back to its department as 差戻し; the year stays locked and its snapshot keeps
    what was reported.
    """
    require_dx_office(by)
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
    save_with_history(record, by=by, reason=f"確定後の訂正のため再開: {reason}")
    return record
