"""Public pages for citizens, no login: the plan, its published progress, and the open data.

Only published figures appear: a locked fiscal year as its latest snapshot holds it (see
`reports.public.published`). Views read the selectors, hand the pure builders' output to the templates
and compute no figure. The pages are in Japanese, or in English when the visitor switches.
"""

import hashlib
from dataclasses import dataclass

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext

from core.fiscal import fiscal_year_of
from measures.models import Measure, MeasureIndicator
from measures.selectors import goals_with_measures, plan_current
from reports.public import charts, exports, opendata
from reports.public.labels import year_text
from reports.public.published import PublishedYear, SeriesYear, goal_summaries, indicator_series
from reports.public.selectors import (
    catalogue_projects,
    measure_public,
    measures_correspondence,
    plan_structure,
    published_dates,
    published_years,
    structure_changed_on,
)
from strategy.models import Plan


def _plan() -> Plan:
    plan = plan_current()
    if plan is None:
        raise Http404
    return plan


def home(request):
    plan = plan_current()
    goals = goals_with_measures(plan) if plan else []
    return render(request, "reports/public/home.html", {"plan": plan, "goals": goals})


def plan(request):
    """The plan: its standing (位置付け), aim, stance, goals, measures and initiatives, the published
    years, and its predecessor with the correspondence of the two plans' measures."""
    plan = _plan()
    return render(
        request,
        "reports/public/plan.html",
        {
            "plan": plan,
            "predecessor": plan.predecessor,
            "goals": goals_with_measures(plan),
            "correspondence": measures_correspondence(plan),
            "published": published_dates(plan),
        },
    )


@dataclass(frozen=True)
class IndicatorPanel:
    """A target indicator of the measure page: its definition, its years, and its chart."""

    indicator: MeasureIndicator
    series: list[SeriesYear]
    chart: dict
    chart_id: str


def _panel(plan: Plan, measure: Measure, indicator: MeasureIndicator, years: list[PublishedYear]):
    series = indicator_series(indicator.spec(), plan.years, years, measure.code, indicator.code)
    chart = charts.indicator_chart(
        series,
        baseline=indicator.baseline_value,
        baseline_year=indicator.baseline_year,
        unit=indicator.unit,
        title=gettext("%(name)sの推移") % {"name": indicator.name},
    )
    return IndicatorPanel(indicator, series, chart, f"chart-indicator-{indicator.pk}")


def measure(request, code: str):
    """A measure: its target indicators (baseline, year targets, published actuals; a chart and a table),
    the DX office's published evaluations, and its projects' published grades and main results of one
    published year (the latest, or `?year=`): a city's measure has hundreds of projects a year."""
    plan = _plan()
    measure = measure_public(plan, code)
    if measure is None:
        raise Http404
    years = published_years(plan)
    shown = _year_shown(request, years)
    return render(
        request,
        "reports/public/measure.html",
        {
            "plan": plan,
            "measure": measure,
            "panels": [_panel(plan, measure, indicator, years) for indicator in measure.indicators.all()],
            "evaluations": [(year, year.measure(code)) for year in years],
            "years": years,
            "shown": shown,
            "projects": shown.projects_of(code) if shown else [],
            "sample": any(year.sample for year in years),
        },
    )


def _year_shown(request, years: list[PublishedYear]) -> PublishedYear | None:
    """The published year whose projects a measure page lists: the one `?year=` names, else the latest."""
    asked = request.GET.get("year")
    if asked is None:
        return years[-1] if years else None
    found = next((year for year in years if str(year.year) == asked), None)
    if found is None:
        raise Http404
    return found


def year(request, year: int):
    """A published fiscal year: the approved projects and the measures' evaluations counted by grade,
    per basic goal and per measure, with the measures' target indicators."""
    plan = _plan()
    if year not in plan.years:
        raise Http404
    found = published_years(plan, year)
    if not found:
        context = {"plan": plan, "year": year, "published": published_dates(plan)}
        return render(request, "reports/public/year_unpublished.html", context, status=404)
    shown = found[0]
    goals = goal_summaries(shown)
    chart = charts.goal_grade_chart(
        [(goal.number, goal.counts) for goal in goals],
        shown.rated,
        title=gettext("基本目標別の事業の評価 %(year)s") % {"year": year_text(year)},
    )
    return render(
        request,
        "reports/public/year.html",
        {
            "plan": plan,
            "shown": shown,
            "project_counts": shown.counts(project.grade for project in shown.projects),
            "measure_counts": shown.counts(measure.grade for measure in shown.measures),
            "goals": goals,
            "chart": chart,
        },
    )


def open_data(request):
    """The datasets: what each holds, its columns, its licence, its update date and its files."""
    plan = _plan()
    published = published_dates(plan)
    updated = {
        "progress": max((day for _, day in published), default=None),
        "structure": structure_changed_on(plan),
    }
    datasets = [(dataset, updated[dataset.slug]) for dataset in opendata.DATASETS]
    return render(
        request,
        "reports/public/open_data.html",
        {"plan": plan, "datasets": datasets, "published": published, "licence_url": opendata.LICENCE_URL},
    )


# The files: {file name: (dataset, format)}.
FILES = {
    f"{dataset.slug}{suffix}": (dataset.slug, form)
    for dataset in opendata.DATASETS
    for suffix, form in ((".csv", "csv"), ("-bom.csv", "bom"), (".json", "json"))
}


def download(request, filename: str):
    """progress.csv, progress-bom.csv (for Japanese Excel), progress.json, and the same for structure.
    A progress file carries an ETag, so a client downloading it again gets 304 until it changes."""
    if filename not in FILES:
        raise Http404
    slug, form = FILES[filename]
    plan = _plan()
    if slug == "structure":
        return _file_response(filename, form, _file_bytes(form, *_structure(plan)))
    body, etag = _progress_file(plan, filename, form)
    response = get_conditional_response(request, etag=etag) or _file_response(filename, form, body)
    response["ETag"] = etag
    return response


def _file_bytes(form: str, columns: list[str], rows: list[dict], about: dict) -> bytes:
    if form == "json":
        return exports.json_bytes(about, columns, rows)
    return exports.csv_bytes(columns, rows, bom=form == "bom")


def _file_response(filename: str, form: str, body: bytes) -> HttpResponse:
    if form == "json":
        return HttpResponse(body, content_type="application/json")
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# This worker's progress files, per (plan id, file name): the plan's name and the published snapshots each
# was written from, its bytes and its ETag. A new snapshot (a year locked, a late correction approved)
# changes the key, and the next download writes the file again.
_progress_files: dict[tuple[int, str], tuple[tuple, bytes, str]] = {}


def _progress_file(plan: Plan, filename: str, form: str) -> tuple[bytes, str]:
    """The progress file's bytes and ETag, written once per set of published snapshots (megabytes for a city)."""
    years = published_years(plan)
    key = (plan.name, tuple(year.snapshot for year in years))
    held = _progress_files.get((plan.pk, filename))
    if held is not None and held[0] == key:
        return held[1], held[2]
    updated = max((year.published_on for year in years), default=None)
    about = opendata.about("progress", updated, sample=any(year.sample for year in years))
    body = _file_bytes(form, opendata.PROGRESS, opendata.progress_rows(plan.name, years), about)
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    _progress_files[(plan.pk, filename)] = (key, body, etag)
    return body, etag


def _structure(plan: Plan):
    changed_on = structure_changed_on(plan)
    # Each project under the department responsible this fiscal year (the plan's last, once it has ended).
    year = min(max(fiscal_year_of(timezone.localdate()), plan.start_year), plan.end_year)
    rows = opendata.structure_rows(
        plan.name, plan_structure(plan), catalogue_projects(plan, year), changed_on
    )
    return opendata.STRUCTURE, rows, opendata.about("structure", changed_on, sample=False)
