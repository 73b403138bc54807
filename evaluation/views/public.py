"""Public pages: the plan and its approved progress, for citizens."""

from django.shortcuts import render

from measures.selectors import goals_with_measures, plan_current


def home(request):
    plan = plan_current()
    goals = goals_with_measures(plan) if plan else []
    return render(request, "public/home.html", {"plan": plan, "goals": goals})
