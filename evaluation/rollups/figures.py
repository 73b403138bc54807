"""A year's figures as plain JSON: what `manage.py rollup` prints and a snapshot stores.

Numbers are JSON numbers (achievements and shares as fractions, 1.0 = 100 %, unrounded); a missing
figure is null, never 0. Grades are codes of the plan's scale (「A」, 「−」 for unrated).

Each indicator carries its 進捗率 (`progress`), its 達成率 (`rate`) and `achievement`, the one of
the two that grades (`graded_by` at the top says which). Every node's `achievement` is the mean of
its children's that are not listed in its `excluded`, and its `progress` and `rate` are the means of
theirs, taken the same way. `sample` is true on every figure computed from demo rows, and at the top
when any figure is.
"""

from decimal import Decimal

from evaluation.rollups.compute import Counts, Figure, IndicatorFigure, YearRollup
from strategy.achievement import Exclusion


def rollup_figures(rollup: YearRollup) -> dict:
    """{fiscal_year, graded_by, sample, grades, indicators, projects, initiatives, measures, goals, plan}."""
    return {
        "fiscal_year": rollup.fiscal_year,
        "graded_by": rollup.graded_by,
        "sample": rollup.sample,
        "grades": [
            {"code": grade.code, "label": grade.display, "min_achievement": _number(grade.min_achievement)}
            for grade in rollup.scale.grades
        ],
        "indicators": [_indicator(indicator) for indicator in rollup.indicators],
        "projects": [_project(figure) for figure in rollup.projects],
        "initiatives": [{**_node(figure), "measure": figure.parent} for figure in rollup.initiatives],
        "measures": [_measure(figure) for figure in rollup.measures],
        "goals": [_node(figure) for figure in rollup.goals],
        "plan": _node(rollup.plan_figure),
    }


def snapshot_figures(rollup: YearRollup, *, results: dict[str, str] | None = None) -> dict:
    """The command's figures plus each project's responsible department under its name that year and
    `results`, the main results (主な実績) of its approved record by project code: what the public pages
    show of the year once it is locked. Reports that read the records' words themselves leave `results`
    empty."""
    departments = {figure.code: figure.department for figure in rollup.projects}
    return {**rollup_figures(rollup), "departments": departments, "results": results or {}}


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _grade(grade) -> str | None:
    return grade.code if grade else None


def _indicator(indicator: IndicatorFigure) -> dict:
    return {
        "code": indicator.code,
        "owner": indicator.owner,
        "owner_kind": "measure" if indicator.kind == "measure_indicator" else "project",
        "name": indicator.name,
        "unit": indicator.unit,
        "decimals": indicator.decimals,
        "direction": indicator.direction,
        "kind": indicator.indicator_kind,
        "baseline": _number(indicator.baseline),
        "baseline_year": indicator.baseline_year,
        "target": _number(indicator.target.value),
        "interpolated": indicator.target.interpolated,
        "final_target": _number(indicator.final_target),
        "final_target_year": indicator.final_year,
        "actual": _number(indicator.actual),
        "status": indicator.status,
        "achievement": _number(indicator.achievement.value),
        "progress": _number(indicator.rates.progress.value),
        "rate": _number(indicator.rates.attainment.value),
        "missing_reason": indicator.achievement.missing_reason or None,
        "too_high": indicator.achievement.too_high,
        "grade": _grade(indicator.grade),
        "sample": indicator.sample,
        "forecast": {
            "outlook": indicator.forecast.outlook,
            "projected": _number(indicator.forecast.projected),
            "points": indicator.forecast.points,
        },
    }


def _node(figure: Figure) -> dict:
    node = {
        "code": figure.code,
        "name": figure.name,
        "achievement": _number(figure.achievement),
        "progress": _number(figure.progress.value),
        "rate": _number(figure.attainment.value),
        "basis": figure.rollup.basis if figure.achievement is not None else None,
        "proposed_grade": _grade(figure.proposed_grade),
        "grade": _grade(figure.grade),
        "grade_source": figure.grade_source or None,
        "sample": figure.sample,
        **_counts("grade", figure.counts),
    }
    if figure.target_counts is not None:
        node.update(_counts("target_grade", figure.target_counts))
    node["excluded"] = [_exclusion(exclusion) for exclusion in figure.excluded]
    return node


def _counts(prefix: str, counts: Counts) -> dict:
    shares = counts.tally.shares
    return {
        f"{prefix}_counts": {line.grade: line.count for line in shares},
        f"{prefix}_shares": {line.grade: _number(line.share) for line in shares},
    }


def _exclusion(exclusion: Exclusion) -> dict:
    return {"kind": exclusion.kind, "code": exclusion.code, "reason": exclusion.reason}


def _project(figure: Figure) -> dict:
    return {
        **_node(figure),
        "measure": figure.parent,
        "initiative": figure.initiative or None,
        "record_status": figure.record_status or None,
        "exclusion": figure.exclusion or None,
    }


def _measure(figure: Figure) -> dict:
    return {**_node(figure), "goal": figure.parent}
