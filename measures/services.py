"""Mid-plan revisions (見直し) of targets, and the helpers every revision shares.

Each revision is a DX office service taking the fiscal year it applies from and a reason; each is
atomic, keeps what was there before (earlier years keep reporting against it) and files a
`PlanRevision` that the council report lists. The callers (admin actions) check the permission.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from core.fiscal import fiscal_year_label
from measures.models import IndicatorBase
from strategy.models import Plan, PlanRevision, RevisionKind

# Once the plan has begun these change only through 「目標値を再設定する」, a plan revision.
INDICATOR_REVISED_FIELDS = [
    "direction", "kind", "tolerance", "baseline_value", "baseline_year", "final_target", "final_target_year",
]  # fmt: skip


def revision_save(obj, *, by, reason: str) -> None:
    obj._history_user = by
    obj._change_reason = reason
    obj.full_clean()
    obj.save()


def revision_check(plan: Plan, year: int, reason: str) -> None:
    if not (reason or "").strip():
        raise ValidationError(
            {"reason": "見直しの理由を入力してください。議会報告に載ります。"}, code="required"
        )
    plan.validate_year(year, field="year")


def revision_file(plan: Plan, kind: str, *, year: int, reason: str, summary: str, by) -> PlanRevision:
    revision = PlanRevision(
        plan=plan, kind=kind, effective_year=year, reason=reason, summary=summary, created_by=by
    )
    revision_save(revision, by=by, reason=f"{RevisionKind(kind).label}: {reason}")
    return revision


@transaction.atomic
def indicator_target_reset(
    indicator: IndicatorBase, *, year: int, final_target: Decimal, reason: str, by
) -> PlanRevision:
    """Re-set an indicator's final target from fiscal `year` on.

    Years before `year` keep the target they were evaluated against: an interpolated one is first
    written down as a stated target, so the new final target cannot move it. Stated targets from
    `year` on are dropped and follow the new line.
    """
    plan = indicator.plan
    revision_check(plan, year, reason)
    old_final = indicator.final_target
    for earlier in range(plan.start_year, year):
        target = indicator.target_for(earlier)
        if target.value is not None and target.interpolated:
            indicator.targets.create(fiscal_year=earlier, value=target.value)
    indicator.targets.filter(fiscal_year__gte=year).delete()
    indicator.final_target = final_target
    revision_save(indicator, by=by, reason=f"目標値の再設定: {reason}")
    summary = f"{indicator}: 最終目標値 {old_final} → {final_target}（{fiscal_year_label(year)}から）"
    return revision_file(plan, RevisionKind.TARGET_RESET, year=year, reason=reason, summary=summary, by=by)
