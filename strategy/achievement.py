"""The arithmetic of achievement and grades.

Pure functions on plain values: no ORM, nothing of ours imported, so every figure the portal
shows can be re-computed by hand from the rules in PRACTICE.md:

* progress from baseline, `(actual − baseline) / (target − baseline)`, by default;
* plain ratio `actual / target` for cumulative indicators and where there is no baseline;
  for a decrease `2 − actual / target` (1.0 at the target, higher the lower the actual);
* milestones and "achieve" indicators score 1 when done, 0 when not;
* "maintain" scores 1 inside the tolerance and falls off linearly outside it;
* qualitative indicators are not scored; missing data is never zero.

Achievement is a fraction (1.0 = target met), rounded to four places; it is never NaN or infinite.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
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
        return _result(ONE if done else ZERO, f"実績{actual} ≧ 目標{target} なら1、でなければ0")
    if spec.direction == "maintain":
        return _maintain(target, actual, spec.tolerance)
    use_progress = (
        spec.rule == "progress"
        and spec.kind != "cumulative"
        and spec.baseline is not None
        and target != spec.baseline
    )
    if use_progress:
        value = (actual - spec.baseline) / (target - spec.baseline)
        return _result(value, f"(実績{actual} − 基準{spec.baseline}) ÷ (目標{target} − 基準{spec.baseline})")
    return _ratio(spec.direction, target, actual)


def _ratio(direction: str, target: Decimal, actual: Decimal) -> Achievement:
    if target <= 0:
        # A ratio to zero or a negative number means nothing; judge only whether it was reached.
        reached = actual <= target if direction == "decrease" else actual >= target
        return _result(ONE if reached else ZERO, f"目標{target}に到達していれば1、でなければ0")
    if direction == "decrease":
        return _result(2 - actual / target, f"2 − 実績{actual} ÷ 目標{target}")
    return _result(actual / target, f"実績{actual} ÷ 目標{target}")


def _maintain(target: Decimal, actual: Decimal, tolerance: Decimal) -> Achievement:
    gap = abs(actual - target) - tolerance
    formula = f"|実績{actual} − 目標{target}| が許容幅{tolerance}以内なら1、外れた分だけ減点"
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
