"""A locked fiscal year's published figures, read from its latest snapshot: what citizens may see.

Pure: no queries. Published means approved in a locked fiscal year and frozen in that year's snapshot
(`YearSnapshot.figures`, the JSON of `evaluation.rollups.figures.snapshot_figures`). Snapshots are
taken when the year is locked with every record approved, and again when a late correction has been
approved (`evaluation.services.records.record_approve`). Even so only what an approval stands behind
is read: a project counts only when its record is approved and graded by its evaluator, and a measure
shows the DX office's grade, never a computed proposal. Drafts, internal notes and review comments are
not in a snapshot at all.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.utils import timezone

from evaluation.enums import RecordStatus
from strategy.achievement import IndicatorSpec, target_for_year

FINAL = "final"  # the grade an evaluator gave (a project's approved grade, the DX office's for a measure)


def _decimal(value) -> Decimal | None:
    """A JSON number as the Decimal it was entered as (47250.0 → 47250.0, 42.9 → 42.9, never 42.899…)."""
    return None if value is None else Decimal(str(value))


@dataclass(frozen=True, slots=True)
class Indicator:
    """A measure's target indicator (施策目標値) or a project's outcome indicator (成果指標) as reported."""

    owner: str  # the measure's or project's code
    owner_kind: str  # measure | project
    code: str
    name: str
    unit: str
    decimals: int
    direction: str
    kind: str
    baseline: Decimal | None
    baseline_year: int | None
    target: Decimal | None  # the year's target
    interpolated: bool  # the year's target lies on the line between stated targets
    final_target: Decimal | None
    final_target_year: int | None
    actual: Decimal | None
    status: str  # ActualStatus; "not_entered" when the record held no row
    progress: Decimal | None  # 進捗率, a fraction
    rate: Decimal | None  # 達成率, a fraction
    grade: str | None  # the grade the grading figure earns on the plan's scale
    grade_label: str  # 「B（若干の遅れ）」; "" without a grading figure
    missing_reason: str  # why progress or rate is missing, in Japanese as the engine words it
    too_high: bool  # over 150 %: perhaps a target set too low
    sample: bool

    @classmethod
    def of(cls, entry: dict, labels: dict[str, str]) -> "Indicator":
        """From a snapshot's indicator entry; `labels` are the rated grades' labels by code."""
        return cls(
            owner=entry["owner"],
            owner_kind=entry["owner_kind"],
            code=entry["code"],
            name=entry["name"],
            unit=entry["unit"],
            # Snapshots taken before these fields were kept lack them: shown as unknown.
            decimals=entry.get("decimals", 0),
            direction=entry["direction"],
            kind=entry["kind"],
            baseline=_decimal(entry["baseline"]),
            baseline_year=entry.get("baseline_year"),
            target=_decimal(entry["target"]),
            interpolated=entry["interpolated"],
            final_target=_decimal(entry["final_target"]),
            final_target_year=entry.get("final_target_year"),
            actual=_decimal(entry["actual"]),
            status=entry["status"] or "not_entered",
            progress=_decimal(entry["progress"]),
            rate=_decimal(entry["rate"]),
            grade=entry["grade"],
            grade_label=labels.get(entry["grade"], ""),
            missing_reason=entry["missing_reason"] or "",
            too_high=entry["too_high"],
            sample=entry["sample"],
        )


@dataclass(frozen=True, slots=True)
class Project:
    """A project whose record of the year is approved: its grade and main results (主な実績)."""

    code: str
    name: str
    measure: str
    initiative: str
    department: str  # as named that year
    grade: str
    grade_label: str  # 「B（若干の遅れ）」, 「−（評価不能）」
    results: str
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True, slots=True)
class Measure:
    code: str
    name: str
    goal: str
    grade: str | None  # the DX office's evaluation; None when it gave none
    grade_label: str  # "" when it gave none
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class GradeCount:
    code: str
    label: str  # 「B（若干の遅れ）」
    count: int
    share: Decimal | None  # of the rated items; None for the unrated grade (「−」)


@dataclass(frozen=True)
class PublishedYear:
    """One locked fiscal year as its latest snapshot reports it, built once from the snapshot's JSON
    (`of`) and never changed: a worker keeps it for as long as that snapshot is the year's latest."""

    snapshot: tuple[int, datetime.datetime]  # the snapshot's id and time: ids come back after a reset
    year: int
    published_on: datetime.date  # the day the snapshot was taken (local time)
    sample: bool  # whether any figure was computed from the demo's sample rows
    labels: dict[str, str]  # {grade code: 「B（若干の遅れ）」} of the plan's scale, in its order
    rated: tuple[str, ...]
    goals: dict[str, str]  # {goal number: name}
    measures: tuple[Measure, ...]  # every measure, with the DX office's grade only
    projects: tuple[Project, ...]  # the projects whose record is approved, by code

    @classmethod
    def of(cls, snapshot: tuple[int, datetime.datetime], year: int, figures: dict) -> "PublishedYear":
        """From a snapshot's id and time and its `figures`; nothing of them is kept but what is published."""
        labels = {grade["code"]: grade["label"] for grade in figures["grades"]}
        rated = tuple(grade["code"] for grade in figures["grades"] if grade["min_achievement"] is not None)
        indicators = _indicators(figures, {code: labels[code] for code in rated})
        return cls(
            snapshot=snapshot,
            year=year,
            published_on=timezone.localdate(snapshot[1]),
            sample=bool(figures.get("sample")),
            labels=labels,
            rated=rated,
            goals={goal["code"]: goal["name"] for goal in figures["goals"]},
            measures=_measures(figures, labels, indicators),
            projects=_projects(figures, labels, indicators),
        )

    @cached_property
    def _measures_by_code(self) -> dict[str, Measure]:
        return {measure.code: measure for measure in self.measures}

    @cached_property
    def _projects_by_measure(self) -> dict[str, list[Project]]:
        by_measure: dict[str, list[Project]] = {}
        for project in self.projects:
            by_measure.setdefault(project.measure, []).append(project)
        return by_measure

    def measure(self, code: str) -> Measure | None:
        return self._measures_by_code.get(code)

    def measure_indicator(self, measure: str, code: str) -> Indicator | None:
        found = self.measure(measure)
        return next((i for i in found.indicators if i.code == code), None) if found else None

    def projects_of(self, measure_code: str) -> list[Project]:
        return list(self._projects_by_measure.get(measure_code, ()))

    @property
    def indicators(self) -> list[Indicator]:
        """Every published indicator: the measures' targets, then the approved projects' outcome indicators."""
        return [
            *(indicator for measure in self.measures for indicator in measure.indicators),
            *(indicator for project in self.projects for indicator in project.indicators),
        ]

    def counts(self, grades: Iterable[str | None]) -> list[GradeCount]:
        """How many of `grades` fall under each grade of the scale (all of them, 0 included), with the
        share of the rated ones as the city reports it (「A 23件（74.2%）」); an item without a grade
        is not counted."""
        grades = [grade for grade in grades if grade is not None]
        rated = sum(1 for grade in grades if grade in self.rated)
        counts = []
        for code, label in self.labels.items():
            count = grades.count(code)
            share = Decimal(count) / Decimal(rated) if code in self.rated and rated else None
            counts.append(GradeCount(code, label, count, share))
        return counts


def _indicators(figures: dict, rated: dict[str, str]) -> dict[tuple[str, str], list[Indicator]]:
    """The snapshot's indicators by (owner kind, owner code); `rated` are the rated grades' labels."""
    by_owner: dict[tuple[str, str], list[Indicator]] = {}
    for entry in figures["indicators"]:
        by_owner.setdefault((entry["owner_kind"], entry["owner"]), []).append(Indicator.of(entry, rated))
    return by_owner


def _measures(figures: dict, labels: dict[str, str], indicators) -> tuple[Measure, ...]:
    """Every measure, with the DX office's grade only (a computed proposal is not an evaluation)."""
    measures = []
    for entry in figures["measures"]:
        grade = entry["grade"] if entry["grade_source"] == FINAL else None
        measure = Measure(
            code=entry["code"],
            name=entry["name"],
            goal=entry["goal"],
            grade=grade,
            grade_label=labels.get(grade, "") if grade else "",
            indicators=tuple(indicators.get(("measure", entry["code"]), ())),
        )
        measures.append(measure)
    return tuple(measures)


def _projects(figures: dict, labels: dict[str, str], indicators) -> tuple[Project, ...]:
    """The projects whose record is approved, by code; nothing else of a project is published."""
    departments = figures.get("departments", {})
    results = figures.get("results", {})
    return tuple(
        Project(
            code=entry["code"],
            name=entry["name"],
            measure=entry["measure"],
            initiative=entry["initiative"] or "",
            department=departments.get(entry["code"], ""),
            grade=entry["grade"],
            grade_label=labels.get(entry["grade"], entry["grade"]),
            results=results.get(entry["code"], ""),
            indicators=tuple(indicators.get(("project", entry["code"]), ())),
        )
        for entry in figures["projects"]
        if entry["record_status"] == RecordStatus.APPROVED and entry["grade_source"] == FINAL
    )


@dataclass(frozen=True)
class MeasureSummary:
    measure: Measure
    counts: list[GradeCount]  # its approved projects by grade


@dataclass(frozen=True)
class GoalSummary:
    number: str
    name: str
    measures: list[MeasureSummary]
    counts: list[GradeCount]  # the approved projects of its measures by grade


def goal_summaries(year: PublishedYear) -> list[GoalSummary]:
    """Per basic goal, its measures with their approved projects counted by grade, and its own count."""
    goals = []
    for number, name in year.goals.items():
        measures = [measure for measure in year.measures if measure.goal == number]
        projects = {measure.code: year.projects_of(measure.code) for measure in measures}
        summaries = [
            MeasureSummary(measure, year.counts(p.grade for p in projects[measure.code]))
            for measure in measures
        ]
        every = [p.grade for measure in measures for p in projects[measure.code]]
        goals.append(GoalSummary(number, name, summaries, year.counts(every)))
    return goals


@dataclass(frozen=True)
class SeriesYear:
    """One year of an indicator over the plan: the target, and the figures as reported when published."""

    year: int
    target: Decimal | None
    interpolated: bool
    reported: Indicator | None  # None until the year is published


def indicator_series(
    spec: IndicatorSpec, years: Iterable[int], published: Iterable[PublishedYear], measure: str, code: str
) -> list[SeriesYear]:
    """A measure's target indicator over the plan's years: a published year as reported (its target
    then, its actual and rates), any other year with the target the plan states now (interpolated
    where it states none)."""
    reported = {year.year: found for year in published if (found := year.measure_indicator(measure, code))}
    series = []
    for year in years:
        if year in reported:
            series.append(
                SeriesYear(year, reported[year].target, reported[year].interpolated, reported[year])
            )
        else:
            target = target_for_year(spec, year)
            series.append(SeriesYear(year, target.value, target.interpolated, None))
    return series
