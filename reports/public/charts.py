"""The public pages' charts, as plain dicts for `json_script`; `static/js/charts.js` draws them.

Pure functions of `reports.public.published` output: no ORM, no request. They share the dashboards'
layout and traces (`reports.dashboard.charts`); their words follow the active language, and every
number is also in the table beside the chart.
"""

from decimal import Decimal

from django.utils.translation import gettext

from reports.dashboard.charts import chart_layout, grade_bars, line_trace
from reports.public.labels import year_brief
from reports.public.published import GradeCount, SeriesYear

TARGET = "#7a7a7a"
ACTUAL = "#08306b"


def indicator_chart(
    series: list[SeriesYear], *, baseline: Decimal | None, baseline_year: int | None, unit: str, title: str
) -> dict:
    """A target indicator over the plan: its baseline, the year targets (stated ones filled, interpolated
    ones open) and the actuals of the published years."""
    years = [point.year for point in series]
    if baseline is not None and baseline_year is not None:
        years.append(baseline_year)
    axis = [year_brief(year) for year in range(min(years), max(years) + 1)] if years else []
    data = []
    if baseline is not None and baseline_year is not None:
        data.append(line_trace(gettext("基準値"), [baseline_year], [baseline], mode="markers",
                               marker={"symbol": "square", "size": 11, "color": "#555555"}))  # fmt: skip
    targets = [point for point in series if point.target is not None]
    if targets:
        data.append(line_trace(gettext("目標値"), [p.year for p in targets], [p.target for p in targets],
                               mode="lines+markers", line={"color": TARGET, "width": 2, "dash": "dash"},
                               marker={"symbol": ["diamond-open" if p.interpolated else "diamond" for p in targets],
                                       "size": 11, "color": TARGET}))  # fmt: skip
    actuals = [point for point in series if point.reported is not None and point.reported.actual is not None]
    if actuals:
        values = [point.reported.actual for point in actuals]
        data.append(line_trace(gettext("実績値"), [p.year for p in actuals], values, mode="lines+markers+text",
                               line={"color": ACTUAL, "width": 3}, marker={"symbol": "circle", "size": 9},
                               text=[f"{value.normalize():f}" for value in values],
                               textposition="top center"))  # fmt: skip
    for trace in data:
        trace["x"] = [year_brief(year) for year in trace["x"]]
    value_title = gettext("値（%(unit)s）") % {"unit": unit} if unit else gettext("値")
    return {
        "data": data,
        "layout": chart_layout(
            title,
            height=320,
            xaxis={"type": "category", "categoryorder": "array", "categoryarray": axis,
                   "title": {"text": gettext("年度")}},
            yaxis={"title": {"text": value_title}, "gridcolor": "#dddddd", "rangemode": "tozero"},
            legend={"orientation": "h", "y": -0.3},
        ),
    }  # fmt: skip


def goal_grade_chart(goals: list[tuple[str, list[GradeCount]]], rated: list[str], *, title: str) -> dict:
    """The year's approved projects by grade, one stacked bar per basic goal (the dashboards' chart)."""
    labels = {count.code: count.label for _, counts in goals for count in counts}
    groups = [
        (gettext("基本目標%(number)s") % {"number": number}, {count.code: count.count for count in counts})
        for number, counts in goals
    ]
    return grade_bars(groups, rated, labels, title=title)
