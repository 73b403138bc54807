"""A fiscal year's figures, from indicators up to the plan, each with the explanation behind it.

No queries here: everything comes from `selectors.rollup_inputs`. The arithmetic is
`strategy.achievement`'s; this module only walks the plan's tree and applies it:

* an indicator has two figures, its 進捗率 and its 達成率; the plan's `grading_rate` says which one
  grades it. Both are averaged upwards the same way, so every figure has a mean 進捗率 (`progress`)
  and a mean 達成率 (`attainment`), and its `rollup` (what grades it) is the plan's one of the two;
* a project averages its outcome indicators, else its action goals' completion;
* an initiative averages its projects; a measure averages its target indicators (施策目標値),
  else its projects; a goal averages its measures; the plan averages its goals. Equal weights,
  each figure counted within [0, 1].

Which records count: figures are computed for every record that has data, approved or not, so
the DX office sees the year while it is being entered. The grade a project is counted under is
its final grade when the record is approved, else the computed proposal; `grade_source` says
which ("final" or "proposed"). A measure likewise uses the DX office's grade when one is set. An
item whose final grade is 「−（評価不能）」 is left out of the average above it as it is left out of
the grade counts.

Figures computed from demo rows are marked `sample` (see `evaluation.samples`), and so is every
figure above one.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import NamedTuple

from core.fiscal import fiscal_year_label
from evaluation.enums import ActualStatus, Completion, RecordStatus
from evaluation.models import Grade
from evaluation.rollups.selectors import IndicatorRow, RollupInputs
from evaluation.samples import is_sample_indicator, is_sample_project
from measures.enums import Direction, IndicatorKind
from strategy.achievement import (
    ATTAINMENT,
    KIND_LABELS,
    NOTHING_TO_AVERAGE,
    PROGRESS,
    Achievement,
    Exclusion,
    Forecast,
    Graded,
    IndicatorRates,
    Part,
    Rollup,
    Tally,
    YearTarget,
    action_part,
    average,
    forecast,
    indicator_part,
    indicator_rates,
    measure_rollup,
    project_exclusion,
    project_rollup,
    propose_grade,
    target_for_year,
)
from strategy.achievement import tally as count_grades
from strategy.models import GradingRate

NO_RECORD = "この年度の評価記録がない"
DECIDED_UNRATED = "評価者が「評価不能」と評価"
SOURCE_LABELS = {
    ("project", "final"): "最終評価（承認済み）",
    ("measure", "final"): "DX推進課の評価",
}
PROPOSAL = "自動計算の評価案"
GRADING_RATE_LABELS = dict(GradingRate.choices)


@dataclass(frozen=True)
class Scale:
    """The plan's grade scale: grades as data, the thresholds the arithmetic reads from them."""

    grades: tuple[Grade, ...]

    @cached_property
    def rated(self) -> list[str]:
        return [grade.code for grade in self.grades if not grade.is_unrated]

    @cached_property
    def thresholds(self) -> list[tuple[str, Decimal]]:
        """(code, lowest achievement) of the rated grades, the best first."""
        rated = [grade for grade in self.grades if not grade.is_unrated]
        return [
            (grade.code, grade.min_achievement) for grade in sorted(rated, key=lambda g: -g.min_achievement)
        ]

    @cached_property
    def labels(self) -> dict[str, str]:
        return {grade.code: grade.display for grade in self.grades}

    @cached_property
    def unrated(self) -> str:
        return next((grade.code for grade in self.grades if grade.is_unrated), "")

    @cached_property
    def _by_code(self) -> dict[str, Grade]:
        # The first grade of a code wins, as a scan of `grades` would find it.
        return {grade.code: grade for grade in reversed(self.grades)}

    @cached_property
    def _by_id(self) -> dict[int, Grade]:
        # Likewise the first grade of an id.
        return {grade.pk: grade for grade in reversed(self.grades)}

    def propose(self, value: Decimal | None) -> Grade | None:
        """The grade the figure earns; the unrated one (「−」) when there is no figure."""
        return self.by_code(propose_grade(value, self.thresholds, self.unrated))

    def by_code(self, code: str | None) -> Grade | None:
        return self._by_code.get(code)

    def by_id(self, pk: int | None) -> Grade | None:
        return self._by_id.get(pk)


@dataclass(frozen=True)
class GradeLine:
    grade: Grade
    count: int
    share: Decimal | None


@dataclass(frozen=True)
class Counts:
    """The grade count of `figures` (indicator or project figures, anything with a `graded`), with
    its grades as objects, for pages and reports.

    The count (`tally`), its `lines` and `text` are worked out when first read: most of a year's
    counts (one per project) are never shown.
    """

    figures: tuple
    scale: Scale

    @classmethod
    def of(cls, figures: list, scale: Scale) -> "Counts":
        return cls(tuple(figures), scale)

    @classmethod
    def combined(cls, parts: list["Counts"], scale: Scale) -> "Counts":
        """The count of all the parts' figures together, in order (a goal's of its measures')."""
        return cls(tuple(figure for part in parts for figure in part.figures), scale)

    @cached_property
    def tally(self) -> Tally:
        return count_grades([figure.graded for figure in self.figures], rated=self.scale.rated)

    @cached_property
    def lines(self) -> tuple[GradeLine, ...]:
        shares = self.tally.shares
        return tuple(GradeLine(self.scale.by_code(line.grade), line.count, line.share) for line in shares)

    @cached_property
    def text(self) -> str:
        """「A（予定どおり） 20件（64.5%）、…」"""
        return self.tally.text(self.scale.labels)


@dataclass(slots=True)
class IndicatorFigure:
    """One indicator's figure for the year: target, actual, its two rates, grade and forecast.

    The indicator's own fields (code, name, unit, baseline, final target…) are read from `row`, and
    its grade is looked up on the `scale` when read. Slotted and not frozen, as it is built thousands
    of times a year; never changed once built.
    """

    kind: str  # measure_indicator | outcome_indicator
    owner: str  # the measure's or project's code
    row: IndicatorRow
    target: YearTarget
    actual: Decimal | None
    status: str | None  # the actual's status; None when no result row exists
    rates: IndicatorRates
    scale: Scale
    forecast: Forecast
    sample: bool = False  # demo values: shown 「サンプル」

    @property
    def grade(self) -> Grade | None:
        """The grade the figure that grades earns; 「−」 without a figure."""
        return self.scale.propose(self.rates.grading.value)

    @property
    def code(self) -> str:
        return self.row.code

    @property
    def name(self) -> str:
        return self.row.name

    @property
    def unit(self) -> str:
        return self.row.unit

    @property
    def decimals(self) -> int:
        return self.row.decimals

    @property
    def direction(self) -> str:
        return self.row.spec.direction

    @property
    def indicator_kind(self) -> str:
        return self.row.spec.kind

    @property
    def baseline(self) -> Decimal | None:
        return self.row.spec.baseline

    @property
    def baseline_year(self) -> int | None:
        return self.row.spec.baseline_year

    @property
    def final_target(self) -> Decimal | None:
        return self.row.spec.final_target

    @property
    def final_year(self) -> int | None:
        return self.row.spec.final_year

    @property
    def achievement(self) -> Achievement:
        """The figure that grades: the 進捗率 or the 達成率, as the plan says."""
        return self.rates.grading

    @property
    def direction_label(self) -> str:
        return Direction(self.direction).label

    @property
    def kind_label(self) -> str:
        return IndicatorKind(self.indicator_kind).label

    @property
    def status_label(self) -> str:
        return ActualStatus(self.status).label if self.status else "未登録"

    @property
    def graded(self) -> Graded:
        grade = self.grade.code if self.grade else None
        return Graded(self.kind, self.code, grade, self.achievement.missing_reason, self.name)


class ActionFigure(NamedTuple):
    code: str
    description: str
    completion: str

    @property
    def completion_label(self) -> str:
        return Completion(self.completion).label if self.completion else "未入力"


@dataclass(kw_only=True, slots=True)
class Figure:
    """A project's, initiative's, measure's, goal's or the plan's figure for the year, with its explanation.

    `counts` are the grades of the projects beneath (for a project: of its outcome indicators);
    `target_counts` those of the measure target indicators beneath (measures, goals, the plan).
    """

    level: str  # plan | goal | measure | initiative | project
    code: str
    name: str
    rollup: Rollup  # the mean of the rate that grades: `progress` or `attainment`, as the plan says
    progress: Rollup  # the mean 進捗率
    attainment: Rollup  # the mean 達成率
    counts: Counts
    target_counts: Counts | None = None
    proposed_grade: Grade | None = None
    grade: Grade | None = None
    grade_source: str = ""  # final | proposed; "" when left out
    no_figure_reason: str = ""  # why `achievement` is None
    exclusion: str = ""  # projects: why the project is left out of the year altogether
    parent: str = ""  # the code of the initiative's or project's measure, the measure's goal
    initiative: str = ""  # projects: their initiative's code
    department: str = ""  # projects: the responsible department's name that year
    department_code: str = ""  # projects: that department's code
    record: int | None = None  # projects: the id of the year's record, None without one
    record_status: str = ""  # projects: the record's workflow state
    sample: bool = False  # computed from demo rows: shown 「サンプル」
    children: Sequence["Figure"] = ()
    initiatives: Sequence["Figure"] = ()
    indicators: Sequence[IndicatorFigure] = ()
    actions: Sequence[ActionFigure] = ()

    @property
    def achievement(self) -> Decimal | None:
        return self.rollup.value

    @property
    def heading(self) -> str:
        """「施策1-1 利便性を高める行政サービスの推進」; the plan by its name alone."""
        return self.name if self.level == "plan" else f"{KIND_LABELS[self.level]}{self.code} {self.name}"

    @property
    def grade_source_label(self) -> str:
        if not self.grade_source:
            return ""
        return SOURCE_LABELS.get((self.level, self.grade_source), PROPOSAL)

    @property
    def record_status_label(self) -> str:
        return RecordStatus(self.record_status).label if self.record_status else "記録なし"

    @property
    def unrated_reason(self) -> str:
        if self.decided_unrated:
            return DECIDED_UNRATED
        return self.no_figure_reason

    @property
    def excluded(self) -> list[Exclusion]:
        """Everything left out of this figure or its counts, each item once, with why."""
        found: dict[tuple[str, str], Exclusion] = {}
        sources = [self.rollup.excluded, self.counts.tally.excluded]
        if self.target_counts:
            sources.append(self.target_counts.tally.excluded)
        for exclusions in sources:
            for exclusion in exclusions:
                found.setdefault((exclusion.kind, exclusion.code), exclusion)
        return list(found.values())

    @property
    def graded(self) -> Graded:
        grade = self.grade.code if self.grade else None
        return Graded(self.level, self.code, grade, self.unrated_reason, self.name)

    @property
    def decided_unrated(self) -> bool:
        """Whether the evaluator (or the DX office) graded the item 「−（評価不能）」."""
        return self.grade_source == "final" and self.grade is not None and self.grade.is_unrated

    def part(self, rate: str) -> Part:
        """The item's mean `rate` (PROGRESS or ATTAINMENT) as the average above counts it: left out
        when graded 「−」, as in the grade counts."""
        if self.decided_unrated:
            return Part(self.level, self.code, None, DECIDED_UNRATED, self.name)
        return Part(self.level, self.code, getattr(self, rate).value, self.no_figure_reason, self.name)


@dataclass
class YearRollup:
    """All figures of one plan's fiscal year; `plan_figure` is the root of the tree."""

    plan_code: str
    plan_name: str
    fiscal_year: int
    scale: Scale
    graded_by: str  # GradingRate: which of an indicator's two figures grades
    plan_figure: Figure
    goals: list[Figure]
    measures: list[Figure]
    initiatives: list[Figure]
    projects: list[Figure]

    @property
    def graded_by_label(self) -> str:
        return GRADING_RATE_LABELS[self.graded_by]

    @property
    def sample(self) -> bool:
        return self.plan_figure.sample

    @property
    def indicators(self) -> list[IndicatorFigure]:
        """Measure target indicators first, then the projects' outcome indicators."""
        targets = [indicator for measure in self.measures for indicator in measure.indicators]
        return targets + [indicator for project in self.projects for indicator in project.indicators]

    @cached_property
    def record_departments(self) -> frozenset[tuple[str, str]]:
        """(code, name) of the departments responsible for a project's record of the year."""
        return frozenset(
            (project.department_code, project.department)
            for project in self.projects
            if project.record is not None and project.department_code
        )

    def find(self, level: str, code: str) -> Figure | None:
        return self._index.get((level, code))

    @cached_property
    def _index(self) -> dict[tuple[str, str], Figure]:
        """Every figure by (level, code); the first of a code wins, as a scan would find it."""
        index: dict[tuple[str, str], Figure] = {}
        levels = {
            "plan": [self.plan_figure],
            "goal": self.goals,
            "measure": self.measures,
            "initiative": self.initiatives,
            "project": self.projects,
        }
        for level, figures in levels.items():
            for figure in figures:
                index.setdefault((level, figure.code), figure)
        return index

    def trail(self, figure: Figure) -> list[Figure]:
        """The figures above `figure`, from the plan down: for breadcrumbs."""
        trail: list[Figure] = []
        above = self._above(figure)
        while above is not None:
            trail.insert(0, above)
            above = self._above(above)
        return trail

    def _above(self, figure: Figure) -> Figure | None:
        if figure.level == "project":
            return self.find("initiative", figure.initiative) or self.find("measure", figure.parent)
        if figure.level == "initiative":
            return self.find("measure", figure.parent)
        if figure.level == "measure":
            return self.find("goal", figure.parent)
        if figure.level == "goal":
            return self.plan_figure
        return None


def rollup_compute(inputs: RollupInputs) -> YearRollup:
    """Walk the plan's tree bottom-up and compute every figure of the year."""
    scale = Scale(tuple(inputs.grades))
    projects = [_project(project, inputs, scale) for project in inputs.projects]
    return _rollup(inputs, scale, projects, _measures(inputs, scale, projects))


def rollup_patch(rollup: YearRollup, inputs: RollupInputs) -> YearRollup:
    """`rollup` with the figures of some projects computed again, and of everything above them:
    `inputs` are the year's inputs narrowed to those projects (with their measures, see
    `selectors.rollup_inputs`). The other projects' and measures' figures are taken as they are,
    so the result equals `rollup_compute` of the whole plan when only those projects' rows changed
    since `rollup` was computed."""
    scale = Scale(tuple(inputs.grades))
    fresh = {project.code: _project(project, inputs, scale) for project in inputs.projects}
    projects = [fresh.get(figure.code, figure) for figure in rollup.projects]
    patched = {measure.code: measure for measure in _measures(inputs, scale, projects)}
    return _rollup(inputs, scale, projects, [patched.get(m.code, m) for m in rollup.measures])


def _measures(inputs: RollupInputs, scale: Scale, projects: list[Figure]) -> list[Figure]:
    """The figures of the measures of `inputs`, each over its projects among `projects`."""
    by_measure: dict[str, list[Figure]] = {}
    for project in projects:
        by_measure.setdefault(project.parent, []).append(project)
    return [_measure(measure, by_measure.get(measure.code, []), inputs, scale) for measure in inputs.measures]


def _rollup(inputs: RollupInputs, scale: Scale, projects: list[Figure], measures: list[Figure]) -> YearRollup:
    """The year's figures from its projects' and measures' figures: the goals and the plan above."""
    graded_by = inputs.plan.grading_rate
    goals = [
        _goal(goal, members, scale, graded_by)
        for goal in inputs.goals
        if (members := [m for m in measures if m.parent == str(goal.number)])
    ]
    return YearRollup(
        plan_code=inputs.plan.code,
        plan_name=inputs.plan.name,
        fiscal_year=inputs.fiscal_year,
        scale=scale,
        graded_by=graded_by,
        plan_figure=_plan(inputs.plan, goals, scale, graded_by),
        goals=goals,
        measures=measures,
        initiatives=[initiative for measure in measures for initiative in measure.initiatives],
        projects=projects,
    )


def _project(project, inputs: RollupInputs, scale: Scale) -> Figure:
    record = inputs.records.get(project.pk)
    common = {
        "level": "project",
        "code": project.code,
        "name": project.name,
        "parent": project.measure_code,
        "initiative": (
            f"{project.measure_code}-{project.initiative_number}"
            if project.initiative_number is not None
            else ""
        ),
        "department": project.department,
        "department_code": project.department_code,
        "record": record.pk if record else None,
        "record_status": record.status if record else "",
    }
    exclusion = project_exclusion(
        status=project.status,
        start_year=project.start_year,
        end_year=project.end_year,
        year=inputs.fiscal_year,
        merged_into=project.merged_into_code,
        year_label=fiscal_year_label,
    )
    if exclusion:
        none = Rollup(None, "", missing_reason=exclusion)
        return Figure(
            **common,
            rollup=none,
            progress=none,
            attainment=none,
            counts=Counts.of([], scale),
            exclusion=exclusion,
            no_figure_reason=exclusion,
            sample=is_sample_project(project),
        )
    indicators = _outcomes(project, record, inputs, scale)
    actions = _actions(project, record)
    means = _means(
        inputs.plan.grading_rate,
        lambda rate: project_rollup(
            [indicator_part(i.kind, i.row.code, getattr(i.rates, rate), i.row.name) for i in indicators],
            (action_part(a.code, a.completion, a.description) for a in actions),  # read only when needed
        ),
    )
    rollup = means["rollup"]
    proposed = scale.propose(rollup.value)
    final = scale.by_id(record.final_grade_id) if record and record.status == RecordStatus.APPROVED else None
    return Figure(
        **common,
        **means,
        proposed_grade=proposed,
        grade=final or proposed,
        grade_source="final" if final else "proposed",
        counts=Counts.of(indicators, scale),
        indicators=indicators,
        actions=actions,
        no_figure_reason=(rollup.note or NOTHING_TO_AVERAGE) if record else NO_RECORD,
        sample=is_sample_project(project) or any(indicator.sample for indicator in indicators),
    )


def _outcomes(project, record, inputs: RollupInputs, scale: Scale) -> list[IndicatorFigure]:
    results = record.indicator_results if record else {}
    return [
        _indicator("outcome_indicator", indicator, project.code, results.get(indicator.pk), inputs, scale)
        for indicator in project.indicators
    ]


def _actions(project, record) -> list[ActionFigure]:
    results = record.action_results if record else {}
    return [
        ActionFigure(str(goal.number), goal.description, results.get(goal.pk, ""))
        for goal in project.year_goals
    ]


def _indicator(
    kind: str, indicator: IndicatorRow, owner: str, result, inputs: RollupInputs, scale: Scale
) -> IndicatorFigure:
    spec = indicator.spec
    target = target_for_year(spec, inputs.fiscal_year)
    actual, status = result if result else (None, None)
    history = inputs.outcome_actuals if kind == "outcome_indicator" else inputs.target_actuals
    rates = indicator_rates(spec, target.value, actual, status or "", graded_by=inputs.plan.grading_rate)
    return IndicatorFigure(
        kind,
        owner,
        indicator,
        target,
        actual,
        status,
        rates,
        scale,
        forecast(spec, history.get(indicator.pk, {})),
        is_sample_indicator(indicator),
    )


def _measure(measure, projects: list[Figure], inputs: RollupInputs, scale: Scale) -> Figure:
    targets = [
        _indicator(
            "measure_indicator",
            indicator,
            measure.code,
            inputs.target_results.get(indicator.pk),
            inputs,
            scale,
        )
        for indicator in measure.indicators
    ]
    graded_by = inputs.plan.grading_rate
    means = _means(
        graded_by,
        lambda rate: measure_rollup(
            [indicator_part(t.kind, t.row.code, getattr(t.rates, rate), t.row.name) for t in targets],
            (project.part(rate) for project in projects),  # read only when needed
        ),
    )
    rollup = means["rollup"]
    proposed = scale.propose(rollup.value)
    decided = scale.by_id(inputs.evaluations.get(measure.pk))
    return Figure(
        level="measure",
        code=measure.code,
        name=measure.title,
        parent=str(measure.goal_number),
        **means,
        proposed_grade=proposed,
        grade=decided or proposed,
        grade_source="final" if decided else "proposed",
        counts=Counts.of(projects, scale),
        target_counts=Counts.of(targets, scale),
        no_figure_reason=rollup.note or NOTHING_TO_AVERAGE,
        children=projects,
        sample=any(figure.sample for figure in [*projects, *targets]),
        initiatives=[
            _initiative(measure, initiative, projects, scale, graded_by) for initiative in measure.initiatives
        ],
        indicators=targets,
    )


def _initiative(measure, initiative, projects: list[Figure], scale: Scale, graded_by: str) -> Figure:
    code = f"{measure.code}-{initiative.number}"
    members = [project for project in projects if project.initiative == code]
    return Figure(
        level="initiative",
        code=code,
        name=initiative.title,
        parent=measure.code,
        **_mean_of(members, scale, graded_by, basis="構成事業の達成度"),
        counts=Counts.of(members, scale),
        children=members,
        sample=any(project.sample for project in members),
    )


def _goal(goal, measures: list[Figure], scale: Scale, graded_by: str) -> Figure:
    return Figure(
        level="goal",
        code=str(goal.number),
        name=goal.title,
        **_mean_of(measures, scale, graded_by, basis="施策の達成度"),
        counts=Counts.combined([measure.counts for measure in measures], scale),
        target_counts=Counts.combined([measure.target_counts for measure in measures], scale),
        children=measures,
        sample=any(measure.sample for measure in measures),
    )


def _plan(plan, goals: list[Figure], scale: Scale, graded_by: str) -> Figure:
    return Figure(
        level="plan",
        code=plan.code,
        name=plan.name,
        **_mean_of(goals, scale, graded_by, basis="基本目標の達成度"),
        counts=Counts.combined([goal.counts for goal in goals], scale),
        target_counts=Counts.combined([goal.target_counts for goal in goals], scale),
        children=goals,
        sample=any(goal.sample for goal in goals),
    )


def _means(graded_by: str, mean: Callable[[str], Rollup]) -> dict[str, Rollup]:
    """A figure's means of both rates, `mean(PROGRESS)` and `mean(ATTAINMENT)`, and as its `rollup`
    the one that grades (`graded_by`)."""
    progress, attainment = mean(PROGRESS), mean(ATTAINMENT)
    return {
        "rollup": attainment if graded_by == ATTAINMENT else progress,
        "progress": progress,
        "attainment": attainment,
    }


def _mean_of(children: list[Figure], scale: Scale, graded_by: str, *, basis: str) -> dict:
    """The figure fields of a plain mean of the children's figures (of both rates), graded by the
    computed proposal."""
    means = _means(graded_by, lambda rate: average([child.part(rate) for child in children], basis=basis))
    proposed = scale.propose(means["rollup"].value)
    return {
        **means,
        "proposed_grade": proposed,
        "grade": proposed,
        "grade_source": "proposed",
        "no_figure_reason": NOTHING_TO_AVERAGE,
    }
