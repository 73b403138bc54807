"""The DX office's evaluation of a measure beside the grade its figures propose."""

from django.core.exceptions import ValidationError

from core.fiscal import fiscal_year_label
from evaluation.enums import CycleStatus
from evaluation.models import (
    FiscalYear,
    Grade,
    MeasureEvaluation,
)
from evaluation.rollups.year import measure_proposed_grade
from evaluation.services.common import require_dx_office, save_with_history


def grade_reason_check(chosen: Grade | None, proposed: Grade | None, reason: str, *, field: str) -> None:
    """A grade other than the computed proposal is allowed only with a written reason."""
    if chosen and proposed and chosen != proposed and not (reason or "").strip():
        # The params belong to the field's own error: a dict-ValidationError does not pass them down.
        message = ValidationError(
            "評価案（%(proposal)s）と異なる評価を選ぶときは、その理由を入力してください。",
            code="reason_required",
            params={"proposal": proposed.display},
        )
        raise ValidationError({field: message})


def measure_evaluate(evaluation: MeasureEvaluation, *, by) -> MeasureEvaluation:
    """Save the DX office's evaluation of a measure, next to the grade the figures propose.

    A grade other than the proposal needs a written reason; both are kept. The caller has checked
    the version (`version_check`). DX office only; a locked year is refused.
    """
    require_dx_office(by)
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
    save_with_history(evaluation, by=by, reason="施策の評価を保存")
    return evaluation
