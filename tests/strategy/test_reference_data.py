"""The reference data against the city's own overview (tests/data/seed_overview.txt)."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models

from core.validators import is_radical, ordinary_kanji
from evaluation.models import Grade
from evaluation.services import reference_data_load
from measures.models import Initiative, Measure
from strategy.models import BasicGoal, Plan

SEED = Path(__file__).parents[1] / "data" / "seed_overview.txt"

GOALS = [
    (1, "利用者中心の行政サービス改革", "ＩＣＴ・データ × 行政サービス ＝ 利用者満足度向上"),
    (2, "経営資源を最大限に活用した行財政改革", "ＩＣＴ・データ × 経営資源 ＝ 都市経営力の強化"),
    (3, "将来にわたり発展し続けるまちづくり", "ＩＣＴ・データ × 地域社会 ＝ 持続的に発展するまち"),
]

MEASURES_2ND = {
    "1-1": "利便性を高める行政サービスの推進",
    "1-2": "誰一人取り残さない行政サービスの推進",
    "2-1": "デジタル技術を生かした行政事務改革",
    "2-2": "業務継続性の確保",
    "2-3": "情報システムの標準化・共通化の推進",
    "3-1": "データ利活用の促進",
    "3-2": "魅力的な地域づくりに向けた情報発信",
    "3-3": "ICT教育・人材育成の推進",
}

MEASURES_1ST = {
    "1-1": "利便性を高める行政サービスの推進",
    "1-2": "誰一人取り残さない行政サービスの推進",
    "2-1": "行政事務における電子化の推進",
    "2-2": "デジタル・ワークスタイルへの転換",
    "2-3": "業務継続性の確保",
    "3-1": "データ利活用の促進",
    "3-2": "魅力的な地域づくりに向けた情報発信",
    "3-3": "ICT教育・人材育成の推進",
}

INITIATIVES = {
    "1-1": ["電子申請の利用促進", "キャッシュレス化の推進", "行政手続のワンストップサービスの推進"],
    "1-2": ["デジタルデバイド対策の推進", "中山間地域へのデジタル化の普及促進"],
    "2-1": ["RPAの全庁導入", "生成AIの活用・研究", "庁内事務におけるデジタル環境の整備"],
    "2-2": ["ICT-BCPの推進"],
    "2-3": ["業務プロセスの把握・見直し", "システムの全体最適化"],
    "3-1": ["オープンデータの充実・活用", "文化資料等のアーカイブ化"],
    "3-2": ["ICT活用による情報発信の多様化"],
    "3-3": ["職員のICTスキルの向上"],
}

# 2nd-plan measure → (relation to the 1st plan, the 1st-plan measures it took over)
LINEAGE = {
    "1-1": ("revised", ["1-1"]),
    "1-2": ("revised", ["1-2"]),
    "2-1": ("revised", ["2-1", "2-2"]),
    "2-2": ("continued", ["2-3"]),
    "2-3": ("new", []),
    "3-1": ("continued", ["3-1"]),
    "3-2": ("continued", ["3-2"]),
    "3-3": ("revised", ["3-3"]),
}


def compact(text: str) -> str:
    """Text without white space and with the PDF's look-alike radicals read as ordinary kanji."""
    return re.sub(r"\s+", "", "".join(ordinary_kanji(char) for char in text))


@pytest.fixture(scope="module")
def seed() -> str:
    return compact(SEED.read_text(encoding="utf-8"))


def test_the_second_plan_and_its_period(plan):
    assert (plan.name, plan.start_year, plan.end_year, plan.status) == (
        "第２次相模原市ＩＣＴ総合戦略",
        2024,
        2027,
        "active",
    )
    assert plan.predecessor.name == "相模原市ＩＣＴ総合戦略"
    assert (plan.predecessor.start_year, plan.predecessor.end_year) == (2020, 2023)
    assert "官民データ活用推進基本法第９条第３項" in plan.legal_basis


def test_plan_texts_are_the_seeds(plan, seed):
    for text in (plan.name, plan.purpose, plan.stance, plan.revision_policy, plan.legal_basis):
        assert compact(text) in seed, text


def test_three_goals_with_formulas_as_in_the_seed(plan, seed):
    goals = list(BasicGoal.objects.filter(plan=plan).values_list("number", "title", "formula"))
    assert goals == GOALS
    for number, title, formula in goals:
        assert compact(f"基本目標{'１２３'[number - 1]} {title}") in seed
        assert compact(formula) in seed


@pytest.mark.parametrize(("plan_code", "expected"), [("ict2", MEASURES_2ND), ("ict1", MEASURES_1ST)])
def test_eight_measures_with_exact_codes_and_titles(plan, seed, plan_code, expected):
    measures = dict(Measure.objects.filter(plan__code=plan_code).values_list("code", "title"))
    assert measures == expected
    for code, title in measures.items():
        assert f"施策{code}{compact(title)}" in seed
    goal_numbers = set(Measure.objects.filter(plan__code=plan_code).values_list("code", "goal__number"))
    assert goal_numbers == {(code, int(code[0])) for code in expected}


def test_every_measure_aim_is_in_the_seed(plan, seed):
    aims = Measure.objects.values_list("plan__code", "code", "aim")
    assert len(aims) == 16
    for plan_code, code, aim in aims:
        assert aim and compact(aim) in seed, (plan_code, code)


def test_fifteen_initiatives_under_the_right_measures(plan, seed):
    rows = Initiative.objects.filter(measure__plan=plan).order_by("measure__code", "number")
    found: dict[str, list[str]] = {}
    for initiative in rows.select_related("measure"):
        found.setdefault(initiative.measure.code, []).append(initiative.title)
    assert found == INITIATIVES
    assert rows.count() == 15
    for titles in found.values():
        for title in titles:
            assert f"○{title}" in seed


def test_mapping_between_the_two_plans(plan):
    for measure in Measure.objects.filter(plan=plan).prefetch_related("predecessors"):
        predecessors = sorted(p.code for p in measure.predecessors.all())
        assert (measure.lineage, predecessors) == LINEAGE[measure.code], measure.code
        assert all(p.plan.code == "ict1" for p in measure.predecessors.all())


def test_default_grade_scale_is_sagamiharas_abc(plan):
    grades = list(Grade.objects.filter(scale__plan=plan).order_by("order"))
    assert [grade.display for grade in grades] == [
        "A（予定どおり）",
        "B（若干の遅れ）",
        "C（大幅な遅れ）",
        "−（評価不能）",
    ]
    assert [g.label for g in grades[:3]] == [
        "予定どおり進んでいる",
        "若干の遅れあり（目標達成が可能な範囲）",
        "大幅な遅れあり（目標達成に支障を来し得る）",
    ]
    assert grades[3].is_unrated


def test_no_look_alike_radical_reaches_the_database(plan):
    for app in ("strategy", "measures", "projects", "evaluation"):
        for model in apps.get_app_config(app).get_models():
            text_fields = [
                f.name for f in model._meta.fields if isinstance(f, models.CharField | models.TextField)
            ]
            for row in model.objects.values_list(*text_fields) if text_fields else []:
                for value in row:
                    assert not any(is_radical(char) for char in value or ""), (model.__name__, value)


def _reference_state():
    state = {}
    for label in (
        "strategy.Plan",
        "strategy.BasicGoal",
        "measures.Measure",
        "measures.Initiative",
        "evaluation.Grade",
    ):
        model = apps.get_model(label)
        state[label] = list(model.objects.order_by("pk").values())
        state[label + ".history"] = model.history.count()
    state["predecessors"] = sorted(
        Measure.predecessors.through.objects.values_list("from_measure", "to_measure")
    )
    state["fiscal_years"] = sorted(
        apps.get_model("evaluation.FiscalYear").objects.values_list("plan__code", "year")
    )
    return state


def test_loading_twice_changes_nothing(plan):
    before = _reference_state()
    reference_data_load()
    call_command("load_plan", verbosity=0)
    assert _reference_state() == before
    assert before["fiscal_years"] == [("ict1", y) for y in range(2020, 2024)] + [
        ("ict2", y) for y in range(2024, 2028)
    ]


def test_loading_keeps_the_state_of_fiscal_years(plan):
    year = plan.fiscal_years.get(year=2024)
    year.status = "locked"
    year.save()
    reference_data_load()
    assert plan.fiscal_years.get(year=2024).status == "locked"


def test_plans_are_listed_oldest_first(plan):
    assert list(Plan.objects.values_list("code", flat=True)) == ["ict1", "ict2"]
