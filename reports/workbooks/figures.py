"""A year's figures (`evaluation.rollups.figures.snapshot_figures`' JSON) as the workbooks read them:
grades with their text, items by the node above them, and an indicator's values as cells with the
notes that explain them. Pure: no queries, no openpyxl.
"""

from collections import defaultdict
from decimal import Decimal

from core.fiscal import fiscal_year_label
from evaluation.enums import ActualStatus
from reports.workbooks import layout
from reports.workbooks.layout import Cell
from reports.workbooks.selectors import IndicatorDetail
from strategy.achievement import RATE_LABELS, percent_text

STATUS_LABELS = dict(ActualStatus.choices)

# Notes beside a value, each explained once under the table that uses it.
PROVISIONAL = "速報値"
INTERPOLATED = "補間"
TOO_HIGH = "150%超"
NO_ACTUAL = "実績なし"
UNAPPROVED = "未承認"
NOTE_TEXTS = {
    PROVISIONAL: "速報値：決算などで確定する前の数値です。確定値と異なることがあります。",
    INTERPOLATED: "補間：年度目標値が定められていない年度は、前後の目標値の間を直線で補間した値を用いています。",
    TOO_HIGH: "150%超：達成率または進捗率が150%を超えています。目標値が低すぎる可能性があります。",
    NO_ACTUAL: "実績なし：集計中・調査未実施・未入力の指標は実績値がないため、達成率・進捗率を計算していません（0として扱っていません）。",
    UNAPPROVED: "未承認：DX推進課が承認する前の記録です。評価は自動計算の評価案で数え、文章は掲載していません。",
}


def notes_text(notes: list[str]) -> list[str]:
    """The footnotes for the notes used, in a fixed order."""
    return [text for note, text in NOTE_TEXTS.items() if note in notes]


class YearFigures:
    """The JSON of one year's figures, indexed for reports."""

    def __init__(self, figures: dict):
        self.figures = figures
        self.year: int = figures["fiscal_year"]
        self.sample: bool = figures["sample"]
        self.graded_by: str = figures["graded_by"]
        self.grades = figures["grades"]
        self.labels = {grade["code"]: grade["label"] for grade in self.grades}
        self.rated = [grade["code"] for grade in self.grades if grade["min_achievement"] is not None]
        self.plan = figures["plan"]
        self.goals = figures["goals"]
        self.departments: dict[str, str] = figures.get("departments", {})
        self.indicators: dict[tuple[str, str], list[dict]] = defaultdict(list)
        for indicator in figures["indicators"]:
            self.indicators[(indicator["owner_kind"], indicator["owner"])].append(indicator)
        self.measures: dict[str, list[dict]] = defaultdict(list)
        for measure in figures["measures"]:
            self.measures[measure["goal"]].append(measure)
        self.projects: dict[str, list[dict]] = defaultdict(list)
        for project in figures["projects"]:
            self.projects[project["measure"]].append(project)
        self._projects_by_code = {project["code"]: project for project in figures["projects"]}
        self.initiatives = {initiative["code"]: initiative for initiative in figures["initiatives"]}

    @property
    def graded_by_label(self) -> str:
        """進捗率 or 達成率: the figure that grades and is averaged upwards."""
        return RATE_LABELS.get(self.graded_by, "進捗率")

    def grade_text(self, code: str | None) -> str:
        """「B（若干の遅れ）」; 「−」 when there is no grade."""
        return self.labels.get(code, code) if code else layout.MISSING

    def project(self, code: str) -> dict | None:
        return self._projects_by_code.get(code)

    def measure(self, code: str) -> dict | None:
        return next((m for m in self.figures["measures"] if m["code"] == code), None)

    def goal(self, code: str) -> dict | None:
        return next((goal for goal in self.goals if goal["code"] == code), None)

    def goal_projects(self, goal: str) -> list[dict]:
        return [p for measure in self.measures[goal] for p in self.projects[measure["code"]]]

    def goal_targets(self, goal: str) -> list[dict]:
        return [i for measure in self.measures[goal] for i in self.indicators[("measure", measure["code"])]]

    def achievement_cells(self, achievement: float | None) -> tuple[Cell, Cell]:
        """(達成率, 進捗率) cells of a roll-up: its achievement under the rate it averages, the other blank."""
        cell = layout.percent(achievement)
        return (
            (cell, layout.text("", layout.VALUE))
            if self.graded_by != "progress"
            else (layout.text("", layout.VALUE), cell)
        )

    def counts_text(
        self, counts: dict[str, int], shares: dict[str, float | None], *, unrated: int = 0
    ) -> str:
        """「A（予定どおり） 23件（74.2%）、B（若干の遅れ） 5件（16.1%）、…（対象外 3件）」, as the engine writes it."""
        if not any(counts.get(code) for code in self.rated):
            lines = "評価の対象となる項目がありません"
        else:
            lines = "、".join(
                f"{self.labels[code]} {counts.get(code, 0)}件（{percent_text(_decimal(shares.get(code)))}）"
                for code in self.rated
            )
        return f"{lines}（対象外 {unrated}件）" if unrated else lines

    def project_counts_text(self, node: dict, projects: list[dict]) -> str:
        return self.counts_text(node["grade_counts"], node["grade_shares"], unrated=unrated(node, projects))


def unrated(node: dict, projects: list[dict]) -> int:
    """The node's projects left out of its grade count (no figure, 「−」, or not run that year)."""
    return len(projects) - sum(node["grade_counts"].values())


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def percent_of(fraction: float | None) -> str:
    """0.825 → 「82.5%」 in a sentence, rounded as every page rounds; none → 「−」."""
    return percent_text(_decimal(fraction))


def indicator_cells(indicator: dict, detail: IndicatorDetail | None) -> tuple[list[Cell], list[str]]:
    """An indicator's [基準値, 年度目標値, 実績値, 達成率, 進捗率] cells, values with their unit, and the
    notes that explain them."""
    decimals = detail.decimals if detail else 0
    unit = indicator["unit"]
    notes = []
    status = indicator["status"]
    if indicator["actual"] is None:
        notes.append(NO_ACTUAL)
        missing = STATUS_LABELS.get(status, layout.MISSING) if status else layout.MISSING
    else:
        missing = layout.MISSING
    if status == ActualStatus.PROVISIONAL:
        notes.append(PROVISIONAL)
    if indicator["interpolated"]:
        notes.append(INTERPOLATED)
    if indicator["too_high"]:
        notes.append(TOO_HIGH)
    cells = [
        layout.quantity(indicator["baseline"], decimals=decimals, unit=unit),
        layout.quantity(indicator["target"], decimals=decimals, unit=unit),
        layout.quantity(indicator["actual"], decimals=decimals, unit=unit, missing=missing),
        layout.percent(indicator["rate"]),
        layout.percent(indicator["progress"]),
    ]
    return cells, notes


def year_heading(what: str, year: int) -> str:
    return f"{what}（{fiscal_year_label(year)}）"
