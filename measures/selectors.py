"""Reads of the plan's structure."""

from django.db.models import Prefetch

from measures.models import Initiative, Measure
from strategy.models import BasicGoal, Plan


def plan_current() -> Plan | None:
    """The plan in force: the newest one that is active, else the newest of all."""
    plans = Plan.objects.order_by("-start_year")
    return plans.filter(status="active").first() or plans.first()


def goals_with_measures(plan: Plan) -> list[BasicGoal]:
    """The plan's goals, each with `.measures.all()` and their `.initiatives.all()` prefetched (3 queries)."""
    measures = Measure.objects.order_by("code").prefetch_related(
        Prefetch("initiatives", queryset=Initiative.objects.order_by("number"))
    )
    return list(plan.goals.order_by("number").prefetch_related(Prefetch("measures", queryset=measures)))
