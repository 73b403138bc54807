"""Pages that show how a year's figures were computed, and what changed since the year was reported.

The figures cover every department's projects, so only users who see everything (the DX office,
viewers) may open them; others get 404 and anonymous users the login page.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from evaluation.models import YearSnapshot
from evaluation.rollups.selectors import snapshot_latest
from evaluation.rollups.snapshots import snapshot_diff
from evaluation.rollups.year import rollup_year
from evaluation.selectors import committee_opinions
from projects.scoping import sees_everything
from strategy.models import Plan


def _require_overview(user) -> None:
    if not sees_everything(user):
        raise Http404


@login_required
def explain(request, plan_code: str, year: int, level: str, code: str):
    """How one figure of the year (plan, goal, measure, initiative or project) was computed."""
    _require_overview(request.user)
    plan = get_object_or_404(Plan, code=plan_code)
    if year not in plan.years:
        raise Http404
    rollup = rollup_year(plan=plan, fiscal_year=year)
    figure = rollup.find(level, code)
    if figure is None:
        raise Http404
    snapshot = snapshot_latest(plan=plan, fiscal_year=year)
    context = {
        "plan": plan,
        "year": year,
        "figure": figure,
        "trail": rollup.trail(figure),
        "graded_by_label": rollup.graded_by_label,
        "opinions": committee_opinions(plan=plan, fiscal_year=year, level=level, code=code),
        "snapshot": snapshot,
        "snapshot_taken_at": timezone.localtime(snapshot.taken_at) if snapshot else None,
    }
    return render(request, "evaluation/rollups/explain.html", context)


@login_required
def snapshot_changes(request, pk: int):
    """What differs between a snapshot (the year as reported) and the same year's figures today."""
    _require_overview(request.user)
    snapshot = get_object_or_404(YearSnapshot.objects.select_related("plan", "taken_by"), pk=pk)
    context = {
        "snapshot": snapshot,
        "taken_at": timezone.localtime(snapshot.taken_at),
        "differences": snapshot_diff(snapshot),
    }
    return render(request, "evaluation/rollups/snapshot_diff.html", context)
