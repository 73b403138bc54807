"""Plotly figures for the dashboards, as plain dicts for `json_script`; `static/js/charts.js` draws them.

Pure functions of the selectors' output: no ORM, no request. Numbers are JSON numbers (rates as
percentages to one decimal, as printed beside the chart). Every chart stays readable in grey scale:
grades are written on the bars and cells, and their colours step clearly in lightness.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext

from core.fiscal import fiscal_year_label, fiscal_year_short
from strategy.achievement import ATTAINMENT, PROGRESS, RATE_LABELS

FONT = {"family": "'Noto Sans CJK JP', 'Noto Sans JP', 'Hiragino Sans', 'Yu Gothic', sans-serif", "size": 13}
# Dark to light in one hue, so A, B and C differ in grey scale too; unrated is pale grey.
GRADE_COLOURS = ["#08306b", "#4a7fb5", "#b9d3ea", "#f2f2f2"]
GRADE_PATTERNS = ["", "/", ".", "x"]
TEXT_ON = {"#08306b": "#ffffff", "#4a7fb5": "#ffffff", "#b9d3ea": "#1a1a1a", "#f2f2f2": "#1a1a1a"}


def grade_style(codes: list[str]) -> dict[str, tuple[str, str]]:
    """{grade code: (colour, bar pattern)} in the scale's order, the unrated grade last."""
    return {
        code: (GRADE_COLOURS[min(i, len(GRADE_COLOURS) - 1)], GRADE_PATTERNS[min(i, len(GRADE_PATTERNS) - 1)])
        for i, code in enumerate(codes)
    }


def chart_layout(title: str, **more) -> dict:
    """The layout every chart shares: its title at the top left, the portal's font, a white ground."""
    return {
        "title": {"text": title, "x": 0, "xanchor": "left"},
        "font": FONT,
        "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        **more,
    }


def grade_bars(
    groups: list[tuple[str, dict[str, int]]], codes: list[str], labels: dict[str, str], *, title: str
) -> dict:
    """Stacked bars: one bar per group (「基本目標1」), one segment per grade with its count written on it.

    The words on the chart follow the active language (the public pages offer English)."""
    style = grade_style(codes)
    # 「A 3件」 on a segment, 「A（予定どおり） 3件」 on hover (plotly fills in %{y}).
    count_text = gettext("%(grade)s %(count)s件")
    data = []
    for code in codes:
        counts = [counts.get(code, 0) for _, counts in groups]
        colour, pattern = style[code]
        hover = count_text % {"grade": labels.get(code, code), "count": "%{y}"}
        data.append(
            {
                "type": "bar",
                "name": labels.get(code, code),
                "x": [name for name, _ in groups],
                "y": counts,
                "text": [count_text % {"grade": code, "count": n} if n else "" for n in counts],
                "textposition": "inside",
                "insidetextanchor": "middle",
                "textfont": {"color": TEXT_ON[colour]},
                "marker": {
                    "color": colour,
                    "line": {"color": "#1a1a1a", "width": 1},
                    # overlay keeps the grade's colour under the pattern, so lightness still tells grades apart
                    "pattern": {"shape": pattern, "bgcolor": colour, "fgcolor": TEXT_ON[colour],
                                "fillmode": "overlay", "solidity": 0.2},
                },
                "hovertemplate": f"%{{x}}<br>{hover}<extra></extra>",
            }
        )  # fmt: skip
    return {
        "data": data,
        "layout": chart_layout(
            title,
            barmode="stack",
            height=360,
            yaxis={"title": {"text": gettext("事業数（件）")}, "rangemode": "tozero", "gridcolor": "#dddddd"},
            legend={"orientation": "h", "y": -0.2},
        ),
    }


# 進捗率 dark and solid, 達成率 light and hatched: the two bars of a pair differ in grey scale too.
RATE_STYLES = {PROGRESS: ("#08306b", "", "#ffffff"), ATTAINMENT: ("#9ecae1", "/", "#1a1a1a")}


def rate_bars(
    groups: list[tuple[str, Decimal | None, Decimal | None]], *, graded_by: str, title: str
) -> dict:
    """Grouped bars: for each goal and measure (「基本目標1」「施策1-1」) its mean 進捗率 and 達成率 in
    percent, each bar labelled with its value; the legend says which of the two grades. A group
    without a figure has no bar; a dashed line marks 100 %."""
    names = [name for name, _, _ in groups]
    data = []
    for position, rate in enumerate((PROGRESS, ATTAINMENT), start=1):
        values = [percent_number(group[position]) for group in groups]
        colour, pattern, text_colour = RATE_STYLES[rate]
        label = RATE_LABELS[rate] + ("（評価に使う率）" if rate == graded_by else "")
        data.append(
            {
                "type": "bar",
                "name": label,
                "x": names,
                "y": values,
                "text": ["" if value is None else f"{value:.1f}%" for value in values],
                "textposition": "outside",
                "textfont": {"size": 11},
                "cliponaxis": False,
                "marker": {"color": colour, "line": {"color": "#1a1a1a", "width": 1},
                           "pattern": {"shape": pattern, "bgcolor": colour, "fgcolor": text_colour,
                                       "fillmode": "overlay", "solidity": 0.2}},
                "hovertemplate": f"%{{x}}<br>{RATE_LABELS[rate]}: %{{y:.1f}}%<extra></extra>",
            }
        )  # fmt: skip
    return {
        "data": data,
        "layout": chart_layout(
            title,
            barmode="group",
            height=380,
            yaxis={"title": {"text": "平均（%）"}, "rangemode": "tozero", "gridcolor": "#dddddd"},
            xaxis={"type": "category"},
            legend={"orientation": "h", "y": -0.2},
            shapes=[{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": 100, "y1": 100,
                     "line": {"color": "#555555", "width": 1, "dash": "dash"}}],
        ),
    }  # fmt: skip


def grade_heatmap(rows, years: list[int], codes: list[str], *, title: str) -> dict:
    """Rows (measures or projects) × fiscal years, each cell coloured by its grade and labelled with it.

    `rows` are `HeatRow`s; a year without a grade is left blank (「記録なし」 on hover).
    """
    style = grade_style(codes)
    steps = len(codes)
    # A discrete colour scale: grade i fills the band [i, i + 1) of z ∈ [0, steps].
    scale = []
    for i, code in enumerate(codes):
        colour = style[code][0]
        scale += [[i / steps, colour], [(i + 1) / steps, colour]]
    index = {code: i + 0.5 for i, code in enumerate(codes)}
    ordered = list(reversed(rows))  # plotly draws the first row at the bottom
    return {
        "data": [
            {
                "type": "heatmap",
                "x": [fiscal_year_short(year) for year in years],
                "y": [f"{row.code} {_short(row.name)}" for row in ordered],
                "z": [[index.get(row.grades.get(year)) for year in years] for row in ordered],
                "text": [[row.grades.get(year, "") for year in years] for row in ordered],
                "texttemplate": "%{text}",
                "hovertemplate": "%{y}<br>%{x}: %{text}<extra></extra>",
                "colorscale": scale,
                "zmin": 0,
                "zmax": steps,
                "showscale": False,
                "xgap": 2,
                "ygap": 2,
            }
        ],
        "layout": chart_layout(
            title,
            height=max(220, 60 + 26 * len(rows)),
            margin={"l": 260, "r": 20, "t": 50, "b": 40},
            xaxis={"side": "top", "type": "category"},
            yaxis={"type": "category", "automargin": True},
        ),
    }


def _short(name: str, length: int = 18) -> str:
    return name if len(name) <= length else name[: length - 1] + "…"


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def percent_number(value: Decimal | None) -> float | None:
    """0.8254 → 82.5, rounded half up as the percentage beside it is printed."""
    if value is None:
        return None
    return float((value * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def indicator_lines(series, *, title: str) -> dict:
    """An indicator over the years: baseline, stated and interpolated targets, actuals and the forecast.

    `series` is an `IndicatorSeries`. The x axis is the fiscal year (「R6」), from the baseline year to
    the final year; the forecast is the engine's least-squares line from the first actual to the final year.
    """
    latest = series.latest
    known = {point.year for point in series.years} | {
        y for y in (latest.baseline_year, latest.final_year) if y is not None
    }
    axis = [fiscal_year_short(year) for year in range(min(known), max(known) + 1)]
    data = []
    if latest.baseline is not None and latest.baseline_year is not None:
        data.append(line_trace("基準値", [latest.baseline_year], [latest.baseline], mode="markers",
                           marker={"symbol": "square", "size": 11, "color": "#555555"}))  # fmt: skip
    stated = [(p.year, p.figure.target.value) for p in series.years if p.figure.target.value is not None]
    targets_x = [y for y, _ in stated]
    if (
        latest.final_year is not None
        and latest.final_target is not None
        and latest.final_year not in targets_x
    ):
        stated.append((latest.final_year, latest.final_target))
    interpolated = {p.year for p in series.years if p.figure.target.interpolated}
    if stated:
        data.append(line_trace("目標値", [y for y, _ in stated], [v for _, v in stated], mode="lines",
                           line={"color": "#7a7a7a", "width": 2, "dash": "dash"}, hoverinfo="skip",
                           showlegend=False))  # fmt: skip
        given = [(y, v) for y, v in stated if y not in interpolated]
        guessed = [(y, v) for y, v in stated if y in interpolated]
        data.append(line_trace("目標値（計画に記載）", [y for y, _ in given], [v for _, v in given], mode="markers",
                           marker={"symbol": "diamond", "size": 11, "color": "#7a7a7a"}))  # fmt: skip
        if guessed:
            data.append(line_trace("目標値（補間）", [y for y, _ in guessed], [v for _, v in guessed], mode="markers",
                               marker={"symbol": "diamond-open", "size": 11, "color": "#7a7a7a",
                                       "line": {"width": 2}}))  # fmt: skip
    actuals = [
        (p.year, p.figure.actual) for p in series.years if p.actual_shown and p.figure.actual is not None
    ]
    if actuals:
        data.append(line_trace("実績", [y for y, _ in actuals], [v for _, v in actuals], mode="lines+markers+text",
                           line={"color": "#08306b", "width": 3}, marker={"symbol": "circle", "size": 9},
                           text=[f"{v.normalize():f}" for _, v in actuals], textposition="top center"))  # fmt: skip
    projected = latest.forecast.projected
    if (
        projected is not None
        and latest.forecast.slope is not None
        and actuals
        and latest.final_year is not None
    ):
        first = actuals[0][0]
        start = projected - latest.forecast.slope * (latest.final_year - first)
        data.append(line_trace(f"見込み（{latest.forecast.label}）", [first, latest.final_year], [start, projected],
                           mode="lines+markers", line={"color": "#b35806", "width": 2, "dash": "dot"},
                           marker={"symbol": "x", "size": 9}))  # fmt: skip
    for trace in data:
        trace["x"] = [fiscal_year_short(year) for year in trace["x"]]
    unit = f"（{latest.unit}）" if latest.unit else ""
    return {
        "data": data,
        "layout": chart_layout(
            title,
            height=320,
            xaxis={
                "type": "category",
                "categoryorder": "array",
                "categoryarray": axis,
                "title": {"text": "年度"},
            },
            yaxis={"title": {"text": f"値{unit}"}, "gridcolor": "#dddddd", "rangemode": "tozero"},
            legend={"orientation": "h", "y": -0.3},
        ),
    }


def line_trace(name: str, x: list, y: list, **more) -> dict:
    """A scatter trace (lines and/or markers) with its values as JSON numbers."""
    return {"type": "scatter", "name": name, "x": list(x), "y": [_number(v) for v in y], **more}


def year_title(text: str, year: int) -> str:
    """「施策の評価 令和6年度（2024年度）」"""
    return f"{text} {fiscal_year_label(year)}"
