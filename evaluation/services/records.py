"""A project record's workflow: save, submit, return, approve, reopen."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.db import rows_update_with_history
from core.fiscal import fiscal_year_label
from core.validators import line_breaks_normalised, validate_clean_text
from evaluation.enums import CycleStatus, RecordStatus
from evaluation.models import ActionResult, FiscalYear, Grade, IndicatorResult, ProjectRecord
from evaluation.rollups.snapshots import snapshot_take
from evaluation.rollups.year import record_proposed_grade, records_proposed_grades
from evaluation.selectors import record_may_edit, records_editable_by
from evaluation.services.common import require_dx_office, save_with_history, version_check


def _locked_record(record: ProjectRecord) -> ProjectRecord:
    return (
        ProjectRecord.objects.select_for_update(of=("self",))
        .select_related("project__plan", "cycle")
        .get(pk=record.pk)
    )


def _clean_text(text: str, *, field: str) -> str:
    """A comment or reason typed on a review form, cleaned like every other text we store."""
    text = line_breaks_normalised(text or "")
    try:
        validate_clean_text(text)
    except ValidationError as error:
        raise ValidationError({field: error.error_list}) from error
    return text


def _require_status(record: ProjectRecord, allowed: list[str], action: str) -> None:
    if record.status not in allowed:
        labels = "・".join(str(RecordStatus(s).label) for s in allowed)
        raise ValidationError(
            "%(action)sできるのは「%(allowed)s」の評価だけです（現在は「%(status)s」）。",
            code="wrong_record_status",
            params={"action": action, "allowed": labels, "status": record.get_status_display()},
        )


def _refuse_unless_editable(record: ProjectRecord, by, action: str) -> None:
    if not record_may_edit(by, record):
        raise _not_editable(record, action)


def _not_editable(record: ProjectRecord, action: str) -> ValidationError:
    return ValidationError(
        "%(year)sのこの事業は、いま%(action)sできません（入力受付の終了、または担当外の事業です）。",
        code="not_editable",
        params={"year": fiscal_year_label(record.fiscal_year), "action": action},
    )


@dataclass(frozen=True)
class RecordEntry:
    """What a user typed into one record: the record with its typed field values, the version the
    user's page or sheet showed, and the changed action-goal and indicator rows of that record."""

    record: ProjectRecord
    seen_version: int | None
    results: Sequence[ActionResult | IndicatorResult] = ()


def record_entry_save(
    record: ProjectRecord,
    *,
    by,
    seen_version: int | None,
    results: Sequence[ActionResult | IndicatorResult] = (),
    reason: str = "入力内容を保存",
) -> ProjectRecord:
    """Save what a user typed into one record and its result rows (see `records_entry_save`).
    Used by the entry page, `record_entry_submit` and the demo."""
    return records_entry_save([RecordEntry(record, seen_version, results)], by=by, reason=reason)[0]


@transaction.atomic
def records_entry_save(
    entries: Sequence[RecordEntry], *, by, reason: str = "入力内容を保存"
) -> list[ProjectRecord]:
    """Save what a user typed into records and their result rows: the one write path for entry.

    All entries or none: refused, with nothing saved, when a record changed since its entry's
    `seen_version` or when `by` may not edit it now. The records are locked first (in id order, so
    two imports cannot deadlock); each row and record is saved with `by` and `reason` in its history;
    a first save moves a record to 入力中 and every save gives it a new version, so a page or sheet
    opened before cannot overwrite it. A record already submitted or approved (which only the DX
    office may still change) gets its proposed grade computed again, all in one roll-up. A bounded
    number of queries for any number of records (the spreadsheet import saves thousands at once). Used by
    `record_entry_save` and the import.
    """
    records = [entry.record for entry in entries]
    stored = ProjectRecord.objects.select_for_update(of=("self",)).filter(pk__in=[r.pk for r in records])
    stored = {record.pk: record for record in stored.order_by("pk")}
    for entry in entries:
        if entry.record.pk not in stored or stored[entry.record.pk].version != entry.seen_version:
            version_check(entry.record, entry.seen_version)  # raises, naming who changed it
    editable = set(
        records_editable_by(by, ProjectRecord.objects.filter(pk__in=stored)).values_list("pk", flat=True)
    )
    for record in records:
        if record.pk not in editable:
            raise _not_editable(record, "保存")
    rows_by_model: dict[type, list] = {}
    for entry in entries:
        for row in entry.results:
            if row.record_id != entry.record.pk:
                raise ValidationError("別の事業の実績は、この画面からは保存できません。", code="foreign_row")
            # The row's links (its record, goal or indicator) are set by the portal, never typed.
            row.full_clean(exclude=_links(type(row)), validate_unique=False, validate_constraints=False)
            rows_by_model.setdefault(type(row), []).append(row)
    for model, rows in rows_by_model.items():
        rows_update_with_history(rows, _typed_fields(model), by=by, reason=reason)
    typed = {name: True for record in records for name in _changed_fields(record, stored[record.pk])}
    # The DX office corrects records after their submission: the proposals stored then follow the
    # saved rows (they read them, so after they are saved), computed together.
    corrected = [r for r in records if r.status in [*RecordStatus.awaiting_review(), RecordStatus.APPROVED]]
    proposals = records_proposed_grades(corrected) if corrected else {}
    now = timezone.now()
    for record in records:
        if record.status == RecordStatus.NOT_STARTED:
            record.status = RecordStatus.DRAFT
        if record.pk in proposals:
            record.proposed_grade = proposals[record.pk]
        record.version += 1
        record.updated_at = now  # what auto_now does on save(); a bulk update skips it
    fields = list(dict.fromkeys([*typed, "status", "proposed_grade", "version", "updated_at"]))
    rows_update_with_history(records, fields, by=by, reason=reason)
    return records


def _links(model) -> list[str]:
    return [field.name for field in model._meta.concrete_fields if field.is_relation]


def _typed_fields(model) -> list[str]:
    """A result row's own values (its links never change)."""
    return [f.name for f in model._meta.concrete_fields if not (f.primary_key or f.is_relation)]


def _changed_fields(record: ProjectRecord, stored: ProjectRecord) -> list[str]:
    """The fields of `record` a user typed a new value into, against the row as stored."""
    return [
        field.name
        for field in ProjectRecord._meta.concrete_fields
        if not field.primary_key and getattr(record, field.attname) != getattr(stored, field.attname)
    ]


@transaction.atomic
def record_entry_submit(
    record: ProjectRecord,
    *,
    by,
    seen_version: int | None,
    results: Sequence[ActionResult | IndicatorResult] = (),
) -> ValidationError | None:
    """Save what is on the entry form, then submit it, in one transaction; None when submitted.

    When the submission is refused (something is still missing), the save stands as a draft and the
    refusal is returned for the page to show: nothing typed is lost. A refused save raises, as in
    `record_entry_save`, and saves nothing.
    """
    record = record_entry_save(record, by=by, seen_version=seen_version, results=results)
    try:
        with transaction.atomic():  # a savepoint: a refused submission leaves the save in place
            record_submit(record, by=by)
    except ValidationError as refusal:
        return refusal
    return None


@transaction.atomic
def record_submit(record: ProjectRecord, *, by) -> ProjectRecord:
    """Submit a complete record for review (入力中・差戻し → 提出済み・再提出); lists what is missing."""
    record = _locked_record(record)
    _require_status(record, RecordStatus.with_department(), "提出")
    _refuse_unless_editable(record, by, "提出")
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
    comment = _clean_text(comment, field="comment")
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

    DX office only. Two concurrent approvals leave one: the second finds the record approved. In a
    locked year (a late correction, see `record_reopen`) the approval publishes the correction: once
    every record of the year is approved again, the year's figures are frozen anew in a new snapshot.
    """
    require_dx_office(by)
    record = _locked_record(record)
    _require_status(record, RecordStatus.awaiting_review(), "承認")
    final_grade = final_grade or record.self_grade
    reason = _clean_text(reason, field="reason")
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
    if record.cycle.status == CycleStatus.LOCKED:
        _correction_publish(record, by=by)
    return record


def _correction_publish(record: ProjectRecord, *, by) -> None:
    """Take a new snapshot of the record's locked year when no record of it awaits correction any more.

    The year's row is locked first, so of two corrections approved at once the later one sees the
    other approved and publishes both; until the last is approved the public figures stay as reported.
    """
    FiscalYear.objects.select_for_update().get(pk=record.cycle_id)
    if ProjectRecord.objects.filter(cycle_id=record.cycle_id).exclude(status=RecordStatus.APPROVED).exists():
        return
    snapshot_take(plan=record.project.plan, fiscal_year=record.fiscal_year, by=by)


@transaction.atomic
def record_reopen(record: ProjectRecord, *, by, reason: str) -> ProjectRecord:
    """Reopen one approved record of a locked year for a late correction, with the reason. DX office only.

    The record goes back to its department as 差戻し; the year stays locked and its snapshot keeps
    what was reported until the correction is approved (`record_approve`).
    """
    require_dx_office(by)
    record = _locked_record(record)
    if record.cycle.status != CycleStatus.LOCKED:
        raise ValidationError(
            "確定した年度の評価だけが再開の対象です。確定前は差戻しを使ってください。", code="not_locked"
        )
    _require_status(record, [RecordStatus.APPROVED], "訂正のための再開")
    reason = _clean_text(reason, field="reason")
    if not reason.strip():
        raise ValidationError({"reason": "訂正のために再開する理由を入力してください。"}, code="required")
    record.status, record.reopened, record.review_comment = RecordStatus.RETURNED, True, reason
    record.version += 1
    save_with_history(record, by=by, reason=f"確定後の訂正のため再開: {reason}")
    return record
