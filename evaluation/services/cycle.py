"""The fiscal year's cycle: open for entry, prepare records, close, lock."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from core.fiscal import fiscal_year_label
from evaluation.enums import CycleStatus, RecordStatus
from evaluation.models import (
    ActionResult,
    FiscalYear,
    IndicatorResult,
    ProjectRecord,
)
from evaluation.rollups.snapshots import snapshot_take
from evaluation.services.common import require_dx_office, save_with_history
from projects.models import Project


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
    require_dx_office(by)
    fiscal_year = _locked_fiscal_year(fiscal_year)
    _require_cycle(fiscal_year, CycleStatus.PLANNED, "入力受付を開始")
    if deadline is None:
        raise ValidationError({"deadline": "提出期限を入力してください。"}, code="required")
    fiscal_year.status, fiscal_year.deadline = CycleStatus.OPEN, deadline
    save_with_history(fiscal_year, by=by, reason="入力受付を開始")
    projects = Project.objects.filter(plan=fiscal_year.plan).for_year(fiscal_year.year)
    return records_prepare(projects, fiscal_year, by=by)


@transaction.atomic
def records_prepare(projects, fiscal_year: FiscalYear, *, by) -> int:
    """Create the missing records and result rows of `projects` for `fiscal_year` (bulk, with history).

    DX office only; idempotent, so it also prepares projects added to a year already open.
    """
    require_dx_office(by)
    year = fiscal_year.year
    projects = list(projects.prefetch_related("action_goals", "indicators"))
    existing = set(
        ProjectRecord.objects.filter(project__in=projects, cycle=fiscal_year).values_list("project", flat=True)
    )
    new_records = [ProjectRecord(project=p, cycle=fiscal_year, fiscal_year=year) for p in projects if p.pk not in existing]
    bulk_create_with_history(
        new_records, ProjectRecord, default_user=by, default_change_reason="年度の評価を準備"
    )
    records = ProjectRecord.objects.filter(project__in=projects, cycle=fiscal_year).prefetch_related(
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
    require_dx_office(by)
    fiscal_year = _locked_fiscal_year(fiscal_year)
    _require_cycle(fiscal_year, CycleStatus.OPEN, "審査を開始")
    fiscal_year.status = CycleStatus.REVIEW
    save_with_history(fiscal_year, by=by, reason="入力受付を終了し審査を開始")


@transaction.atomic
def fiscal_year_lock(fiscal_year: FiscalYear, *, by):
    """Lock a reviewed year once every record is approved, and freeze its figures as reported.

    Returns the snapshot. After this the year is read-only for everyone; a late correction goes
    through `record_reopen`. DX office only.
    """
    require_dx_office(by)
    fiscal_year = _locked_fiscal_year(fiscal_year)
    _require_cycle(fiscal_year, CycleStatus.REVIEW, "確定")
    pending = ProjectRecord.objects.filter(cycle=fiscal_year).exclude(status=RecordStatus.APPROVED)
    if pending.exists():
        raise ValidationError(
            "承認されていない事業が%(count)s件あるため確定できません。すべて承認してから確定してください。",
            code="records_pending",
            params={"count": pending.count()},
        )
    fiscal_year.status = CycleStatus.LOCKED
    save_with_history(fiscal_year, by=by, reason="年度を確定（報告済み）")
    return snapshot_take(plan=fiscal_year.plan, fiscal_year=fiscal_year.year, by=by)
