"""Snapshots: a year's figures frozen as reported when the DX office locks it, and what has changed since."""

from dataclasses import dataclass
from decimal import Decimal

from evaluation.enums import ActualStatus, RecordStatus
from evaluation.models import YearSnapshot
from evaluation.rollups.figures import snapshot_figures
from evaluation.rollups.selectors import approved_results
from evaluation.rollups.year import rollup_year
from measures.enums import Direction, IndicatorKind
from strategy.achievement import KIND_LABELS, OUTLOOKS
from strategy.models import Plan

# The order sections are compared and listed in, from the top of the plan down.
SECTIONS = (
    "plan", "goals", "measures", "initiatives", "projects", "indicators", "departments", "results", "grades",
)  # fmt: skip
# Keys that identify an entry rather than describe it; shares follow from the counts.
NOT_COMPARED = {"code", "owner", "owner_kind", "grade_shares", "target_grade_shares"}
PERCENT_FIELDS = {"achievement", "progress", "rate", "min_achievement"}
GRADE_FIELDS = {"grade", "proposed_grade"}
FIELD_LABELS = {
    "name": "名称",
    "label": "表示",
    "min_achievement": "評価区分の下限",
    "unit": "単位",
    "decimals": "小数点以下の桁数",
    "direction": "方向",
    "kind": "指標の種類",
    "baseline": "基準値",
    "baseline_year": "基準年度",
    "target": "年度目標値",
    "interpolated": "年度目標値の補間",
    "final_target": "最終目標値",
    "final_target_year": "目標年度",
    "actual": "実績値",
    "status": "実績の状態",
    "achievement": "達成度（評価に使う率）",
    "progress": "進捗率",
    "rate": "達成率",
    "sample": "サンプル（デモデータ）",
    "missing_reason": "数値がない理由",
    "too_high": "150%超（目標が低すぎる可能性）",
    "grade": "評価",
    "proposed_grade": "評価案（自動計算）",
    "grade_source": "件数に使った評価",
    "forecast": "最終年度の見通し",
    "basis": "計算に使ったもの",
    "grade_counts": "事業の評価区分ごとの件数",
    "target_grade_counts": "施策目標値の評価区分ごとの件数",
    "excluded": "集計から除いたもの",
    "measure": "施策",
    "initiative": "主な取組",
    "goal": "基本目標",
    "record_status": "進捗状況",
    "exclusion": "対象外の理由",
    "department": "所管課",
    "results_summary": "主な実績",
}
CHOICES = {
    "status": dict(ActualStatus.choices),
    "record_status": dict(RecordStatus.choices),
    "direction": dict(Direction.choices),
    "kind": dict(IndicatorKind.choices),
    "grade_source": {"final": "最終評価", "proposed": "評価案（自動計算）"},
}


def snapshot_take(*, plan: Plan, fiscal_year: int, by) -> YearSnapshot:
    """Freeze the year's figures as reported: the rollup command's JSON plus each project's department
    name valid that year and the main results of its approved record.

    Writes one `YearSnapshot` row and nothing else; the lock service calls it inside its transaction
    after checking that `by` (a user, or None for a script) may lock the year, and so does the
    approval of a late correction once every record of the locked year is approved again.
    """
    figures = _figures_today(plan, fiscal_year)
    snapshot = YearSnapshot(plan=plan, fiscal_year=fiscal_year, taken_by=by, figures=figures)
    snapshot.full_clean()
    snapshot.save()
    return snapshot


@dataclass(frozen=True)
class Difference:
    """One value that differs between the snapshot and today's figures."""

    subject: str  # 「施策1-1」
    field: str  # 「評価」
    reported: object  # text, or a Decimal fraction when `percent`
    today: object
    percent: bool = False


def snapshot_diff(snapshot: YearSnapshot) -> list[Difference]:
    """What differs between the snapshot and the same year's figures computed today, top of the plan first."""
    return figures_diff(snapshot.figures, _figures_today(snapshot.plan, snapshot.fiscal_year))


def _figures_today(plan: Plan, fiscal_year: int) -> dict:
    results = approved_results(plan=plan, fiscal_year=fiscal_year)
    return snapshot_figures(rollup_year(plan=plan, fiscal_year=fiscal_year), results=results)


def figures_diff(reported: dict, today: dict) -> list[Difference]:
    """Every entry and field whose value differs between two sets of figures of the same year."""
    labels = {
        grade["code"]: grade["label"] for figures in (reported, today) for grade in figures.get("grades", [])
    }
    before, after = _entries(reported), _entries(today)
    differences = []
    for key in sorted(before.keys() | after.keys(), key=lambda key: (SECTIONS.index(key[0]), key[1])):
        subject = _subject(*key, before.get(key) or after[key])
        if key not in before or key not in after:
            differences.append(
                Difference(
                    subject,
                    "項目の有無",
                    "あり" if key in before else "なし",
                    "あり" if key in after else "なし",
                )
            )
            continue
        old, new = before[key], after[key]
        for name in [*new, *(name for name in old if name not in new)]:
            # A field the report predates (one added to the figures since) is not a change.
            if name in NOT_COMPARED or name not in old or old[name] == new.get(name):
                continue
            differences.append(
                Difference(
                    subject,
                    _field_label(key[0], name),
                    _display(name, old.get(name), labels),
                    _display(name, new.get(name), labels),
                    percent=name in PERCENT_FIELDS,
                )
            )
    return differences


def _entries(figures: dict) -> dict[tuple[str, str], dict]:
    entries = {("plan", figures["plan"]["code"]): figures["plan"]}
    for section in ("goals", "measures", "initiatives", "projects"):
        entries.update({(section, entry["code"]): entry for entry in figures.get(section, [])})
    for entry in figures.get("indicators", []):
        entries[("indicators", f"{entry['owner']}/{entry['code']}")] = entry
    for code, name in figures.get("departments", {}).items():
        entries[("departments", code)] = {"department": name}
    for code, text in figures.get("results", {}).items():
        entries[("results", code)] = {"results_summary": text}
    for grade in figures.get("grades", []):
        entries[("grades", grade["code"])] = grade
    return entries


def _field_label(section: str, name: str) -> str:
    if section == "projects" and name == "grade_counts":
        return "成果指標の評価区分ごとの件数"  # a project counts its indicators' grades
    return FIELD_LABELS.get(name, name)


def _subject(section: str, code: str, entry: dict) -> str:
    """「事業3-2-1-01 市公式SNSの運用」: the item by its code and, where the figures hold it, its name."""
    name = f" {entry['name']}" if entry.get("name") and section != "plan" else ""
    if section == "indicators":
        owner, _, number = code.partition("/")
        if entry.get("owner_kind") == "measure":
            return f"{KIND_LABELS['measure_indicator']}{number}{name}"
        return f"事業{owner}の{KIND_LABELS['outcome_indicator']}{number}{name}"
    prefix = {
        "plan": "計画全体",
        "goals": "基本目標",
        "measures": "施策",
        "initiatives": "主な取組",
        "projects": "事業",
        "departments": "事業",
        "results": "事業",
        "grades": "評価区分",
    }[section]
    return prefix if section == "plan" else f"{prefix}{code}{name}"


def _display(name: str, value, labels: dict[str, str]):
    """A JSON value as a person reads it; achievements stay numbers for the `percent` filter."""
    if value is None:
        return None if name in PERCENT_FIELDS else "−"
    if name in PERCENT_FIELDS:
        return Decimal(str(value))
    if name in GRADE_FIELDS:
        return labels.get(value, value)
    if name in CHOICES:
        return CHOICES[name].get(value, value)
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if name.endswith("grade_counts"):
        return "、".join(f"{labels.get(code, code)} {count}件" for code, count in value.items())
    if name == "excluded":
        return (
            "、".join(f"{KIND_LABELS.get(e['kind'], e['kind'])}{e['code']}：{e['reason']}" for e in value)
            or "なし"
        )
    if name == "forecast":
        projected = "−" if value["projected"] is None else _plain(value["projected"])
        return f"{OUTLOOKS[value['outlook']]}（最終年度の見込み {projected}）"
    if isinstance(value, float):
        return _plain(value)
    return str(value)


def _plain(number: float) -> str:
    """47250.0 → 47,250 and 8.5 → 8.5: as the value was entered, with thousands separators."""
    return f"{int(number):,}" if number == int(number) else f"{Decimal(str(number)):,}"
