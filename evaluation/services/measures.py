"""The DX office's evaluation of a measure beside the grade its figures propose."""

from django.core.exceptions import ValidationError
from django.db import transaction

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


def measure_evaluation_check(evaluation: MeasureEvaluation) -> Grade | None:
    """Refuse an evaluation that may not be saved, naming the field; returns the computed proposal.

    The year must be one of the plan's evaluation years and not locked (reported), and a grade other
    than the proposal needs a written reason. The admin form calls it to show the message next to the
    field; `measure_evaluate` calls it again inside its transaction.
    """
    year = fiscal_year_label(evaluation.fiscal_year)
    cycle = FiscalYear.objects.filter(plan_id=evaluation.measure.plan_id, year=evaluation.fiscal_year).first()
    if cycle is None:
        raise ValidationError({"fiscal_year": f"{year}はこの施策の計画の評価年度にありません。"}, code="no_cycle")
    if cycle.status == CycleStatus.LOCKED:
        raise ValidationError(
            {"fiscal_year": f"{year}は確定しているため、施策の評価を追加・変更できません。"}, code="locked"
        )
    proposal = measure_proposed_grade(evaluation)
    grade_reason_check(evaluation.grade, proposal, evaluation.grade_reason, field="grade_reason")
    return proposal


@transaction.atomic
def measure_evaluate(evaluation: MeasureEvaluation, *, by) -> MeasureEvaluation:
    """Save the DX office's evaluation of a measure, next to the grade the figures propose.

    Atomic. A grade other than the proposal needs a written reason; both are kept. The caller has
    checked the version (`version_check`, which locks the row until the transaction ends). DX office
    only; a locked year is refused (`measure_evaluation_check`).
    """
    require_dx_office(by)
    evaluation.proposed_grade = measure_evaluation_check(evaluation)
    evaluation.evaluated_by = by
    evaluation.version += 1
    save_with_history(evaluation, by=by, reason="施策の評価を保存")
    return evaluation
