"""The DX office's dashboards. Viewers see the same; department staff see their own projects only.

Each view reads the selectors, hands chart figures to the template (drawn by static/js/charts.js from
`json_script`) and never computes a figure. Filters live in the address, so a view can be bookmarked.
"""

import datetime

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from core.fiscal import fiscal_year_label
from evaluation.enums import RecordStatus
from projects.scoping import is_dx_office
from reports.dashboard import charts
from reports.dashboard.forms import DashboardFilterForm
from reports.dashboard.selectors import (
    Filters,
    dashboard_measure,
    dashboard_overview,
    dashboard_quality,
    dashboard_risks,
    dashboard_rollups,
    dashboard_scope,
    dashboard_submission,
    year_latest_with_data,
)

PAGES = [
    ("dashboard:overview", "概要"),
    ("dashboard:submissions", "提出状況"),
    ("dashboard:risks", "リスク"),
    ("dashboard:quality", "データ品質"),
]


def _render(request, template: str, title: str, **context):
    return render(
        request,
        template,
        {**admin.site.each_context(request), "title": title, "pages": PAGES, **context},
    )


def _filters(request, scope, rollups, *, fields=("year", "goal", "measure", "department")):
    """The filter form, the chosen year (default: the newest with figures) and the other filters."""
    default = year_latest_with_data(rollups)
    shown = rollups[default]
    form = DashboardFilterForm(
        request.GET or None,
        years=list(rollups),
        goals=shown.goals,
        measures=shown.measures,
        departments=scope.departments(),
        fields=fields,
    )
    year = form.value("year", default)
    filters = Filters(
        goal=form.value("goal"), measure=form.value("measure"), department=form.value("department")
    )
    return form, year, filters


def _empty(request, title):
    return _render(request, "reports/dashboard/empty.html", title)


@login_required
def overview(request):
    """Per goal and measure the year's figures, the grade distribution and the grades over the years."""
    scope = dashboard_scope(request.user)
    if scope is None or not scope.years:
        return _empty(request, "ダッシュボード")
    form, year, filters = _filters(request, scope, scope.rollups)
    data = dashboard_overview(scope, scope.rollups, year, filters)
    rated = data.rollup.scale.rated
    labels = {grade.code: grade.display for grade in data.rollup.scale.grades}
    heat_codes = [grade.code for grade in data.rollup.scale.grades]
    heat_by = "施策" if data.heat_rows and data.heat_rows[0].level == "measure" else "事業"
    figures = {
        "grades": charts.grade_bars(
            [(f"基本目標{row.figure.code}", row.counts.tally.counts) for row in data.goals],
            rated,
            labels,
            title=charts.year_title("基本目標別の事業の評価", year),
        ),
        "rates": charts.rate_bars(
            _rate_groups(data.goals),
            graded_by=data.rollup.graded_by,
            title=charts.year_title("基本目標・施策ごとの進捗率と達成率", year),
        ),
        "heatmap": charts.grade_heatmap(
            data.heat_rows, data.years, heat_codes, title=f"{heat_by}の評価の推移（年度別）"
        ),
    }
    return _render(
        request,
        "reports/dashboard/overview.html",
        f"ダッシュボード {fiscal_year_label(year)}",
        form=form,
        data=data,
        scope=scope,
        figures=figures,
        heat_by=heat_by,
        rated=rated,
        dx_office=is_dx_office(request.user),
    )


def _rate_groups(goals) -> list[tuple]:
    """(「基本目標1」 or 「施策1-1」, mean 進捗率, mean 達成率) for each goal row and its measures, in table order."""
    groups = []
    for row in goals:
        groups.append((f"基本目標{row.figure.code}", row.figure.progress.value, row.figure.attainment.value))
        groups += [(f"施策{m.code}", m.progress.value, m.attainment.value) for m in row.measures]
    return groups


# A measure holds some 250 projects at a city's scale: its table is read a page at a time.
PROJECTS_PER_PAGE = 50


@login_required
def measure(request, code: str):
    """A measure's 施策目標値 and its projects' 成果指標 over the years, with the projects' grades."""
    scope = dashboard_scope(request.user)
    if scope is None or not scope.years:
        raise Http404
    form, year, _ = _filters(request, scope, scope.rollups, fields=("year",))
    # Targets are drawn to the plan's final year: the years not yet opened are read as well.
    rollups = dashboard_rollups(scope, scope.plan.years)
    page = dashboard_measure(scope, rollups, year, code, project_code=request.GET.get("project", ""))
    if page is None:
        raise Http404

    def with_chart(items):
        return [
            (item, charts.indicator_lines(item, title=f"{item.latest.code} {item.latest.name}"))
            for item in items
        ]

    return _render(
        request,
        "reports/dashboard/measure.html",
        f"{page.measure.heading} {fiscal_year_label(year)}",
        form=form,
        page=page,
        scope=scope,
        targets=with_chart(page.targets),
        outcomes=with_chart(page.outcomes),
        project_rows=Paginator(page.projects, PROJECTS_PER_PAGE).get_page(request.GET.get("page")),
        graded_by_label=rollups[year].graded_by_label,
    )


@login_required
def submissions(request):
    """The open year's records per department and state; overdue departments first."""
    today = datetime.date.today()
    status = dashboard_submission(request.user, today=today)
    departments = sorted((row.code, row.department) for row in status.rows if row.code)
    form = DashboardFilterForm(
        request.GET or None, years=[], goals=[], measures=[], departments=departments, fields=("department",)
    )
    if form.value("department"):
        status = dashboard_submission(request.user, department=form.value("department"), today=today)
    year = status.fiscal_year.year if status.fiscal_year else None
    title = f"提出状況 {fiscal_year_label(year)}" if year else "提出状況"
    return _render(
        request,
        "reports/dashboard/submissions.html",
        title,
        form=form,
        status=status,
        statuses=RecordStatus.choices,
    )


def _findings_page(request, *, template: str, heading: str, build, previous: bool = False):
    scope = dashboard_scope(request.user)
    if scope is None or not scope.years:
        return _empty(request, heading)
    # The year asked for (or the newest with figures), and for data quality the year before it.
    form, year, filters = _filters(request, scope, scope.rollups)
    needed = {year: scope.rollups[year]}
    before = year - 1
    if previous and before in scope.years:
        needed[before] = scope.rollups[before]
    findings = build(scope, needed, year, filters)
    return _render(
        request, template, f"{heading} {fiscal_year_label(year)}", form=form, findings=findings, year=year,
        scope=scope,
    )  # fmt: skip


@login_required
def risks(request):
    """Indicators forecast to miss, projects graded below the best grade or returned twice, figures over 150 %."""
    return _findings_page(
        request,
        template="reports/dashboard/risks.html",
        heading="リスク",
        build=lambda scope, rollups, year, filters: dashboard_risks(scope, rollups[year], filters),
    )


@login_required
def quality(request):
    """Missing, provisional, unchanged and inconsistent data of the year."""
    return _findings_page(
        request,
        template="reports/dashboard/quality.html",
        heading="データ品質",
        previous=True,
        build=lambda scope, rollups, year, filters: dashboard_quality(
            scope, rollups[year], rollups.get(year - 1), filters
        ),
    )
