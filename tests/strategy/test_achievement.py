"""The arithmetic of achievement, roll-ups, grade counts and forecasts, checked against hand computation."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from strategy.achievement import (
    EQUAL_WEIGHTS,
    Achievement,
    Exclusion,
    Graded,
    IndicatorSpec,
    Part,
    YearTarget,
    action_part,
    attainment_rate,
    average,
    forecast,
    indicator_part,
    indicator_rates,
    maintain_side,
    measure_rollup,
    percent_text,
    progress_rate,
    project_exclusion,
    project_rollup,
    propose_grade,
    tally,
    target_for_year,
)

D = Decimal
SCALE = [("A", D("1.000")), ("B", D("0.800")), ("C", D("0.000"))]


def spec(**fields) -> IndicatorSpec:
    values = {
        "direction": "increase",
        "kind": "per_year",
        "baseline": D(100),
        "baseline_year": 2022,
        "final_target": D(200),
        "final_year": 2027,
    }
    values.update(fields)
    return IndicatorSpec(**values)


# Achievement per indicator ---------------------------------------------------------------------


def test_progress_from_baseline_for_an_increase():
    result = progress_rate(spec(), D(150), D(140))
    assert result == Achievement(D("0.8000"), formula="(実績140 − 基準100) ÷ (目標150 − 基準100)")


def test_progress_from_baseline_for_a_decrease():
    # 75 → 40 minutes; 54 minutes is (54 − 75) / (40 − 75) = −21 / −35 = 0.6 of the way.
    result = progress_rate(spec(direction="decrease", baseline=D(75), final_target=D(40)), D(40), D(54))
    assert result.value == D("0.6000")


@pytest.mark.parametrize(
    ("direction", "actual", "expected", "formula"),
    [
        ("increase", D(90), D("0.9000"), "実績90 ÷ 目標100"),
        # A decrease scores 2 − actual / target: 40 against 100 is 2 − 0.4 = 1.6.
        ("decrease", D(40), D("1.6000"), "2 − 実績40 ÷ 目標100"),
    ],
)
def test_target_equal_to_baseline_falls_back_to_the_plain_ratio(direction, actual, expected, formula):
    # Progress from baseline would divide by zero when the target is the baseline.
    result = progress_rate(spec(direction=direction), D(100), actual)
    assert (result.value, result.formula) == (expected, formula)


@pytest.mark.parametrize(("actual", "expected"), [(D(0), D(1)), (D("-1"), D(1)), (D(3), D(0))])
def test_zero_target_for_a_decrease_without_baseline_is_reached_or_not(actual, expected):
    result = progress_rate(spec(direction="decrease", baseline=None), D(0), actual)
    assert (result.value, result.formula) == (expected, "目標0に到達していれば1、でなければ0")


def test_zero_target_for_a_decrease_with_a_baseline_uses_progress():
    # 10 incidents → 0: three left is (3 − 10) / (0 − 10) = 0.7.
    assert progress_rate(spec(direction="decrease", baseline=D(10)), D(0), D(3)).value == D("0.7000")


@pytest.mark.parametrize(
    ("fields", "target", "actual", "expected"),
    [
        # Net migration from −5 to +5: reaching 0 is (0 + 5) / (5 + 5) = 0.5.
        ({"baseline": D(-5)}, D(5), D(0), D("0.5000")),
        # A balance to bring down from 0 to −10: −4 is (−4 − 0) / (−10 − 0) = 0.4.
        ({"direction": "decrease", "baseline": D(0)}, D(-10), D(-4), D("0.4000")),
        # No baseline and a negative target: only whether it was reached counts.
        ({"baseline": None}, D(-2), D(-1), D(1)),
        ({"baseline": None}, D(-2), D(-3), D(0)),
    ],
)
def test_negative_values(fields, target, actual, expected):
    assert progress_rate(spec(**fields), target, actual).value == expected


def test_a_cumulative_indicator_with_a_baseline_scores_progress_from_it():
    # 150 datasets at baseline, 275 targeted this year: none added is no progress, not 150 / 275 = 55 %.
    cumulative = spec(kind="cumulative", baseline=D(150))
    assert progress_rate(cumulative, D(275), D(150)).value == 0
    # 420 procedures at baseline, 540 targeted, 564 reached: (564 − 420) / (540 − 420) = 1.2.
    result = progress_rate(spec(kind="cumulative", baseline=D(420)), D(540), D(564))
    assert (result.value, result.formula) == (D("1.2"), "(実績564 − 基準420) ÷ (目標540 − 基準420)")


def test_a_cumulative_indicator_without_a_baseline_uses_the_plain_ratio():
    result = progress_rate(spec(kind="cumulative", baseline=None), D(540), D(270))
    assert (result.value, result.formula) == (D("0.5"), "実績270 ÷ 目標540")


def test_an_increase_whose_target_sits_below_its_baseline_is_scored_by_ratio():
    # Progress would divide by a negative gap and reward falling further; the ratio does not.
    assert progress_rate(spec(baseline=D(10)), D(5), D(4)).value == D("0.8000")


def test_interim_years_interpolate_between_baseline_and_final_target():
    plain = spec()
    assert target_for_year(plain, 2024) == YearTarget(D("140.0000"), interpolated=True)
    assert target_for_year(plain, 2027) == YearTarget(D(200))
    assert target_for_year(plain, 2028) == YearTarget(D(200))
    assert target_for_year(plain, 2021) == YearTarget(None)
    # A stated yearly target wins and bends the line: 2024 lies two thirds from 2022 (100) to 2025 (150).
    stated = spec(yearly_targets={2025: D(150)})
    assert target_for_year(stated, 2025) == YearTarget(D(150))
    assert target_for_year(stated, 2024) == YearTarget(D("133.3333"), interpolated=True)
    assert target_for_year(stated, 2026) == YearTarget(D("175.0000"), interpolated=True)


def test_achievement_in_an_interpolated_year():
    plain = spec()
    target = target_for_year(plain, 2024).value
    assert progress_rate(plain, target, D(130)).value == D("0.7500")  # (130 − 100) / (140 − 100)


# 達成率 beside the 進捗率 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "target", "actual", "value", "formula"),
    [
        # An increase: actual ÷ target, whatever the baseline.
        ({}, D(150), D(140), D(140) / D(150), "実績140 ÷ 目標150"),
        # A decrease: target ÷ actual; 54 minutes against 40 is 40 / 54.
        ({"direction": "decrease", "baseline": D(75)}, D(40), D(54), D(40) / D(54), "目標40 ÷ 実績54"),
        ({"direction": "decrease", "baseline": D(75)}, D(40), D(20), D(2), "目標40 ÷ 実績20"),
        # An actual of 0 on a decrease is met, never a division by zero.
        ({"direction": "decrease"}, D(5), D(0), D(1), "実績0（減らす指標で0以下）は達成とみなして1"),
        ({"direction": "decrease"}, D(0), D(0), D(1), "実績0（減らす指標で0以下）は達成とみなして1"),
        ({"direction": "decrease"}, D(0), D(3), D(0), "目標0に到達していれば1、でなければ0"),
        # A target of 0 on an increase: reached or not.
        ({}, D(0), D(2), D(1), "目標0に到達していれば1、でなければ0"),
    ],
)
def test_attainment_rate_as_council_members_compute_it(fields, target, actual, value, formula):
    result = attainment_rate(spec(**fields), target, actual)
    assert (result.value, result.formula) == (value, formula)


def test_both_figures_of_one_result_and_the_one_that_grades():
    # 100 → 150 targeted, 140 reached: 進捗率 (140 − 100) / (150 − 100) = 0.8, 達成率 140 / 150.
    rates = indicator_rates(spec(), D(150), D(140))
    assert (rates.progress.value, rates.attainment.value) == (D("0.8"), D(140) / D(150))
    assert (rates.grading, rates.grading_label) == (rates.progress, "進捗率")
    by_attainment = indicator_rates(spec(), D(150), D(140), graded_by="attainment")
    assert (by_attainment.grading, by_attainment.grading_label) == (by_attainment.attainment, "達成率")
    missing = indicator_rates(spec(), D(150), None, "tallying")
    assert (missing.progress.missing_reason, missing.attainment.missing_reason) == ("集計中", "集計中")


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        ("tallying", "集計中"),
        ("not_surveyed", "調査未実施"),
        ("not_entered", "実績未入力"),
        ("", "実績未入力"),
    ],
)
def test_missing_data_is_no_figure_with_its_reason_never_zero(status, reason):
    assert progress_rate(spec(), D(150), None, status) == Achievement(None, missing_reason=reason)


def test_no_target_and_qualitative_indicators_have_no_figure():
    assert progress_rate(spec(), None, D(5)).missing_reason == "この年度の目標値がない"
    assert (
        progress_rate(spec(kind="qualitative"), D(1), D(1)).missing_reason == "定性指標のため数値評価の対象外"
    )


@pytest.mark.parametrize(
    ("actual", "value", "too_high"),
    [
        (D(175), D("1.5"), False),
        # 150.02 % is printed 「150.0%」: flagging it would disagree with the figure beside it.
        (D("175.01"), D("1.5002"), False),
        (D("175.03"), D("1.5006"), True),  # printed 「150.1%」
        (D(300), D(4), True),
    ],
)
def test_rates_over_150_percent_as_printed_are_flagged_as_a_possibly_low_target(actual, value, too_high):
    result = progress_rate(spec(), D(150), actual)
    assert (result.value, result.too_high) == (value, too_high)


@pytest.mark.parametrize(("actual", "expected"), [(D(1), D(1)), (D(0), D(0))])
def test_milestones_score_done_or_not(actual, expected):
    milestone = spec(kind="milestone", direction="achieve", baseline=D(0), final_target=D(1))
    assert progress_rate(milestone, D(1), actual).value == expected


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        (D("99.85"), D(1)),  # short by less than the tolerance
        (D("100.0"), D(1)),  # above: the good side
        (D("99.0"), D("99.0") / D("99.9")),  # short: the ratio toward the target
    ],
)
def test_maintain_scores_one_on_the_good_side_widened_by_the_tolerance(actual, expected):
    maintain = spec(direction="maintain", baseline=D("99.9"), final_target=D("99.9"), tolerance=D("0.1"))
    assert progress_rate(maintain, D("99.9"), actual).value == expected
    assert attainment_rate(maintain, D("99.9"), actual).value == expected


@pytest.mark.parametrize(
    ("actual", "expected", "formula"),
    [
        (D(3), D(1), "実績3は目標2以上（許容幅0）を維持しているので1"),
        (D(2), D(1), "実績2は目標2以上（許容幅0）を維持しているので1"),
        (D(1), D("0.5"), "目標2以上（許容幅0）を維持できていないので 実績1 ÷ 目標2"),
    ],
)
def test_maintaining_drills_more_than_planned_is_met(actual, expected, formula):
    drills = spec(direction="maintain", baseline=D(2), final_target=D(2))
    result = progress_rate(drills, D(2), actual)
    assert (result.value, result.formula) == (expected, formula)


@pytest.mark.parametrize(("actual", "expected"), [(D(0), D(1)), (D(2), D(0))])
def test_maintaining_zero_is_met_only_at_zero(actual, expected):
    zero = spec(direction="maintain", baseline=D(0), final_target=D(0))
    assert maintain_side(D(0)) == "以下"
    assert progress_rate(zero, D(0), actual).value == expected


@pytest.mark.parametrize(
    ("value", "grade"),
    [
        (D("1.2"), "A"),
        (D(1), "A"),
        (D("0.8"), "B"),
        (D("0.7994"), "C"),
        (D("-0.5"), "C"),
        (None, "−"),
    ],
)
def test_proposed_grade_is_the_best_grade_whose_bound_is_reached(value, grade):
    assert propose_grade(value, SCALE, "−") == grade


@pytest.mark.parametrize(
    ("value", "shown", "grade"),
    [
        (D("0.99996"), "100.0%", "A"),
        (D("0.99949"), "99.9%", "B"),
        (D("0.79995"), "80.0%", "B"),
        (D("0.79949"), "79.9%", "C"),
    ],
)
def test_a_grade_never_disagrees_with_the_percentage_printed_beside_it(value, shown, grade):
    assert (percent_text(value), propose_grade(value, SCALE, "−")) == (shown, grade)


@pytest.mark.parametrize(
    ("value", "shown"),
    # Half up (四捨五入), not half to even: 82.25 → 82.3 and 82.45 → 82.5.
    [(D("0.8225"), "82.3%"), (D("0.8245"), "82.5%"), (D("0.99996"), "100.0%"), (None, "−")],
)
def test_percentages_round_half_up_at_display(value, shown):
    assert percent_text(value) == shown


# Roll-ups --------------------------------------------------------------------------------------


def test_a_project_averages_its_indicators_capping_over_achievement_at_one():
    rollup = project_rollup(
        [Part("outcome_indicator", "1", D("1.6000")), Part("outcome_indicator", "2", D("0.6000"))], []
    )
    assert rollup.value == D("0.8000")  # (1.0 + 0.6) / 2, not (1.6 + 0.6) / 2 = 1.1
    assert rollup.formula == "（1.0000 + 0.6000）÷ 2 = 0.8000"
    assert [term.adjustment for term in rollup.terms] == ["上限1.0を適用", ""]
    assert rollup.weight == "1/2"
    assert rollup.rule == EQUAL_WEIGHTS
    assert "1.0（100%）を超える達成度は1.0" in rollup.rule and "同じ重み" in rollup.rule


def test_a_setback_counts_as_zero_not_as_a_debt():
    rollup = average(
        [Part("project", "a", D("-0.5000")), Part("project", "b", D(1))], basis="構成事業の達成度"
    )
    assert rollup.value == D("0.5000")
    assert [term.adjustment for term in rollup.terms] == ["下限0を適用", ""]


def test_a_project_without_indicator_figures_falls_back_to_its_action_goals():
    rollup = project_rollup(
        [indicator_part("outcome_indicator", "1", Achievement(None, missing_reason="集計中"), "利用件数")],
        [action_part("1", "achieved"), action_part("2", "partly"), action_part("3", "not_achieved")],
    )
    assert rollup.value == D("0.5000")  # (1 + 0.5 + 0) / 3
    assert rollup.basis == "行動目標の達成状況"
    assert (
        rollup.note
        == "成果指標の達成度に数値がないため、行動目標の達成状況（達成=1、一部達成=0.5、未達成=0）で計算しました。"
    )
    assert rollup.excluded == (Exclusion("outcome_indicator", "1", "集計中", "利用件数"),)


def test_a_project_with_no_figure_at_all_has_none_and_lists_why():
    rollup = project_rollup([Part("outcome_indicator", "1", None, "実績未入力")], [action_part("1", "")])
    assert rollup.value is None
    assert rollup.note == "成果指標の達成度にも行動目標の達成状況にも数値がない"
    assert rollup.excluded == (
        Exclusion("outcome_indicator", "1", "実績未入力"),
        Exclusion("action_goal", "1", "達成状況が未入力"),
    )


def test_a_measure_uses_its_targets_and_its_projects_only_without_them():
    projects = [Part("project", "1-1-1-01", D("0.5"))]
    with_targets = measure_rollup([Part("measure_indicator", "1-1-1", D("0.9"))], projects)
    assert (with_targets.value, with_targets.basis, with_targets.excluded) == (
        D("0.9000"),
        "施策目標値の達成度",
        (),
    )
    without = measure_rollup([Part("measure_indicator", "1-1-1", None, "集計中")], projects)
    assert (without.value, without.basis) == (D("0.5000"), "構成事業の達成度")


def test_grade_counts_and_shares_as_the_council_report_opens():
    items = [Graded("project", f"A{n}", "A") for n in range(38)]
    items += [Graded("project", f"B{n}", "B") for n in range(5)]
    items += [Graded("project", f"C{n}", "C") for n in range(3)]
    items += [
        Graded("project", "x", "−", "評価者が「評価不能」と評価"),
        Graded("project", "y", None, "休止中の事業"),
    ]
    counted = tally(items, rated=["A", "B", "C"])
    assert counted.counts == {"A": 38, "B": 5, "C": 3}
    assert [line.share for line in counted.shares] == [D(38) / 46, D(5) / 46, D(3) / 46]
    assert counted.text() == "A 38件（82.6%）、B 5件（10.9%）、C 3件（6.5%）（対象外 2件）"
    assert counted.excluded == (
        Exclusion("project", "x", "評価者が「評価不能」と評価"),
        Exclusion("project", "y", "休止中の事業"),
    )


def test_nothing_rated_has_no_shares_rather_than_a_division_by_zero():
    counted = tally([Graded("project", "x", None, "未開始")], rated=["A", "B"])
    assert [line.share for line in counted.shares] == [None, None]
    assert counted.text({"A": "A（予定どおり）"}) == "評価の対象となる項目がありません（対象外 1件）"


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"status": "running", "start_year": 2025}, "未開始（2025年度から実施）"),
        ({"status": "abolished"}, "廃止された事業"),
        ({"status": "abolished", "end_year": 2024}, ""),  # its last year still reports
        ({"status": "abolished", "end_year": 2023}, "廃止された事業（2023年度まで実施）"),
        ({"status": "merged", "merged_into": "1-1-1-01"}, "事業1-1-1-01に統合された事業"),
        ({"status": "suspended"}, "休止中の事業"),
        ({"status": "completed", "end_year": 2023}, "2023年度で終了した事業"),
        ({"status": "completed", "end_year": 2024}, ""),
        ({"status": "running"}, ""),
    ],
)
def test_projects_left_out_of_a_year_say_why(fields, reason):
    values = {"start_year": 2020, "end_year": None, "year": 2024, **fields}
    assert project_exclusion(**values) == reason


# Forecast ----------------------------------------------------------------------------------------


def test_one_year_of_actuals_is_too_few_for_a_trend():
    result = forecast(spec(), {2024: D(140)})
    assert (result.outlook, result.label, result.points, result.projected) == (
        "insufficient",
        "データ不足",
        1,
        None,
    )


@pytest.mark.parametrize(
    ("fields", "actuals", "outlook", "projected"),
    [
        # +30 a year from 140: 230 in 2027 against 200.
        ({}, {2024: D(140), 2025: D(170)}, "on_track", D("230.0000")),
        # Least squares over 10, 14, 15: slope 2.5 through (2025, 13), so 18 in 2027 against 20.
        ({"final_target": D(20)}, {2024: D(10), 2025: D(14), 2026: D(15)}, "at_risk", D("18.0000")),
        # Minutes down 8 a year from 60: 36 in 2027, under the 40 aimed for.
        (
            {"direction": "decrease", "final_target": D(40)},
            {2024: D(60), 2025: D(52)},
            "on_track",
            D("36.0000"),
        ),
        (
            {"direction": "decrease", "final_target": D(40)},
            {2024: D(60), 2025: D(58)},
            "at_risk",
            D("54.0000"),
        ),
        ({"direction": "maintain", "final_target": D(2)}, {2024: D(2), 2025: D(2)}, "on_track", D("2.0000")),
    ],
)
def test_linear_trend_to_the_final_year_respects_direction(fields, actuals, outlook, projected):
    result = forecast(spec(**fields), actuals)
    assert (result.outlook, result.projected, result.points) == (outlook, projected, len(actuals))


def test_milestones_are_not_forecast():
    milestone = spec(kind="milestone", direction="achieve", final_target=D(1))
    assert forecast(milestone, {2024: D(0), 2025: D(1)}).outlook == "not_applicable"


# Properties ----------------------------------------------------------------------------------------

# Any value the database can hold (16 digits, 4 of them decimals).
values = st.decimals(
    min_value=D("-999999999999.9999"), max_value=D("999999999999.9999"), places=4, allow_nan=False
)
specs = st.builds(
    IndicatorSpec,
    direction=st.sampled_from(["increase", "decrease", "maintain", "achieve"]),
    kind=st.sampled_from(["per_year", "cumulative", "rate", "stock", "milestone", "qualitative"]),
    baseline=st.none() | values,
    final_target=st.none() | values,
    final_year=st.just(2027),
    tolerance=st.decimals(min_value=0, max_value=1000, places=4),
)


@given(specs, st.none() | values, st.none() | values)
def test_achievement_is_never_nan_or_infinite(indicator, target, actual):
    for rate in (progress_rate, attainment_rate):
        value = rate(indicator, target, actual, "confirmed").value
        assert value is None or value.is_finite()


@given(specs, st.dictionaries(st.integers(2020, 2027), values, max_size=6))
def test_forecast_is_never_nan_or_infinite(indicator, actuals):
    result = forecast(indicator, actuals)
    assert result.projected is None or result.projected.is_finite()


scored = st.builds(
    IndicatorSpec,
    direction=st.sampled_from(["increase", "decrease"]),
    kind=st.sampled_from(["per_year", "cumulative", "rate", "stock"]),
    baseline=st.none() | values,
)


@given(scored, values, values, values)
def test_a_value_better_in_the_indicators_direction_never_scores_lower(indicator, target, first, second):
    # Stronger than "closer to the target from the short side": it holds on both sides of the target.
    worse, better = sorted([first, second], reverse=indicator.direction == "decrease")
    assert progress_rate(indicator, target, worse).value <= progress_rate(indicator, target, better).value


figures = st.none() | st.decimals(min_value=-3, max_value=3, places=4)


@given(st.lists(figures, max_size=12))
def test_an_average_never_counts_an_item_without_a_figure(figures):
    parts = [Part("project", str(n), figure, "集計中") for n, figure in enumerate(figures)]
    rollup = average(parts, basis="構成事業の達成度")
    assert [term.code for term in rollup.terms] == [p.code for p in parts if p.value is not None]
    assert [item.code for item in rollup.excluded] == [p.code for p in parts if p.value is None]
    assert rollup.value is None or D(0) <= rollup.value <= D(1)


@given(st.lists(st.sampled_from(["A", "B", "C", "−", None]), max_size=30))
def test_grade_counts_never_count_an_excluded_item(grades):
    items = [Graded("project", str(n), grade, "対象外") for n, grade in enumerate(grades)]
    counted = tally(items, rated=["A", "B", "C"])
    excluded = {item.code for item in counted.excluded}
    assert excluded.isdisjoint(item.code for item in counted.counted)
    assert sum(counted.counts.values()) == counted.rated == len(items) - len(excluded)
    assert excluded == {item.code for item in items if item.grade not in ("A", "B", "C")}
