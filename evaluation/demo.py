"""Demo data: sample departments, projects, indicators, results and accounts.

Every figure here is invented to show the portal at work; none is the city's. Projects say so in
their summary and indicators in their source, so a screenshot can never pass for real data.
"""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from core.roles import DEMO, DEPARTMENT_STAFF, DX_OFFICE, VIEWER
from evaluation import services
from evaluation.enums import ActualStatus, Completion, NextDirection, RecordStatus
from evaluation.models import (
    CommitteeOpinion,
    FiscalYear,
    Grade,
    MeasureEvaluation,
    MeasureIndicatorResult,
    ProjectRecord,
)
from evaluation.samples import SAMPLE_NOTE, SAMPLE_SOURCE
from evaluation.services.common import save_with_history
from measures.models import Initiative, Measure, MeasureIndicator, MeasureIndicatorTarget
from projects.enums import AssignmentRole
from projects.models import ActionGoal, OutcomeIndicator, OutcomeIndicatorTarget, Project, ProjectAssignment
from strategy.achievement import indicator_rates, propose_grade
from strategy.models import Department, DepartmentKind, Membership, Plan, PlanRevision, RevisionKind

# The marks the roll-up pages and JSON read back to label demo figures 「サンプル」.
DEMO_NOTE = SAMPLE_NOTE
DEMO_SOURCE = SAMPLE_SOURCE
REORGANISED = datetime.date(2025, 4, 1)

# code, name, parent code, valid from, valid to, predecessor code
DEPARTMENTS = [
    ("B01", "市長公室", None, None, None, None),
    ("B02", "総務局", None, None, None, None),
    ("B03", "市民局", None, None, None, None),
    ("B04", "財政局", None, None, None, None),
    ("B05", "教育局", None, None, None, None),
    ("B06", "危機管理局", None, None, None, None),
    ("B07", "健康福祉局", None, None, None, None),
    ("B08", "環境経済局", None, None, None, None),
    ("S01", "DX推進課", "B01", None, None, None),
    ("S02", "広報課", "B01", None, None, None),
    ("S03", "市民課", "B03", None, None, None),
    ("S04", "区政支援課", "B03", None, None, None),
    ("S05", "会計課", "B04", None, None, None),
    ("S06", "税制課", "B04", None, None, None),
    ("S07", "職員課", "B02", None, None, None),
    ("S08", "情報システム課", "B02", None, None, None),
    ("S09", "危機管理課", "B06", None, None, None),
    ("S10", "博物館", "B05", None, None, None),
    ("S11", "学校ICT推進室", "B05", None, REORGANISED - datetime.timedelta(days=1), None),
    ("S12", "教育DX推進課", "B05", REORGANISED, None, "S11"),
    ("S13", "地域政策課", "B08", None, None, None),
    ("S14", "高齢政策課", "B07", None, None, None),
]

# Indicator shapes: name, unit, kind, direction, baseline, final target, decimals
# measure code, initiative number, project name, department code(s), indicator
PROJECTS = [
    (
        "1-1",
        1,
        "電子申請システムの対象手続拡大",
        ["S01"],
        ("電子申請に対応した手続の数", "手続", "cumulative", "increase", 420, 900, 0),
    ),
    (
        "1-1",
        1,
        "窓口予約・オンライン相談の導入",
        ["S03"],
        ("オンライン予約の利用件数", "件/年", "per_year", "increase", 1200, 6000, 0),
    ),
    (
        "1-1",
        2,
        "窓口キャッシュレス決済の導入",
        ["S05"],
        ("キャッシュレス決済に対応した窓口の数", "窓口", "cumulative", "increase", 12, 60, 0),
    ),
    (
        "1-1",
        2,
        "市税のスマートフォン決済の推進",
        ["S06"],
        ("市税のスマートフォン決済の割合", "％", "rate", "increase", "8.5", "20.0", 1),
    ),
    (
        "1-1",
        3,
        "書かない窓口の推進",
        ["S03", "S04"],
        ("書かない窓口の対象手続数", "手続", "cumulative", "increase", 5, 40, 0),
    ),
    (
        "1-1",
        3,
        "引越しワンストップサービスの推進",
        ["S04"],
        ("転入手続の平均所要時間", "分", "stock", "decrease", 75, 40, 0),
    ),
    (
        "1-2",
        1,
        "スマートフォン教室の開催",
        ["S14"],
        ("スマートフォン教室の参加者数", "人/年", "per_year", "increase", 800, 2000, 0),
    ),
    (
        "1-2",
        1,
        "多言語翻訳ツールの窓口活用",
        ["S04"],
        ("翻訳ツールを配備した窓口の数", "窓口", "cumulative", "increase", 10, 30, 0),
    ),
    (
        "1-2",
        1,
        "GIGAスクール端末の家庭学習活用",
        ["S11"],
        ("端末を家庭学習に使う児童生徒の割合", "％", "rate", "increase", "45.0", "80.0", 1),
    ),
    (
        "1-2",
        2,
        "中山間地域のデジタル活用支援",
        ["S13"],
        ("デジタル活用相談会の開催回数", "回/年", "per_year", "increase", 6, 24, 0),
    ),
    (
        "1-2",
        2,
        "オンライン診療・相談の実証",
        ["S13"],
        ("オンライン診療の実証の実施", "", "milestone", "achieve", 0, 1, 0),
    ),
    (
        "2-1",
        1,
        "RPAによる定型業務の自動化",
        ["S01"],
        ("RPAによる削減時間", "時間/年", "per_year", "increase", 8000, 20000, 0),
    ),
    (
        "2-1",
        1,
        "AI-OCRの活用拡大",
        ["S01"],
        ("AI-OCRの対象帳票数", "帳票", "cumulative", "increase", 30, 120, 0),
    ),
    (
        "2-1",
        2,
        "生成AIの庁内利用環境の整備",
        ["S01"],
        ("生成AIを利用する職員の割合", "％", "rate", "increase", "0.0", "60.0", 1),
    ),
    (
        "2-1",
        2,
        "生成AI活用ガイドラインの運用",
        ["S01"],
        ("ガイドラインの定期見直しの実施", "", "milestone", "achieve", 0, 1, 0),
    ),
    (
        "2-1",
        3,
        "ペーパーレス会議の推進",
        ["S08"],
        ("庁内の年間コピー用紙使用量", "万枚", "per_year", "decrease", 3200, 2000, 0),
    ),
    (
        "2-1",
        3,
        "テレワーク環境の整備",
        ["S07"],
        ("テレワークを実施した職員の割合", "％", "rate", "increase", "15.0", "40.0", 1),
    ),
    (
        "2-1",
        3,
        "庁内無線LANの整備",
        ["S08"],
        ("無線LANを整備した執務室の割合", "％", "rate", "increase", "35.0", "100.0", 1),
    ),
    (
        "2-2",
        1,
        "ICT-BCPの改定と訓練",
        ["S08", "S09"],
        ("ICT-BCP訓練の実施回数", "回/年", "per_year", "maintain", 2, 2, 0),
    ),
    (
        "2-2",
        1,
        "基幹データの遠隔地保管",
        ["S08"],
        ("遠隔地に保管した基幹システムの数", "システム", "cumulative", "increase", 4, 20, 0),
    ),
    (
        "2-3",
        1,
        "標準化対象業務の業務フロー見直し",
        ["S08"],
        ("業務フローを見直した業務の数", "業務", "cumulative", "increase", 0, 20, 0),
    ),
    (
        "2-3",
        1,
        "BPRの推進",
        ["S01"],
        ("BPRで見直した事務の数", "事務", "cumulative", "increase", 3, 30, 0),
    ),
    (
        "2-3",
        2,
        "標準準拠システムへの移行",
        ["S08"],
        ("標準準拠システムへ移行した業務の数", "業務", "cumulative", "increase", 0, 20, 0),
    ),
    (
        "2-3",
        2,
        "ガバメントクラウドへの移行",
        ["S08"],
        ("ガバメントクラウドへの移行完了", "", "milestone", "achieve", 0, 1, 0),
    ),
    (
        "3-1",
        1,
        "オープンデータの公開拡大",
        ["S01"],
        ("公開しているオープンデータの数", "データセット", "cumulative", "increase", 150, 400, 0),
    ),
    (
        "3-1",
        1,
        "データ利活用イベントの開催",
        ["S01"],
        ("データ利活用イベントの参加者数", "人/年", "per_year", "increase", 60, 200, 0),
    ),
    (
        "3-1",
        2,
        "デジタルアーカイブの構築",
        ["S10"],
        ("デジタルアーカイブの公開資料数", "点", "cumulative", "increase", 1500, 6000, 0),
    ),
    (
        "3-1",
        2,
        "文化財資料のデジタル化",
        ["S10"],
        ("デジタル化した文化財資料の数", "点", "cumulative", "increase", 300, 1500, 0),
    ),
    (
        "3-2",
        1,
        "市公式SNSの運用",
        ["S02"],
        ("市公式SNSのフォロワー数", "人", "stock", "increase", 42000, 70000, 0),
    ),
    (
        "3-2",
        1,
        "市ホームページのリニューアル",
        ["S02"],
        ("ホームページの閲覧満足度", "％", "rate", "increase", "62.0", "75.0", 1),
    ),
    (
        "3-2",
        1,
        "シティプロモーション動画の配信",
        ["S02"],
        ("動画の年間再生回数", "回/年", "per_year", "increase", 150000, 400000, 0),
    ),
    (
        "3-3",
        1,
        "職員向けICT研修",
        ["S07"],
        ("ICT研修の受講者数", "人/年", "per_year", "increase", 500, 1200, 0),
    ),
    (
        "3-3",
        1,
        "DX推進リーダーの育成",
        ["S01"],
        ("DX推進リーダーの人数", "人", "stock", "increase", 40, 200, 0),
    ),
    (
        "3-3",
        1,
        "学校のICT活用授業支援",
        ["S11"],
        ("ICT支援員の訪問回数", "回/年", "per_year", "increase", 900, 1600, 0),
    ),
]

# One sample target indicator per measure: name, unit, kind, direction, baseline, final target.
MEASURE_INDICATORS = {
    "1-1": ("オンラインで完結できる行政手続の割合", "％", "rate", "increase", "35.0", "70.0", 1),
    "1-2": ("デジタルサービスを利用しやすいと感じる市民の割合", "％", "rate", "increase", "48.0", "60.0", 1),
    "2-1": ("デジタル技術の活用による業務削減時間", "時間/年", "per_year", "increase", 15000, 40000, 0),
    "2-2": ("基幹システムの稼働率", "％", "rate", "maintain", "99.9", "99.9", 1),
    "2-3": ("標準準拠システムへの移行率", "％", "rate", "increase", "0.0", "100.0", 1),
    "3-1": ("オープンデータの公開数", "データセット", "cumulative", "increase", 150, 400, 0),
    "3-2": ("市の情報発信に満足している市民の割合", "％", "rate", "increase", "55.0", "65.0", 1),
    "3-3": ("ICT研修を受講した職員の割合", "％", "rate", "increase", "30.0", "80.0", 1),
}

STAGES = {
    2024: "現状の把握と実施計画の策定",
    2025: "対象の拡大と試行結果の検証",
    2026: "本格実施と効果測定",
    2027: "定着と次期計画への引継ぎ",
}

ACCOUNTS = [
    ("dx", "DX推進課 担当者", DX_OFFICE, None),
    ("dept1", "市民課 職員", DEPARTMENT_STAFF, "S03"),
    ("dept2", "教育DX推進課 職員", DEPARTMENT_STAFF, "S12"),
    ("viewer", "閲覧者（議会事務局）", VIEWER, None),
]


def _dec(value) -> Decimal:
    return Decimal(str(value))


@transaction.atomic
def demo_load(*, password: str, today: datetime.date) -> bool:
    """Create the demo; return False, changing nothing, when it is already there."""
    plan = Plan.objects.get(code="ict2")
    if plan.projects.exists():
        return False
    rng = random.Random(2024)
    departments = _departments()
    PlanRevision.objects.create(
        plan=plan,
        kind=RevisionKind.ORGANISATION,
        revised_on=REORGANISED,
        effective_year=2025,
        reason="組織改正により学校ICT推進室が教育DX推進課に改組されたため（デモ）",
        summary="学校ICT推進室の所管事業を教育DX推進課に引き継ぎ",
    )
    _measure_indicators(plan, rng)
    projects = _projects(plan, departments)
    grades = {grade.code: grade for grade in Grade.objects.filter(scale__plan=plan)}
    actors = _accounts(departments, password)
    _cycle_2024(plan, projects, grades, rng, actors)
    _cycle_2025(plan, projects, grades, rng, actors, today)
    _committee_opinion(plan, actors["dx"])
    return True


def _departments() -> dict[str, Department]:
    created = {}
    for code, name, parent, valid_from, valid_to, predecessor in DEPARTMENTS:
        department = Department.objects.create(
            code=code,
            name=name,
            kind=DepartmentKind.SECTION if code.startswith("S") else DepartmentKind.BUREAU,
            parent=created.get(parent),
            valid_from=valid_from or datetime.date(2020, 4, 1),
            valid_to=valid_to,
        )
        if predecessor:
            department.predecessors.add(created[predecessor])
        created[code] = department
    return created


def _targets(model, indicator, baseline, final, years, rng, *, stated: bool):
    """State yearly targets for every other indicator; the rest are interpolated by the engine."""
    if not stated or baseline == final or indicator.kind == "milestone":
        return
    span = len(years)
    for step, year in enumerate(years, start=1):
        value = baseline + (final - baseline) * Decimal(step) / Decimal(span)
        model.objects.create(indicator=indicator, fiscal_year=year, value=value.quantize(Decimal("1.0")))


def _measure_indicators(plan, rng):
    for measure in Measure.objects.filter(plan=plan):
        name, unit, kind, direction, baseline, final, decimals = MEASURE_INDICATORS[measure.code]
        indicator = MeasureIndicator.objects.create(
            measure=measure,
            code=f"{measure.code}-1",
            name=name,
            unit=unit,
            kind=kind,
            direction=direction,
            tolerance=Decimal("0.1") if direction == "maintain" else Decimal(0),
            decimals=decimals,
            baseline_value=_dec(baseline),
            baseline_year=2022,
            final_target=_dec(final),
            final_target_year=2027,
            method="毎年度末の集計値（デモ）",
            source=DEMO_SOURCE,
        )
        _targets(MeasureIndicatorTarget, indicator, _dec(baseline), _dec(final), plan.years, rng, stated=True)


def _projects(plan, departments) -> list[Project]:
    initiatives = {
        (i.measure.code, i.number): i
        for i in Initiative.objects.filter(measure__plan=plan).select_related("measure")
    }
    counters: dict[tuple[str, int], int] = {}
    projects = []
    for index, (measure_code, number, name, owners, shape) in enumerate(PROJECTS):
        initiative = initiatives[(measure_code, number)]
        counters[(measure_code, number)] = counters.get((measure_code, number), 0) + 1
        project = Project.objects.create(
            plan=plan,
            code=f"{measure_code}-{number}-{counters[(measure_code, number)]:02d}",
            name=name,
            summary=f"{DEMO_NOTE}{initiative.title}の一環として「{name}」に取り組みます。",
            measure=initiative.measure,
            initiative=initiative,
            start_year=plan.start_year,
        )
        _assign(project, [departments[code] for code in owners])
        for year, stage in STAGES.items():
            ActionGoal.objects.create(
                project=project, fiscal_year=year, number=1, description=f"{name}：{stage}"
            )
        _outcome_indicator(project, shape, plan, stated=index % 2 == 0)
        projects.append(project)
    return projects


def _assign(project, owners):
    primary, *others = owners
    if primary.successors.exists():
        successor = primary.successors.get()
        ProjectAssignment.objects.create(project=project, department=primary, start_year=2024, end_year=2024)
        ProjectAssignment.objects.create(project=project, department=successor, start_year=2025)
    else:
        ProjectAssignment.objects.create(project=project, department=primary, start_year=2024)
    for other in others:
        ProjectAssignment.objects.create(
            project=project, department=other, role=AssignmentRole.CO, start_year=2024
        )


def _outcome_indicator(project, shape, plan, *, stated: bool):
    name, unit, kind, direction, baseline, final, decimals = shape
    indicator = OutcomeIndicator.objects.create(
        project=project,
        code="1",
        name=name,
        unit=unit,
        kind=kind,
        direction=direction,
        decimals=decimals,
        baseline_value=_dec(baseline),
        baseline_year=2022,
        final_target=_dec(final),
        final_target_year=2027,
        method="所管課による年度末の集計（デモ）",
        source=DEMO_SOURCE,
        measure_indicator=project.measure.indicators.first(),
    )
    _targets(OutcomeIndicatorTarget, indicator, _dec(baseline), _dec(final), plan.years, None, stated=stated)


def _sample_actual(indicator, year, rng) -> Decimal:
    """An actual near the year's target, sometimes short of it, sometimes beyond."""
    target = indicator.target_for(year).value
    if indicator.kind == "milestone":
        return Decimal(1) if rng.random() < 0.7 else Decimal(0)
    baseline = indicator.baseline_value
    share = Decimal(str(rng.choice([0.55, 0.75, 0.9, 1.0, 1.0, 1.05, 1.1, 1.2])))
    value = baseline + (target - baseline) * share
    return value.quantize(Decimal(1) / (10**indicator.decimals))


def _grade_for(indicator, year, actual, grades, plan) -> Grade:
    rates = indicator_rates(
        indicator.spec(), indicator.target_for(year).value, actual, graded_by=plan.grading_rate
    )
    result = rates.grading
    rated = sorted((g for g in grades.values() if not g.is_unrated), key=lambda g: -g.min_achievement)
    unrated = next(g for g in grades.values() if g.is_unrated)
    return grades[propose_grade(result.value, [(g.code, g.min_achievement) for g in rated], unrated.code)]


def _fill(record, grades, rng, *, complete: bool, by):
    """Type a record's results the way staff would on the entry page, and save it."""
    indicator_result = record.indicator_results.select_related("indicator").get()
    indicator = indicator_result.indicator
    status = (
        ActualStatus.CONFIRMED if complete else rng.choice([ActualStatus.PROVISIONAL, ActualStatus.TALLYING])
    )
    actual = (
        _sample_actual(indicator, record.fiscal_year, rng) if status in ActualStatus.with_value() else None
    )
    indicator_result.actual, indicator_result.actual_status = actual, status
    action_results = list(record.action_results.select_related("action_goal"))
    for action_result in action_results:
        action_result.done = f"{action_result.action_goal.description}を実施しました（デモ）。"
        action_result.completion = rng.choice([Completion.ACHIEVED, Completion.ACHIEVED, Completion.PARTLY])
    if actual is not None:
        grade = _grade_for(indicator, record.fiscal_year, actual, grades, record.project.plan)
        record.self_grade = grade
        record.self_grade_reason = f"成果指標の達成状況から{grade.display}と評価しました（デモ）。"
    record.results_summary = f"{record.project.name}について、計画どおり取組を進めました（デモ）。"
    record.issues = "対象の拡大に向けた関係課との調整（デモ）"
    record.next_direction = NextDirection.CONTINUE
    services.record_entry_save(
        record, by=by, seen_version=record.version, results=[indicator_result, *action_results]
    )


def _records(plan, year: int):
    return (
        ProjectRecord.objects.filter(project__plan=plan, fiscal_year=year)
        .select_related("project")
        .order_by("project__code")
    )


def _cycle_2024(plan, projects, grades, rng, actors):
    """FY2024 went round the whole cycle: entered, submitted, approved, measures evaluated, and locked.

    Every FY2024 figure is in place before the lock, so the snapshot it takes is the year as shown.
    """
    dx = actors["dx"]
    fiscal_year = FiscalYear.objects.get(plan=plan, year=2024)
    services.fiscal_year_open(fiscal_year, deadline=datetime.date(2025, 6, 30), by=dx)
    records = {record.project_id: record for record in _records(plan, 2024)}
    for project in projects:
        record, staff = records[project.pk], actors.get(project.pk, dx)
        _fill(record, grades, rng, complete=True, by=staff)
        services.record_submit(record, by=staff)
        services.record_approve(record, by=dx)
    services.fiscal_year_close(fiscal_year, by=dx)
    _measure_evaluations(plan, grades, dx)
    services.fiscal_year_lock(fiscal_year, by=dx)


def _cycle_2025(plan, projects, grades, rng, actors, today):
    """FY2025 is open: some records untouched, some being typed, submitted, returned or approved."""
    dx = actors["dx"]
    fiscal_year = FiscalYear.objects.get(plan=plan, year=2025)
    services.fiscal_year_open(fiscal_year, deadline=today + datetime.timedelta(days=14), by=dx)
    records = {record.project_id: record for record in _records(plan, 2025)}
    states = [RecordStatus.NOT_STARTED, RecordStatus.DRAFT, RecordStatus.SUBMITTED, RecordStatus.RETURNED]
    for index, project in enumerate(projects):
        state = states[index % len(states)] if index < 30 else RecordStatus.APPROVED
        record, staff = records[project.pk], actors.get(project.pk, dx)
        if state == RecordStatus.NOT_STARTED:
            continue
        _fill(record, grades, rng, complete=state != RecordStatus.DRAFT, by=staff)
        if state == RecordStatus.DRAFT:
            continue
        services.record_submit(record, by=staff)
        if state == RecordStatus.RETURNED:
            services.record_return(
                record, by=dx, comment="成果指標の実績の根拠（集計方法）を補足してください（デモ）。"
            )
        if state == RecordStatus.APPROVED:
            services.record_approve(record, by=dx)


def _measure_evaluations(plan, grades, dx):
    """The DX office enters the measures' FY2024 actuals and evaluates each measure during the review."""
    for indicator in MeasureIndicator.objects.filter(measure__plan=plan).select_related("measure"):
        target = indicator.target_for(2024).value
        baseline = indicator.baseline_value
        actual = (baseline + (target - baseline) * Decimal("0.9")).quantize(
            Decimal(1) / (10**indicator.decimals)
        )
        result = MeasureIndicatorResult(
            indicator=indicator, fiscal_year=2024, actual=actual, actual_status=ActualStatus.CONFIRMED
        )
        result.full_clean()
        save_with_history(result, by=dx, reason="施策目標値の実績を入力")
        grade = _grade_for(indicator, 2024, actual, grades, plan)
        evaluation = MeasureEvaluation(
            measure=indicator.measure,
            fiscal_year=2024,
            grade=grade,
            grade_reason=f"施策目標値の達成状況と構成事業の評価から{grade.display}としました（デモ）。",
            comment="構成事業はおおむね計画どおり進んでいます（デモ）。",
        )
        services.measure_evaluate(evaluation, by=dx)


def _accounts(departments, password) -> dict:
    """Create the demo accounts; return who acts for each project ("dx", or a project's staff by its pk).

    Departments without a demo account are entered by the DX office on their behalf.
    """
    user_model = get_user_model()
    demo = Group.objects.get(name=DEMO)
    actors = {}
    for username, name, role, department in ACCOUNTS:
        user = user_model.objects.create_user(
            username=username, password=password, is_staff=True, first_name=name
        )
        user.groups.add(Group.objects.get(name=role), demo)
        if role == DX_OFFICE:
            actors["dx"] = user
        if department:
            membership = Membership.objects.create(user=user, department=departments[department])
            lineage = membership.department.lineage_ids()
            for assignment in ProjectAssignment.objects.filter(
                department__in=lineage, role=AssignmentRole.PRIMARY
            ):
                actors[assignment.project_id] = user
    return actors


def _committee_opinion(plan, dx):
    """The outside committee looked at one project graded below A in FY2024, as it does for B and C."""
    record = (
        ProjectRecord.objects.filter(project__plan=plan, fiscal_year=2024, final_grade__code__in=["B", "C"])
        .select_related("project")
        .order_by("project__code")
        .first()
    )
    CommitteeOpinion.objects.create(
        fiscal_year=2024,
        project=record.project,
        opinion="遅れの原因を分析し、目標達成に向けた工程を示すこと（デモ）。",
        response="関係課と工程を見直し、令和7年度の行動目標に反映します（デモ）。",
        recorded_by=dx,
    )
