"""The arithmetic of achievement and grades.

Pure functions on plain values: no ORM, nothing of ours imported, so every figure the portal
shows can be re-computed by hand from the rules in PRACTICE.md:

* progress from baseline, `(actual − baseline) / (target − baseline)`, by default;
* plain ratio `actual / target` for cumulative indicators, where there is no baseline, and where
  the target is not beyond the baseline in the indicator's direction (such as target = baseline);
  for a decrease `2 − actual / target` (1.0 at the target, higher the lower the actual);
* milestones and "achieve" indicators score 1 when done, 0 when not;
* "maintain" scores 1 inside the tolerance and falls off linearly outside it;
* qualitative indicators are not scored; missing data is never zero.

Achievement is a fraction (1.0 = target met), rounded to four places; it is never NaN or infinite.

Roll-ups (project → initiative → measure → goal → plan) are equal-weight means of the items
beneath that have a figure, each counted within [0, 1]; what has no figure or is left out is
listed with the reason, never counted as zero. Grade counts and shares are taken over rated items
only. A linear trend over the yearly actuals forecasts whether the final target will be reached.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

PLACES = Decimal("0.0001")
ONE = Decimal(1)
ZERO = Decimal(0)
TOO_HIGH = Decimal("1.5")

# Reasons a figure is missing, shown to users as they are.
NOT_SCORED = "定性指標のため数値評価の対象外"
NO_TARGET = "この年度の目標値がない"
NO_ACTUAL = "実績未入力"
MISSING_BY_STATUS = {"tallying": "集計中", "not_surveyed": "調査未実施"}


@dataclass(frozen=True)
class IndicatorSpec:
    """What the arithmetic needs to know about an indicator."""

    direction: str  # increase | decrease | maintain | achieve
    kind: str  # per_year | cumulative | rate | stock | milestone | qualitative
    rule: str = "progress"  # progress | ratio
    baseline: Decimal | None = None
    baseline_year: int | None = None
    final_target: Decimal | None = None
    final_year: int | None = None
    tolerance: Decimal = ZERO
    yearly_targets: Mapping[int, Decimal] = field(default_factory=dict)

    @property
    def binary(self) -> bool:
        return self.kind == "milestone" or self.direction == "achieve"


@dataclass(frozen=True)
class YearTarget:
    value: Decimal | None
    interpolated: bool = False


@dataclass(frozen=True)
class Achievement:
    """An indicator's achievement in one year, or why there is none."""

    value: Decimal | None
    formula: str = ""
    missing_reason: str = ""
    too_high: bool = False  # over 150 %: the target may have been set too low

    @property
    def has_figure(self) -> bool:
        return self.value is not None


def _round(value: Decimal) -> Decimal:
    return value.quantize(PLACES)


def _shown(value: Decimal) -> str:
    """A value as written in a formula, without the database's trailing zeros: 42.9000 → 42.9."""
    return f"{value.normalize():f}"


def target_for_year(spec: IndicatorSpec, year: int) -> YearTarget:
    """The target for `year`: the one the plan states, else interpolated between the stated points.

    The known points are the baseline, the stated yearly targets and the final target; a year between
    two of them gets the straight line between them. After the final year the final target holds.
    Binary indicators are never interpolated: half a milestone means nothing.
    """
    if year in spec.yearly_targets:
        return YearTarget(spec.yearly_targets[year])
    if spec.final_target is not None and spec.final_year is not None and year >= spec.final_year:
        return YearTarget(spec.final_target)
    if spec.binary or spec.kind == "qualitative":
        return YearTarget(None)
    points = dict(spec.yearly_targets)
    if spec.final_target is not None and spec.final_year is not None:
        points[spec.final_year] = spec.final_target
    if spec.baseline is not None and spec.baseline_year is not None:
        points.setdefault(spec.baseline_year, spec.baseline)
    before = [y for y in points if y < year]
    after = [y for y in points if y > year]
    if not before or not after:
        return YearTarget(None)
    y0, y1 = max(before), min(after)
    v0, v1 = points[y0], points[y1]
    value = v0 + (v1 - v0) * Decimal(year - y0) / Decimal(y1 - y0)
    return YearTarget(_round(value), interpolated=True)


def achievement(
    spec: IndicatorSpec, target: Decimal | None, actual: Decimal | None, status: str = ""
) -> Achievement:
    """Achievement of `actual` against `target` for one year, following the indicator's rule."""
    if spec.kind == "qualitative":
        return Achievement(None, missing_reason=NOT_SCORED)
    if actual is None:
        return Achievement(None, missing_reason=MISSING_BY_STATUS.get(status, NO_ACTUAL))
    if target is None:
        return Achievement(None, missing_reason=NO_TARGET)
    if spec.binary:
        done = actual >= target
        return _result(
            ONE if done else ZERO, f"実績{_shown(actual)} ≧ 目標{_shown(target)} なら1、でなければ0"
        )
    if spec.direction == "maintain":
        return _maintain(target, actual, spec.tolerance)
    use_progress = (
        spec.rule == "progress"
        and spec.kind != "cumulative"
        and spec.baseline is not None
        and _target_lies_ahead(spec.direction, spec.baseline, target)
    )
    if use_progress:
        value = (actual - spec.baseline) / (target - spec.baseline)
        return _result(
            value,
            f"(実績{_shown(actual)} − 基準{_shown(spec.baseline)}) ÷ (目標{_shown(target)} − 基準{_shown(spec.baseline)})",
        )
    return _ratio(spec.direction, target, actual)


def _target_lies_ahead(direction: str, baseline: Decimal, target: Decimal) -> bool:
    """Whether the target lies from the baseline the way the indicator should move.

    Progress from baseline needs a gap to divide by, and a gap in the indicator's direction: an
    "increase" whose target sits below its baseline would otherwise score higher the further it fell.
    """
    if direction == "decrease":
        return target < baseline
    return target > baseline


def _ratio(direction: str, target: Decimal, actual: Decimal) -> Achievement:
    if target <= 0:
        # A ratio to zero or a negative number means nothing; judge only whether it was reached.
        reached = actual <= target if direction == "decrease" else actual >= target
        return _result(ONE if reached else ZERO, f"目標{_shown(target)}に到達していれば1、でなければ0")
    if direction == "decrease":
        return _result(2 - actual / target, f"2 − 実績{_shown(actual)} ÷ 目標{_shown(target)}")
    return _result(actual / target, f"実績{_shown(actual)} ÷ 目標{_shown(target)}")


def _maintain(target: Decimal, actual: Decimal, tolerance: Decimal) -> Achievement:
    gap = abs(actual - target) - tolerance
    formula = f"|実績{_shown(actual)} − 目標{_shown(target)}| が許容幅{_shown(tolerance)}以内なら1、外れた分だけ減点"
    if gap <= 0:
        return _result(ONE, formula)
    if target == 0:
        return _result(ZERO, formula)
    return _result(max(ZERO, 1 - gap / abs(target)), formula)


def _result(value: Decimal, formula: str) -> Achievement:
    value = _round(value)
    return Achievement(value, formula=formula, too_high=value > TOO_HIGH)


def propose_grade(value: Decimal | None, thresholds: Sequence[tuple[str, Decimal]], unrated: str) -> str:
    """The grade code whose lower bound `value` reaches, the best first.

    `thresholds` pairs a grade code with its lowest achievement, best grade first. A value below
    every bound gets the lowest grade; no value gets `unrated` (「−」).
    """
    if value is None or not thresholds:
        return unrated
    for code, minimum in thresholds:
        if value >= minimum:
            return code
    return thresholds[-1][0]


# Roll-ups ------------------------------------------------------------------------------------

# Action-goal completion as a score, used for a project only when no outcome indicator has a figure.
COMPLETION_SCORES = {"achieved": ONE, "partly": Decimal("0.5"), "not_achieved": ZERO}
NO_COMPLETION = "達成状況が未入力"
NO_FIGURE = "数値がない"
UNRATED = "評価不能のため件数の集計対象外"
NOTHING_TO_AVERAGE = "数値のある項目がないため計算できません"
EQUAL_WEIGHTS = (
    "数値のある項目を同じ重みで単純平均します。1.0（100%）を超える達成度は1.0、0未満は0として平均に入れます"
    "（一つの大幅な超過達成がほかの遅れを隠さないように、また一つの後退がほかの進捗を打ち消さないようにするため）。"
)


# What the items of a roll-up are, as pages name them.
KIND_LABELS = {
    "outcome_indicator": "成果指標",
    "measure_indicator": "施策目標値",
    "action_goal": "行動目標",
    "project": "事業",
    "initiative": "主な取組",
    "measure": "施策",
    "goal": "基本目標",
}


@dataclass(frozen=True)
class Exclusion:
    """An item left out of a figure or a count, and why."""

    kind: str  # a key of KIND_LABELS
    code: str
    reason: str
    name: str = ""

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass(frozen=True)
class Part:
    """One item offered to a roll-up: its figure, or the reason it has none."""

    kind: str
    code: str
    value: Decimal | None
    reason: str = ""
    name: str = ""


@dataclass(frozen=True)
class Term:
    """An item as a roll-up counted it."""

    kind: str
    code: str
    value: Decimal  # the item's own figure
    counted: Decimal  # the figure within [0, 1], as averaged
    name: str = ""

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def adjustment(self) -> str:
        """How the figure was brought within [0, 1] before averaging; "" when it was already inside."""
        if self.value > self.counted:
            return "上限1.0を適用"
        if self.value < self.counted:
            return "下限0を適用"
        return ""


@dataclass(frozen=True)
class Rollup:
    """An equal-weight mean and everything needed to re-check it by hand."""

    value: Decimal | None
    basis: str  # what was averaged, in words
    formula: str  # the sum written out with its result
    terms: tuple[Term, ...] = ()
    excluded: tuple[Exclusion, ...] = ()
    note: str = ""  # why this basis was used, when it is a fallback
    rule: str = EQUAL_WEIGHTS

    @property
    def weight(self) -> str:
        """Each counted item's weight, as a fraction: 「1/3」."""
        return f"1/{len(self.terms)}" if self.terms else "−"


def bounded(value: Decimal) -> Decimal:
    """An achievement as roll-ups count it: 1.0 at most, so one over-achievement cannot hide a
    shortfall elsewhere, and 0 at least, so one setback cannot cancel progress elsewhere."""
    return _round(min(max(value, ZERO), ONE))


def indicator_part(kind: str, code: str, result: Achievement, name: str = "") -> Part:
    return Part(kind, code, result.value, result.missing_reason, name)


def action_part(code: str, completion: str, name: str = "") -> Part:
    """An action goal's completion (達成=1, 一部達成=0.5, 未達成=0) as a roll-up input."""
    score = COMPLETION_SCORES.get(completion)
    return Part("action_goal", code, score, "" if score is not None else NO_COMPLETION, name)


def average(parts: Sequence[Part], *, basis: str) -> Rollup:
    """The equal-weight mean of the parts that have a figure; the others are listed as excluded."""
    terms = tuple(
        Term(p.kind, p.code, p.value, bounded(p.value), p.name) for p in parts if p.value is not None
    )
    excluded = tuple(
        Exclusion(p.kind, p.code, p.reason or NO_FIGURE, p.name) for p in parts if p.value is None
    )
    if not terms:
        return Rollup(None, basis, NOTHING_TO_AVERAGE, excluded=excluded)
    value = _round(sum(term.counted for term in terms) / len(terms))
    formula = f"（{' + '.join(str(term.counted) for term in terms)}）÷ {len(terms)} = {value}"
    return Rollup(value, basis, formula, terms, excluded)


def average_or_fallback(
    primary: Sequence[Part],
    fallback: Sequence[Part],
    *,
    primary_basis: str,
    fallback_basis: str,
    fallback_scoring: str = "",
) -> Rollup:
    """The mean of `primary`, or of `fallback` when no primary item has a figure.

    Primary items without a figure are listed as excluded either way; fallback items only when
    the fallback was needed. `fallback_scoring` says how fallback items were scored.
    """
    first = average(primary, basis=primary_basis)
    if first.value is not None:
        return first
    second = average(fallback, basis=fallback_basis)
    note = (
        f"{primary_basis}に数値がないため、{fallback_basis}{fallback_scoring}で計算しました。"
        if second.value is not None
        else f"{primary_basis}にも{fallback_basis}にも数値がない"
    )
    return replace(second, excluded=first.excluded + second.excluded, note=note)


def project_rollup(indicators: Sequence[Part], actions: Sequence[Part]) -> Rollup:
    """A project's figure: its outcome indicators, else its action goals' completion."""
    return average_or_fallback(
        indicators,
        actions,
        primary_basis="成果指標の達成度",
        fallback_basis="行動目標の達成状況",
        fallback_scoring="（達成=1、一部達成=0.5、未達成=0）",
    )


def measure_rollup(targets: Sequence[Part], projects: Sequence[Part]) -> Rollup:
    """A measure's figure: its target indicators (施策目標値), else its projects' figures."""
    return average_or_fallback(
        targets, projects, primary_basis="施策目標値の達成度", fallback_basis="構成事業の達成度"
    )


# Exclusions ----------------------------------------------------------------------------------

# A project in one of these states with no end year is left out of every year: the state has no date.
ENDED_STATES = {"abolished": "廃止された事業", "merged": "統合された事業", "suspended": "休止中の事業"}


def project_exclusion(
    *,
    status: str,
    start_year: int,
    end_year: int | None,
    year: int,
    merged_into: str = "",
    year_label: Callable[[int], str] = "{}年度".format,
) -> str:
    """Why a project is left out of `year`'s roll-ups, or "" when it counts.

    A project counts from its start year through its end year, the last year included: a project
    abolished, merged or completed at the end of a year still reports that year.
    """
    if year < start_year:
        return f"未開始（{year_label(start_year)}から実施）"
    ended = end_year is not None and year > end_year
    if status in ENDED_STATES and (end_year is None or ended):
        reason = ENDED_STATES[status]
        if status == "merged" and merged_into:
            reason = f"事業{merged_into}に統合された事業"
        return f"{reason}（{year_label(end_year)}まで実施）" if end_year is not None else reason
    if ended:
        return f"{year_label(end_year)}で終了した事業"
    return ""


# Grade counts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Graded:
    """An item offered to a grade count: its grade code, or None with the reason it is left out."""

    kind: str
    code: str
    grade: str | None
    reason: str = ""
    name: str = ""


@dataclass(frozen=True)
class GradeShare:
    grade: str
    count: int
    share: Decimal | None  # of the rated items; None when nothing was rated


@dataclass(frozen=True)
class Tally:
    """Counts and shares by grade, as the council report opens: 「A 38件（82.6%）」."""

    shares: tuple[GradeShare, ...]
    counted: tuple[Graded, ...]
    excluded: tuple[Exclusion, ...]

    @property
    def rated(self) -> int:
        return len(self.counted)

    @property
    def counts(self) -> dict[str, int]:
        return {line.grade: line.count for line in self.shares}

    def text(self, labels: Mapping[str, str] | None = None) -> str:
        """「A 38件（82.6%）、B 5件（10.9%）、C 3件（6.5%）（対象外 2件）」; `labels` renames grade codes."""
        labels = labels or {}
        lines = "、".join(
            f"{labels.get(line.grade, line.grade)} {line.count}件（{_percent(line.share)}）"
            for line in self.shares
        )
        if not self.counted:
            lines = "評価の対象となる項目がありません"
        return f"{lines}（対象外 {len(self.excluded)}件）" if self.excluded else lines


def _percent(share: Decimal | None) -> str:
    return "−" if share is None else f"{share * 100:.1f}%"


def tally(items: Sequence[Graded], *, rated: Sequence[str]) -> Tally:
    """Count `items` by grade; shares are over rated items only.

    An item with no grade, or with a grade outside `rated` (the unrated 「−」), is not counted:
    it is listed as excluded with its reason.
    """
    counted = tuple(item for item in items if item.grade in rated)
    excluded = tuple(
        Exclusion(item.kind, item.code, item.reason or UNRATED, item.name)
        for item in items
        if item.grade not in rated
    )
    return Tally(tuple(_share(code, counted) for code in rated), counted, excluded)


def _share(grade: str, counted: Sequence[Graded]) -> GradeShare:
    count = sum(1 for item in counted if item.grade == grade)
    return GradeShare(grade, count, _round(Decimal(count) / len(counted)) if counted else None)


# Forecast ------------------------------------------------------------------------------------

OUTLOOKS = {
    "on_track": "達成見込み",
    "at_risk": "未達のおそれ",
    "insufficient": "データ不足",
    "not_applicable": "予測の対象外",
}


@dataclass(frozen=True)
class Forecast:
    """Whether the linear trend of the yearly actuals reaches the final target in the final year."""

    outlook: str  # on_track | at_risk | insufficient | not_applicable
    points: int = 0
    projected: Decimal | None = None
    slope: Decimal | None = None  # change per year
    note: str = ""

    @property
    def label(self) -> str:
        return OUTLOOKS[self.outlook]


def forecast(spec: IndicatorSpec, actuals: Mapping[int, Decimal]) -> Forecast:
    """Least-squares line through the yearly actuals, read at the final year, against the final target.

    Fewer than two yearly actuals are too few for a line: 「データ不足」. Milestones, "achieve" and
    qualitative indicators, and indicators without a final target, are not forecast.
    """
    if spec.binary or spec.kind == "qualitative" or spec.final_target is None or spec.final_year is None:
        return Forecast(
            "not_applicable",
            len(actuals),
            note="実施・未実施や定性の指標、最終目標のない指標は予測しません。",
        )
    if len(actuals) < 2:
        return Forecast("insufficient", len(actuals), note="実績が2年度分以上そろうと予測できます。")
    slope, intercept = _least_squares(actuals)
    projected = _round(intercept + slope * spec.final_year)
    outlook = "on_track" if _reaches(spec, projected) else "at_risk"
    note = (
        f"{len(actuals)}年度分の実績の直線傾向（年{_shown(_round(slope))}）から、"
        f"{spec.final_year}年度は{_shown(projected)}の見込み（最終目標{_shown(spec.final_target)}）。"
    )
    return Forecast(outlook, len(actuals), projected, _round(slope), note)


def _least_squares(points: Mapping[int, Decimal]) -> tuple[Decimal, Decimal]:
    """Slope and intercept of the least-squares line; needs two distinct years, which mapping keys are."""
    n = Decimal(len(points))
    mean_x = sum(Decimal(x) for x in points) / n
    mean_y = sum(points.values()) / n
    spread = sum((Decimal(x) - mean_x) ** 2 for x in points)
    slope = sum((Decimal(x) - mean_x) * (y - mean_y) for x, y in points.items()) / spread
    return slope, mean_y - slope * mean_x


def _reaches(spec: IndicatorSpec, projected: Decimal) -> bool:
    if spec.direction == "decrease":
        return projected <= spec.final_target
    if spec.direction == "maintain":
        return abs(projected - spec.final_target) <= spec.tolerance
    return projected >= spec.final_target
