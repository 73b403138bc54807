"""The arithmetic of achievement and grades.

Pure functions on plain values: no ORM, nothing of ours imported, so every figure the portal
shows can be re-computed by hand from the rules in the README ("How figures are computed"):

* 進捗率 (progress rate), progress from the baseline, `(actual − baseline) / (target − baseline)`,
  for every kind of indicator (cumulative ones too) wherever a baseline lies behind the target in the
  indicator's direction; otherwise (no baseline, or target = baseline) the plain ratio
  `actual / target` (for a decrease `2 − actual / target`: 1.0 at the target, higher the lower the actual);
* 達成率 (attainment rate), the figure council members compute themselves: `actual / target` for an
  increase, `target / actual` for a decrease, where an actual of 0 on a decrease counts as met (1.0);
  a target of 0 or below is judged only as reached or not, so nothing is ever divided by zero;
* milestones and "achieve" indicators score 1 when done, 0 when not, in both figures;
* "maintain" indicators have a good side: at least the target when the target is above 0, at most
  the target when it is 0 or below (nothing can be kept below "zero incidents"); on the good side,
  widened by the tolerance, they score 1, else the ratio toward the target, in both figures;
* qualitative indicators are not scored; missing data is never zero.

The plan says which of the two figures grades (進捗率 by default). Figures are fractions (1.0 = target
met), never NaN or infinite, and kept unrounded: they are rounded half up (四捨五入) only when shown,
and a grade compares the figure as shown (to 0.1 %), so a grade never disagrees with its percentage.

Roll-ups (project → initiative → measure → goal → plan) are equal-weight means of the items
beneath that have a figure, each counted within [0, 1]; what has no figure or is left out is
listed with the reason, never counted as zero. Grade counts and shares are taken over rated items
only. A linear trend over the yearly actuals forecasts whether the final target will be reached.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

PLACES = Decimal("0.0001")
ONE = Decimal(1)
ZERO = Decimal(0)
TOO_HIGH = Decimal("1.5")
# Percentages are shown to one decimal (82.5%), so a fraction is shown to three places.
SHOWN_PLACES = Decimal("0.001")

# The two figures of an indicator, and which one a plan grades by.
PROGRESS = "progress"
ATTAINMENT = "attainment"
RATE_LABELS = {PROGRESS: "進捗率", ATTAINMENT: "達成率"}

# Reasons a figure is missing, shown to users as they are.
NOT_SCORED = "定性指標のため数値評価の対象外"
NO_TARGET = "この年度の目標値がない"
NO_ACTUAL = "実績未入力"
MISSING_BY_STATUS = {"tallying": "集計中", "not_surveyed": "調査未実施"}


# The hot value types below are named tuples or slotted classes rather than frozen dataclasses: a
# year's roll-up makes tens of thousands of them, and a tuple is built several times faster, takes
# less memory and, holding only numbers and text, is soon left alone by the garbage collector.


class IndicatorSpec(NamedTuple):
    """What the arithmetic needs to know about an indicator."""

    direction: str  # increase | decrease | maintain | achieve
    kind: str  # per_year | cumulative | rate | stock | milestone | qualitative
    baseline: Decimal | None = None
    baseline_year: int | None = None
    final_target: Decimal | None = None
    final_year: int | None = None
    tolerance: Decimal = ZERO
    yearly_targets: Mapping[int, Decimal] = {}  # shared when not given: never changed

    @property
    def binary(self) -> bool:
        return self.kind == "milestone" or self.direction == "achieve"


class YearTarget(NamedTuple):
    value: Decimal | None
    interpolated: bool = False


class Achievement:
    """An indicator's achievement in one year, or why there is none.

    `formula` is the calculation in words (「実績140 ÷ 目標150」). Pages show few of a year's formulas,
    so it is written when first read: the arithmetic hands over a template and its operands, as
    `(template, *operands)`, in place of the text.
    """

    __slots__ = ("_formula", "missing_reason", "value")

    def __init__(self, value: Decimal | None, formula: str | tuple = "", missing_reason: str = ""):
        self.value = value
        self.missing_reason = missing_reason
        self._formula = formula

    @property
    def formula(self) -> str:
        written = self._formula
        if isinstance(written, str):
            return written
        template, *operands = written
        return template.format(*(_shown(o) if isinstance(o, Decimal) else o for o in operands))

    @property
    def has_figure(self) -> bool:
        return self.value is not None

    @property
    def too_high(self) -> bool:
        """Over 150 % as shown: the target may have been set too low."""
        return self.value is not None and shown_fraction(self.value) > TOO_HIGH

    def _key(self) -> tuple:
        return (self.value, self.formula, self.missing_reason)

    def __eq__(self, other) -> bool:
        return isinstance(other, Achievement) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"Achievement({self.value!r}, formula={self.formula!r}, missing_reason={self.missing_reason!r})"
        )


def _round(value: Decimal) -> Decimal:
    """A target or a forecast to the four places the database keeps; achievements are never rounded."""
    return value.quantize(PLACES, rounding=ROUND_HALF_UP)


def _shown(value: Decimal) -> str:
    """A value as written in a formula, without the database's trailing zeros: 42.9000 → 42.9."""
    return f"{value.normalize():f}"


def shown_fraction(value: Decimal) -> Decimal:
    """A fraction as a percentage shows it, to 0.1 % rounded half up (四捨五入): 0.99996 → 1.000.

    Grades and the 150 % flag compare this figure, so they always agree with the printed percentage.
    """
    return value.quantize(SHOWN_PLACES, rounding=ROUND_HALF_UP)


def percent_text(value: Decimal | None, places: int = 1) -> str:
    """0.825 → 「82.5%」, rounded half up (四捨五入); no figure → 「−」."""
    if value is None:
        return "−"
    shown = (value * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{shown}%"


def fraction_text(value: Decimal) -> str:
    """A fraction as written in a roll-up's formula, to four places rounded half up: 0.83333… → 0.8333."""
    return str(value.quantize(PLACES, rounding=ROUND_HALF_UP))


def target_for_year(spec: IndicatorSpec, year: int) -> YearTarget:
    """The target for `year`: the one the plan states, else interpolated between the stated points.

    The known points are the baseline, the stated yearly targets and the final target; a year between
    two of them gets the straight line between them. After the final year the final target holds.
    Binary indicators are never interpolated: half a milestone means nothing.
    """
    stated = spec.yearly_targets
    if year in stated:
        return YearTarget(stated[year])
    has_final = spec.final_target is not None and spec.final_year is not None
    if has_final and year >= spec.final_year:
        return YearTarget(spec.final_target)
    if spec.binary or spec.kind == "qualitative":
        return YearTarget(None)
    points = dict(stated)
    if has_final:
        points[spec.final_year] = spec.final_target
    if spec.baseline is not None and spec.baseline_year is not None:
        points.setdefault(spec.baseline_year, spec.baseline)
    y0 = y1 = None  # the nearest known years before and after `year`
    for known in points:
        if known < year and (y0 is None or known > y0):
            y0 = known
        elif known > year and (y1 is None or known < y1):
            y1 = known
    if y0 is None or y1 is None:
        return YearTarget(None)
    v0, v1 = points[y0], points[y1]
    return YearTarget(_round(v0 + (v1 - v0) * (year - y0) / (y1 - y0)), True)


# The two figures of one indicator result -----------------------------------------------------


class IndicatorRates(NamedTuple):
    """An indicator result's 進捗率 and 達成率, and which of them grades (the plan's setting)."""

    progress: Achievement  # 進捗率
    attainment: Achievement  # 達成率
    graded_by: str = PROGRESS  # PROGRESS | ATTAINMENT

    @property
    def grading(self) -> Achievement:
        """The figure that grades and is averaged upwards."""
        return self.attainment if self.graded_by == ATTAINMENT else self.progress

    @property
    def grading_label(self) -> str:
        return RATE_LABELS[self.graded_by]


def indicator_rates(
    spec: IndicatorSpec,
    target: Decimal | None,
    actual: Decimal | None,
    status: str = "",
    *,
    graded_by: str = PROGRESS,
) -> IndicatorRates:
    """Both figures of one indicator result, for pages that show them side by side."""
    shared = _shared(spec, target, actual, status)
    if shared is not None:
        return IndicatorRates(shared, shared, graded_by)
    return IndicatorRates(_progress(spec, target, actual), _attainment(spec, target, actual), graded_by)


def progress_rate(
    spec: IndicatorSpec, target: Decimal | None, actual: Decimal | None, status: str = ""
) -> Achievement:
    """進捗率: progress of `actual` from the baseline toward `target`, else the plain ratio."""
    shared = _shared(spec, target, actual, status)
    return shared if shared is not None else _progress(spec, target, actual)


def attainment_rate(
    spec: IndicatorSpec, target: Decimal | None, actual: Decimal | None, status: str = ""
) -> Achievement:
    """達成率: `actual / target` for an increase, `target / actual` for a decrease."""
    shared = _shared(spec, target, actual, status)
    return shared if shared is not None else _attainment(spec, target, actual)


def _shared(
    spec: IndicatorSpec, target: Decimal | None, actual: Decimal | None, status: str
) -> Achievement | None:
    """The figure both rates agree on: none (and why), a milestone done or not, a level maintained
    or not; None when the two rates differ."""
    missing = _missing(spec, target, actual, status)
    if missing is not None:
        return missing
    if spec.binary:
        return _done(target, actual)
    if spec.direction == "maintain":
        return _maintain(target, actual, spec.tolerance)
    return None


def _progress(spec: IndicatorSpec, target: Decimal, actual: Decimal) -> Achievement:
    if spec.baseline is not None and _target_lies_ahead(spec, target):
        return _result(
            (actual - spec.baseline) / (target - spec.baseline),
            ("(実績{} − 基準{}) ÷ (目標{} − 基準{})", actual, spec.baseline, target, spec.baseline),
        )
    return _ratio(spec.direction, target, actual)


def _attainment(spec: IndicatorSpec, target: Decimal, actual: Decimal) -> Achievement:
    if spec.direction == "decrease":
        return _inverse_ratio(target, actual)
    if target <= 0:
        return _reached(actual >= target, target)
    return _result(actual / target, ("実績{} ÷ 目標{}", actual, target))


def _missing(
    spec: IndicatorSpec, target: Decimal | None, actual: Decimal | None, status: str
) -> Achievement | None:
    """Why there is no figure, or None when there can be one."""
    if spec.kind == "qualitative":
        return _NONE[NOT_SCORED]
    if actual is None:
        return _NONE[MISSING_BY_STATUS.get(status, NO_ACTUAL)]
    if target is None:
        return _NONE[NO_TARGET]
    return None


# Achievements are never changed, so every indicator without a figure for the same reason shares one.
_NONE = {
    reason: Achievement(None, missing_reason=reason)
    for reason in (NOT_SCORED, NO_TARGET, NO_ACTUAL, *MISSING_BY_STATUS.values())
}


def _done(target: Decimal, actual: Decimal) -> Achievement:
    done = actual >= target
    return _result(ONE if done else ZERO, ("実績{} ≧ 目標{} なら1、でなければ0", actual, target))


def _target_lies_ahead(spec: IndicatorSpec, target: Decimal) -> bool:
    """Whether the target lies from the baseline the way the indicator should move.

    Progress from baseline needs a gap to divide by, and a gap in the indicator's direction: an
    "increase" whose target sits below its baseline would otherwise score higher the further it fell.
    """
    if spec.direction == "decrease":
        return target < spec.baseline
    return target > spec.baseline


def _ratio(direction: str, target: Decimal, actual: Decimal) -> Achievement:
    """進捗率 where there is no baseline to start from."""
    if target <= 0:
        # A ratio to zero or a negative number means nothing; judge only whether it was reached.
        return _reached(actual <= target if direction == "decrease" else actual >= target, target)
    if direction == "decrease":
        return _result(2 - actual / target, ("2 − 実績{} ÷ 目標{}", actual, target))
    return _result(actual / target, ("実績{} ÷ 目標{}", actual, target))


def _inverse_ratio(target: Decimal, actual: Decimal) -> Achievement:
    """達成率 of a decrease: `target / actual`; an actual of 0 (or below) is at its best, so met."""
    if target > 0 and actual > 0:
        return _result(target / actual, ("目標{} ÷ 実績{}", target, actual))
    if target >= 0 and actual <= 0:
        return _result(ONE, ("実績{}（減らす指標で0以下）は達成とみなして1", actual))
    return _reached(actual <= target, target)


def _reached(reached: bool, target: Decimal) -> Achievement:
    return _result(ONE if reached else ZERO, ("目標{}に到達していれば1、でなければ0", target))


def maintain_side(target: Decimal) -> str:
    """The good side of a "maintain" indicator: 「以上」 (at least) or 「以下」 (at most) the target.

    Indicators store no side: a target above 0 is a level held up (drills a year, availability,
    satisfaction), so at least it is good; a target of 0 or below can only be kept from above
    ("zero incidents"), so at most it is good.
    """
    return "以上" if target > 0 else "以下"


def _maintain(target: Decimal, actual: Decimal, tolerance: Decimal) -> Achievement:
    side = maintain_side(target)
    kept = actual >= target - tolerance if side == "以上" else actual <= target + tolerance
    rule = "目標{}{}（許容幅{}）を維持"
    if kept:
        return _result(ONE, (f"実績{{}}は{rule}しているので1", actual, target, side, tolerance))
    if side == "以上":
        return _result(
            actual / target,
            (f"{rule}できていないので 実績{{}} ÷ 目標{{}}", target, side, tolerance, actual, target),
        )
    # At most a target of 0 or below: a ratio toward it means nothing, so only kept or not counts.
    return _result(ZERO, (f"実績{{}}は{rule}できていないので0", actual, target, side, tolerance))


def _result(value: Decimal, formula: tuple) -> Achievement:
    """A figure with its formula as `(template, *operands)`, written when first read."""
    return Achievement(value, formula)


def propose_grade(value: Decimal | None, thresholds: Sequence[tuple[str, Decimal]], unrated: str) -> str:
    """The grade code whose lower bound `value`, as shown (to 0.1 %), reaches, the best first.

    `thresholds` pairs a grade code with its lowest achievement, best grade first. A value below
    every bound gets the lowest grade; no value gets `unrated` (「−」). Comparing the shown figure
    means 0.99996, printed 「100.0%」, earns the grade of 100 %, never the one below.
    """
    if value is None or not thresholds:
        return unrated
    shown = shown_fraction(value)
    for code, minimum in thresholds:
        if shown >= minimum:
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


class Exclusion(NamedTuple):
    """An item left out of a figure or a count, and why."""

    kind: str  # a key of KIND_LABELS
    code: str
    reason: str
    name: str = ""

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


class Part(NamedTuple):
    """One item offered to a roll-up: its figure, or the reason it has none."""

    kind: str
    code: str
    value: Decimal | None
    reason: str = ""
    name: str = ""


class Term(NamedTuple):
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


class Rollup(NamedTuple):
    """An equal-weight mean and everything needed to re-check it by hand.

    It keeps the `parts` it was offered; the `terms` it averaged, the items it `excluded` and its
    `formula` are worked out from them when read: a page explains a few of a year's thousands of
    roll-ups."""

    value: Decimal | None
    basis: str  # what was averaged, in words
    parts: tuple[Part, ...] = ()  # those with a figure were averaged, the others left out
    note: str = ""  # why this basis was used, when it is a fallback
    rule: str = EQUAL_WEIGHTS
    missing_reason: str = NOTHING_TO_AVERAGE  # written as the formula when there is no value
    passed_over: tuple[
        Part, ...
    ] = ()  # the first basis's items, none with a figure, when a fallback was used

    @property
    def terms(self) -> tuple[Term, ...]:
        """The items averaged, each with its figure as counted (within [0, 1])."""
        return tuple(
            Term(p.kind, p.code, p.value, bounded(p.value), p.name) for p in self.parts if p.value is not None
        )

    @property
    def excluded(self) -> tuple[Exclusion, ...]:
        """The items left out, with why: those of the first basis when a fallback was used, then the others."""
        return tuple(
            Exclusion(p.kind, p.code, p.reason or NO_FIGURE, p.name)
            for p in (*self.passed_over, *self.parts)
            if p.value is None
        )

    @property
    def formula(self) -> str:
        """The sum written out with its result: 「（1.0000 + 0.6000）÷ 2 = 0.8000」."""
        if self.value is None:
            return self.missing_reason
        terms = self.terms
        written = " + ".join(fraction_text(term.counted) for term in terms)
        return f"（{written}）÷ {len(terms)} = {fraction_text(self.value)}"

    @property
    def weight(self) -> str:
        """Each counted item's weight, as a fraction: 「1/3」."""
        counted = sum(1 for p in self.parts if p.value is not None)
        return f"1/{counted}" if counted else "−"


def bounded(value: Decimal) -> Decimal:
    """An achievement as roll-ups count it: 1.0 at most, so one over-achievement cannot hide a
    shortfall elsewhere, and 0 at least, so one setback cannot cancel progress elsewhere."""
    # Comparisons rather than min(max(…)), which costs five times as much on Decimals.
    if value > ONE:
        return ONE
    if value < ZERO:
        return ZERO
    return value


def indicator_part(kind: str, code: str, result: Achievement, name: str = "") -> Part:
    return Part(kind, code, result.value, result.missing_reason, name)


def action_part(code: str, completion: str, name: str = "") -> Part:
    """An action goal's completion (達成=1, 一部達成=0.5, 未達成=0) as a roll-up input."""
    score = COMPLETION_SCORES.get(completion)
    return Part("action_goal", code, score, "" if score is not None else NO_COMPLETION, name)


def average(parts: Iterable[Part], *, basis: str) -> Rollup:
    """The equal-weight mean of the parts that have a figure; the others are listed as excluded."""
    parts = tuple(parts)
    counted = [bounded(part.value) for part in parts if part.value is not None]
    if not counted:
        return Rollup(None, basis, parts)
    return Rollup(sum(counted) / len(counted), basis, parts)


def average_or_fallback(
    primary: Iterable[Part],
    fallback: Iterable[Part],
    *,
    primary_basis: str,
    fallback_basis: str,
    fallback_scoring: str = "",
) -> Rollup:
    """The mean of `primary`, or of `fallback` when no primary item has a figure.

    Primary items without a figure are listed as excluded either way; fallback items only when
    the fallback was needed (so `fallback` may be a generator, read only then).
    `fallback_scoring` says how fallback items were scored.
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
    # Built directly rather than with `dataclasses.replace`, which costs several times as much.
    return Rollup(second.value, second.basis, second.parts, note, second.rule, passed_over=first.parts)


def project_rollup(indicators: Iterable[Part], actions: Iterable[Part]) -> Rollup:
    """A project's figure: its outcome indicators, else its action goals' completion."""
    return average_or_fallback(
        indicators,
        actions,
        primary_basis="成果指標の達成度",
        fallback_basis="行動目標の達成状況",
        fallback_scoring="（達成=1、一部達成=0.5、未達成=0）",
    )


def measure_rollup(targets: Iterable[Part], projects: Iterable[Part]) -> Rollup:
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


class Graded(NamedTuple):
    """An item offered to a grade count: its grade code, or None with the reason it is left out."""

    kind: str
    code: str
    grade: str | None
    reason: str = ""
    name: str = ""


@dataclass(frozen=True, slots=True)
class GradeShare:
    grade: str
    count: int
    share: Decimal | None  # of the rated items; None when nothing was rated


@dataclass(frozen=True, slots=True)
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
            f"{labels.get(line.grade, line.grade)} {line.count}件（{percent_text(line.share)}）"
            for line in self.shares
        )
        if not self.counted:
            lines = "評価の対象となる項目がありません"
        return f"{lines}（対象外 {len(self.excluded)}件）" if self.excluded else lines


def tally(items: Sequence[Graded], *, rated: Sequence[str]) -> Tally:
    """Count `items` by grade; shares are over rated items only.

    An item with no grade, or with a grade outside `rated` (the unrated 「−」), is not counted:
    it is listed as excluded with its reason.
    """
    counts = dict.fromkeys(rated, 0)
    counted: list[Graded] = []
    excluded: list[Exclusion] = []
    for item in items:
        if item.grade in counts:
            counts[item.grade] += 1
            counted.append(item)
        else:
            excluded.append(Exclusion(item.kind, item.code, item.reason or UNRATED, item.name))
    shares = tuple(_share(code, count, len(counted)) for code, count in counts.items())
    return Tally(shares, tuple(counted), tuple(excluded))


def _share(grade: str, count: int, total: int) -> GradeShare:
    return GradeShare(grade, count, Decimal(count) / total if total else None)


# Forecast ------------------------------------------------------------------------------------

OUTLOOKS = {
    "on_track": "達成見込み",
    "at_risk": "未達のおそれ",
    "insufficient": "データ不足",
    "not_applicable": "予測の対象外",
}


NOT_FORECAST = "実施・未実施や定性の指標、最終目標のない指標は予測しません。"
TOO_FEW_ACTUALS = "実績が2年度分以上そろうと予測できます。"


class Forecast(NamedTuple):
    """Whether the linear trend of the yearly actuals reaches the final target in the final year."""

    outlook: str  # on_track | at_risk | insufficient | not_applicable
    points: int = 0
    projected: Decimal | None = None
    slope: Decimal | None = None  # change per year
    final_target: Decimal | None = None  # what `projected` is held against, in `final_year`
    final_year: int | None = None

    @property
    def label(self) -> str:
        return OUTLOOKS[self.outlook]

    @property
    def note(self) -> str:
        """The forecast in words, written when read (pages show few of a year's forecasts)."""
        if self.outlook == "not_applicable":
            return NOT_FORECAST
        if self.outlook == "insufficient":
            return TOO_FEW_ACTUALS
        return (
            f"{self.points}年度分の実績の直線傾向（年{_shown(self.slope)}）から、"
            f"{self.final_year}年度は{_shown(self.projected)}の見込み（最終目標{_shown(self.final_target)}）。"
        )


def forecast(spec: IndicatorSpec, actuals: Mapping[int, Decimal]) -> Forecast:
    """Least-squares line through the yearly actuals, read at the final year, against the final target.

    Fewer than two yearly actuals are too few for a line: 「データ不足」. Milestones, "achieve" and
    qualitative indicators, and indicators without a final target, are not forecast.
    """
    if spec.binary or spec.kind == "qualitative" or spec.final_target is None or spec.final_year is None:
        return _no_line("not_applicable", len(actuals))
    if len(actuals) < 2:
        return _no_line("insufficient", len(actuals))
    slope, intercept = _least_squares(actuals)
    projected = _round(intercept + slope * spec.final_year)
    outlook = "on_track" if _reaches(spec, projected) else "at_risk"
    return Forecast(outlook, len(actuals), projected, _round(slope), spec.final_target, spec.final_year)


def _no_line(outlook: str, points: int) -> Forecast:
    """A forecast without a line; equal ones are shared (forecasts are never changed)."""
    key = (outlook, points)
    found = _NO_LINE.get(key)
    if found is None:
        found = _NO_LINE[key] = Forecast(outlook, points)
    return found


_NO_LINE: dict[tuple[str, int], Forecast] = {}


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
    if spec.direction == "maintain":  # on its good side, as `_maintain` scores it
        if maintain_side(spec.final_target) == "以上":
            return projected >= spec.final_target - spec.tolerance
        return projected <= spec.final_target + spec.tolerance
    return projected >= spec.final_target
