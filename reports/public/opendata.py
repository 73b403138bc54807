"""The open data's rows: published progress and the plan's structure, one dict per row, keyed by column.

Pure: rows are built from `reports.public.published` and the selectors' plain rows, and written to CSV
and JSON by `reports.public.exports` only. The files are Japanese whatever language the visitor reads
the site in: the columns and labels are the city's (PRACTICE.md, "Open data"). Numbers are Decimals
(written as plain half-width numbers); a missing value is None (an empty cell, JSON null) and a status
column says why.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from evaluation.enums import ActualStatus
from measures.enums import Direction, IndicatorKind, MeasureLineage
from projects.enums import ProjectStatus
from reports.public.published import Indicator, PublishedYear
from reports.public.selectors import CatalogueProject
from strategy.achievement import KIND_LABELS

# 全国地方公共団体コード of 相模原市 (JIS X 0402 with its check digit).
LOCAL_GOVERNMENT_CODE = "141500"
LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/deed.ja"
SAMPLE = "サンプル（デモデータ）"
INTERPOLATED = "年度目標値は計画に記載の目標値からの補間"
TOO_HIGH = "150%超（目標が低すぎる可能性）"


@dataclass(frozen=True)
class Column:
    name: str  # the header in the file, as the city names it
    description: str  # for the open-data page, in the visitor's language


def _columns(*pairs) -> list[Column]:
    return [Column(name, description) for name, description in pairs]


COMMON = [
    ("全国地方公共団体コード", _("相模原市の全国地方公共団体コード（141500）")),
    ("計画", _("計画の名称")),
]
PROGRESS_COLUMNS = _columns(
    *COMMON,
    ("基本目標番号", _("基本目標の番号（1〜3）")),
    ("施策番号", _("施策の番号（例: 1-1）")),
    ("施策名", _("施策の名称")),
    ("事業番号", _("事業の番号（施策目標値の行は空欄）")),
    ("事業名", _("事業の名称（施策目標値の行は空欄）")),
    ("指標区分", _("「施策目標値」（施策の指標）または「成果指標」（事業の指標）")),
    ("指標名", _("指標の名称")),
    ("単位", _("値の単位")),
    ("方向", _("目指す方向（増加・減少・維持・実施）")),
    ("集計方法", _("指標の種類（単年度・累計・割合・年度末現在・実施・未実施・定性）")),
    ("基準値", _("計画策定時の現状値")),
    ("基準年度", _("基準値の年度（西暦）")),
    ("目標値", _("計画の最終目標値")),
    ("目標年度", _("最終目標値の年度（西暦）")),
    ("年度", _("実績の年度（西暦、4月〜翌年3月）")),
    ("年度目標値", _("その年度の目標値（計画に記載がない年度は補間した値）")),
    ("実績値", _("その年度の実績値。数値がないときは空欄")),
    ("実績状態", _("確定値・速報値、または実績値が空欄の理由（集計中・調査未実施・未入力）")),
    ("達成率", _("実績値÷年度目標値（減少を目指す指標は年度目標値÷実績値）。％、小数第1位に四捨五入")),
    ("進捗率", _("（実績値−基準値）÷（年度目標値−基準値）。％、小数第1位に四捨五入")),
    ("評価区分", _("評価に使う率から求めた評価区分（A・B・C）。数値がないときは空欄")),
    ("所管課", _("その年度に事業を所管した課（施策目標値の行は空欄）")),
    ("更新日", _("その年度の結果を公表（更新）した日")),
    ("備考", _("率・評価区分が空欄の理由、補間した目標値、150%超、デモ用のサンプルの別")),
)
STRUCTURE_COLUMNS = _columns(
    *COMMON,
    ("区分", _("「基本目標」「施策」「主な取組」「事業」のいずれか")),
    ("番号", _("その区分の番号（例: 施策1-1、主な取組1-1-1、事業1-1-1-01）")),
    ("名称", _("名称")),
    ("基本目標番号", _("属する基本目標の番号")),
    ("施策番号", _("属する施策の番号（基本目標の行は空欄）")),
    ("主な取組番号", _("属する主な取組の番号（主な取組と事業の行）")),
    ("内容", _("基本目標の目指す姿、施策の方向性、事業の概要")),
    ("前計画との関係", _("施策の行のみ: 継続・見直し・新規")),
    ("前計画の施策番号", _("施策の行のみ: 引き継いだ前計画の施策の番号（複数は「、」区切り）")),
    ("開始年度", _("事業の行のみ: 開始年度（西暦）")),
    ("終了年度", _("事業の行のみ: 終了年度（西暦）。継続中は空欄")),
    ("状態", _("事業の行のみ: 実施中・完了・休止・廃止・統合")),
    ("所管課", _("事業の行のみ: 現在の所管課")),
    ("更新日", _("計画の構成が最後に変更された日")),
)
PROGRESS = [column.name for column in PROGRESS_COLUMNS]
STRUCTURE = [column.name for column in STRUCTURE_COLUMNS]


@dataclass(frozen=True)
class Dataset:
    """A dataset as the open-data page describes it and its files name it."""

    slug: str  # the files' name: progress.csv, progress-bom.csv, progress.json
    title: str  # in the JSON file (Japanese)
    heading: str  # on the page, in the visitor's language
    description: str
    columns: list[Column]


DATASETS = [
    Dataset(
        "progress",
        "相模原市ICT総合戦略 施策目標値・成果指標の進捗",
        _("施策目標値・成果指標の進捗"),
        _(
            "公表した年度ごとの、施策の目標値（施策目標値）と事業の成果指標の実績です。"
            "1行が1指標の1年度分です。評価年度を確定（公表）したあとの承認済みの数値だけを載せています。"
        ),
        PROGRESS_COLUMNS,
    ),
    Dataset(
        "structure",
        "相模原市ICT総合戦略 計画の構成（基本目標・施策・主な取組・事業）",
        _("計画の構成（基本目標・施策・主な取組・事業）"),
        _(
            "計画の基本目標、施策、主な取組と、実施事業集の事業の一覧です。1行が1項目で、上位の項目の後に並びます。"
        ),
        STRUCTURE_COLUMNS,
    ),
]


def about(slug: str, updated: datetime.date | None, *, sample: bool) -> dict:
    """What the JSON file says of itself before its rows."""
    dataset = next(dataset for dataset in DATASETS if dataset.slug == slug)
    return {
        "title": dataset.title,
        "publisher": "相模原市",
        "local_government_code": LOCAL_GOVERNMENT_CODE,
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "updated": updated.isoformat() if updated else None,
        # Demo data: every figure is an invented sample, never the city's.
        "sample": sample,
    }


DIRECTIONS = dict(Direction.choices)
KINDS = dict(IndicatorKind.choices)
STATUSES = dict(ActualStatus.choices)
LINEAGES = dict(MeasureLineage.choices)
PROJECT_STATUSES = dict(ProjectStatus.choices)


def percent(value: Decimal | None) -> Decimal | None:
    """A fraction as the percentage printed on the pages: 0.89772… → 89.8 (rounded half up)."""
    if value is None:
        return None
    return (value * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def progress_rows(plan_name: str, years: list[PublishedYear]) -> list[dict]:
    """One row per published indicator per published fiscal year, oldest year first, in the plan's order:
    the measures' target indicators, then the approved projects' outcome indicators."""
    rows = []
    for year in years:
        measures = {measure.code: measure for measure in year.measures}
        projects = {project.code: project for project in year.projects}
        for indicator in year.indicators:
            project = projects.get(indicator.owner) if indicator.owner_kind == "project" else None
            measure = measures[project.measure if project else indicator.owner]
            rows.append(_progress_row(plan_name, year, measure, project, indicator))
    return rows


def _progress_row(plan_name: str, year: PublishedYear, measure, project, indicator: Indicator) -> dict:
    values = [
        LOCAL_GOVERNMENT_CODE,
        plan_name,
        Decimal(measure.goal),
        measure.code,
        measure.name,
        project.code if project else None,
        project.name if project else None,
        KIND_LABELS["outcome_indicator" if project else "measure_indicator"],
        indicator.name,
        indicator.unit,
        DIRECTIONS.get(indicator.direction, indicator.direction),
        KINDS.get(indicator.kind, indicator.kind),
        indicator.baseline,
        _year(indicator.baseline_year),
        indicator.final_target,
        _year(indicator.final_target_year),
        Decimal(year.year),
        indicator.target,
        indicator.actual,
        STATUSES.get(indicator.status, indicator.status),
        percent(indicator.rate),
        percent(indicator.progress),
        year.labels[indicator.grade] if indicator.grade in year.rated else None,
        project.department if project else None,
        year.published_on.isoformat(),
        _notes(indicator),
    ]
    return dict(zip(PROGRESS, values, strict=True))


def _year(year: int | None) -> Decimal | None:
    return None if year is None else Decimal(year)


def _notes(indicator: Indicator) -> str | None:
    notes = []
    if indicator.missing_reason:
        notes.append(indicator.missing_reason)
    if indicator.interpolated:
        notes.append(INTERPOLATED)
    if indicator.too_high:
        notes.append(TOO_HIGH)
    if indicator.sample:
        notes.append(SAMPLE)
    return "。".join(notes) or None


def structure_rows(
    plan_name: str, goals, projects: list[CatalogueProject], changed_on: datetime.date | None
) -> list[dict]:
    """One row per basic goal, measure, main initiative and project, each after the one it belongs to.

    `goals` are `BasicGoal`s with their measures, the measures' initiatives and predecessors read
    (`reports.public.selectors.plan_structure`)."""
    changed = changed_on.isoformat() if changed_on else None
    by_initiative: dict[tuple[str, int | None], list[CatalogueProject]] = {}
    for project in projects:
        by_initiative.setdefault((project.measure, project.initiative), []).append(project)
    rows = []

    def add(kind: str, code: str, name: str, **fields):
        row = dict.fromkeys(STRUCTURE)
        row.update({"全国地方公共団体コード": LOCAL_GOVERNMENT_CODE, "計画": plan_name, "区分": kind})
        row.update({"番号": code, "名称": name, "更新日": changed, **fields})
        rows.append(row)

    for goal in goals:
        number = Decimal(goal.number)
        add(KIND_LABELS["goal"], str(goal.number), goal.title, 基本目標番号=number, 内容=goal.formula or None)
        for measure in goal.measures.all():
            predecessors = "、".join(predecessor.code for predecessor in measure.predecessors.all())
            add(KIND_LABELS["measure"], measure.code, measure.title, 基本目標番号=number, 施策番号=measure.code,
                内容=measure.aim or None, 前計画との関係=LINEAGES.get(measure.lineage, measure.lineage),
                前計画の施策番号=predecessors or None)  # fmt: skip
            for initiative in measure.initiatives.all():
                code = f"{measure.code}-{initiative.number}"
                add(KIND_LABELS["initiative"], code, initiative.title, 基本目標番号=number, 施策番号=measure.code,
                    主な取組番号=code)  # fmt: skip
                for project in by_initiative.get((measure.code, initiative.number), []):
                    add(KIND_LABELS["project"], project.code, project.name, **_project(project, number, code))
            for project in by_initiative.get((measure.code, None), []):
                add(KIND_LABELS["project"], project.code, project.name, **_project(project, number, None))
    return rows


def _project(project: CatalogueProject, goal: Decimal, initiative: str | None) -> dict:
    """The columns only a project's row fills."""
    return {
        "基本目標番号": goal,
        "施策番号": project.measure,
        "主な取組番号": initiative,
        "内容": project.summary or None,
        "開始年度": Decimal(project.start_year),
        "終了年度": _year(project.end_year),
        "状態": PROJECT_STATUSES.get(project.status, project.status),
        "所管課": project.department or None,
    }
