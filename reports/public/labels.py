"""Words of the public pages that follow the visitor's language (Japanese, or English when switched).

The enums' own labels are Japanese only, for staff pages and for the open-data files; the public pages
show the same words through these translatable copies. `tests/reports/test_public.py` checks that in
Japanese each copy reads exactly as its enum's label, so the two cannot drift apart.
"""

import datetime

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.fiscal import fiscal_year_label, fiscal_year_short, wareki_date
from evaluation.enums import ActualStatus
from measures.enums import Direction, IndicatorKind, MeasureLineage
from projects.enums import ProjectStatus
from strategy.models import PlanStatus

DIRECTIONS = {
    Direction.INCREASE: _("増加を目指す"),
    Direction.DECREASE: _("減少を目指す"),
    Direction.MAINTAIN: _("維持を目指す"),
    Direction.ACHIEVE: _("実施・達成を目指す"),
}
KINDS = {
    IndicatorKind.PER_YEAR: _("単年度（人/年・件/年）"),
    IndicatorKind.CUMULATIVE: _("累計"),
    IndicatorKind.RATE: _("割合（％）"),
    IndicatorKind.STOCK: _("年度末現在"),
    IndicatorKind.MILESTONE: _("実施・未実施"),
    IndicatorKind.QUALITATIVE: _("定性"),
}
ACTUAL_STATUSES = {
    ActualStatus.NOT_ENTERED: _("未入力"),
    ActualStatus.CONFIRMED: _("確定値"),
    ActualStatus.PROVISIONAL: _("速報値"),
    ActualStatus.TALLYING: _("集計中"),
    ActualStatus.NOT_SURVEYED: _("調査未実施"),
}
LINEAGES = {
    MeasureLineage.CONTINUED: _("継続"),
    MeasureLineage.REVISED: _("見直し"),
    MeasureLineage.NEW: _("新規"),
}
PLAN_STATUSES = {
    PlanStatus.DRAFT: _("策定中"),
    PlanStatus.ACTIVE: _("推進中"),
    PlanStatus.COMPLETED: _("計画期間終了"),
    PlanStatus.ENDED_EARLY: _("途中終了"),
}
PROJECT_STATUSES = {
    ProjectStatus.RUNNING: _("実施中"),
    ProjectStatus.COMPLETED: _("完了"),
    ProjectStatus.SUSPENDED: _("休止"),
    ProjectStatus.ABOLISHED: _("廃止"),
    ProjectStatus.MERGED: _("統合"),
}


def english() -> bool:
    return (get_language() or "").startswith("en")


def year_text(year: int) -> str:
    """令和6年度（2024年度）, or FY2024 in English; a year before the eras we know (a baseline of
    the 1980s) as 1985年度."""
    if english():
        return f"FY{year}"
    try:
        return fiscal_year_label(year)
    except ValueError:
        return f"{year}年度"


def year_brief(year: int) -> str:
    """R6 for dense tables and chart axes, or FY2024 in English (1985年度 before the eras we know)."""
    if english():
        return f"FY{year}"
    try:
        return fiscal_year_short(year)
    except ValueError:
        return f"{year}年度"


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")  # fmt: skip


def date_text(day: datetime.date) -> str:
    """令和7年(2025年)8月31日, or 31 August 2025 in English (whatever the server's locale)."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}" if english() else wareki_date(day)
