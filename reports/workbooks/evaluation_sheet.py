"""The 評価シート: one project's evaluation of one fiscal year, as the city files and prints it.

Laid out as PRACTICE.md's 評価シート: the plan, the year, the goal and measure, the project and the
department responsible that year, its summary; the action goals of every plan year against what was
done (this year marked); the outcome indicators; the grades with their reasons, the issues and the
next direction; the DX office's comment; the outside committee's opinion and the city's response;
footnotes for provisional or missing values. Never the internal note.

`sheet_data` reads a year once (one project, or all of them for the DX office's zip) in a fixed
number of queries; `EvaluationSheet` lays out one project's rows and renders them.
"""

import datetime
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils import timezone

from core.fiscal import fiscal_year_label, fiscal_year_short, wareki_date
from evaluation.models import FiscalYear
from projects.models import Project
from reports.workbooks import layout
from reports.workbooks.figures import YearFigures, indicator_cells, notes_text, percent_of
from reports.workbooks.layout import BAND, HEADER, SUBTITLE, TEXT, TITLE, VALUE, Block, Sheet, text
from reports.workbooks.render import workbook_bytes
from reports.workbooks.selectors import (
    ActionText,
    IndicatorDetail,
    Opinion,
    RecordText,
    action_texts,
    indicator_details,
    opinions_of_year,
    record_texts,
    report_figures,
)
from strategy.models import Plan

SHEET_TITLE = "事業評価シート"
COLUMNS = 12
WIDTHS = (8.0, 26.0, 8.0, 11.0, 9.0, 11.0, 11.0, 8.0, 8.0, 16.0, 11.0, 9.0)
# Characters Windows refuses in a file name inside the zip.
UNSAFE = str.maketrans({char: "＿" for char in '\\/:*?"<>|'})


@dataclass(frozen=True)
class SheetData:
    """A year's figures and words for the 評価シート of one project or of all of them."""

    plan: Plan
    figures: YearFigures
    reported_at: datetime.datetime | None
    texts: dict[str, RecordText]
    actions: dict[str, list[ActionText]]  # every plan year's
    details: dict[tuple[str, str, str], IndicatorDetail]
    opinions: dict[tuple[str, str], list[Opinion]]


def sheet_data(*, fiscal_year: FiscalYear, project: Project | None = None) -> SheetData:
    """What the year's 評価シート print, for `project` or every project of the plan; the same number of
    queries either way."""
    plan, year = fiscal_year.plan, fiscal_year.year
    reported = report_figures(fiscal_year=fiscal_year, project=project)
    return SheetData(
        plan=plan,
        figures=YearFigures(reported.figures),
        reported_at=reported.reported_at,
        texts=record_texts(plan=plan, fiscal_year=year, project=project),
        actions=action_texts(plan=plan, project=project),
        details=indicator_details(plan=plan, project=project),
        opinions=opinions_of_year(plan=plan, fiscal_year=year, project=project),
    )


class EvaluationSheet:
    """One project's 評価シート of one year: `sheets()` (plain rows), then `render()` (the xlsx bytes)."""

    def __init__(self, data: SheetData, code: str):
        self.data = data
        self.code = code
        self.project = data.figures.project(code)
        self.record = data.texts.get(code)

    @classmethod
    def of(cls, *, fiscal_year: FiscalYear, project: Project) -> "EvaluationSheet":
        return cls(sheet_data(fiscal_year=fiscal_year, project=project), project.code)

    @property
    def filename(self) -> str:
        name = f"{SHEET_TITLE}_{self.code}_{self.project['name']}_{self.data.figures.year}年度.xlsx"
        return name.translate(UNSAFE)

    def sheets(self) -> list[Sheet]:
        figures, project = self.data.figures, self.project
        notes: list[str] = []
        blocks = [
            self._about(),
            self._actions(),
            self._indicators(notes),
            self._evaluation(),
            self._opinions(),
        ]
        heading = [
            (text(f"{SHEET_TITLE}　{fiscal_year_label(figures.year)}", TITLE, span=COLUMNS),),
            (text(f"{project['code']}　{project['name']}", SUBTITLE, span=COLUMNS),),
        ]
        footnotes = [
            "達成率：実績値÷年度目標値（減らす指標は年度目標値÷実績値）。進捗率：（実績値−基準値）÷（年度目標値−基準値）。"
            f"評価は{figures.graded_by_label}によります。",
            self._source(),
            *notes,
        ]
        if figures.sample:
            footnotes.append("サンプル：このシートの数値はデモ用のサンプルで、市の実績ではありません。")
        return [Sheet(name="評価シート", widths=WIDTHS, heading=heading, blocks=blocks, footnotes=footnotes)]

    def render(self) -> bytes:
        title = f"{SHEET_TITLE} {self.code} {fiscal_year_label(self.data.figures.year)}"
        return workbook_bytes(self.sheets(), title=title)

    def _source(self) -> str:
        if self.data.reported_at is not None:
            locked_on = wareki_date(timezone.localtime(self.data.reported_at).date())
            return f"数値は{locked_on}に年度を確定したときの記録（報告時点の数値）です。"
        return "数値は作成時点の集計値です。この年度はまだ確定していないため、今後変わることがあります。"

    def _about(self) -> Block:
        figures, project = self.data.figures, self.project
        measure = figures.measure(project["measure"]) or {"code": project["measure"], "name": "", "goal": ""}
        goal = figures.goal(measure["goal"]) or {"code": measure["goal"], "name": ""}
        initiative = figures.initiatives.get(project["initiative"] or "")
        lines = [
            ("計画", self.data.plan.name),
            ("年度", fiscal_year_label(figures.year)),
            ("基本目標", f"{goal['code']}　{goal['name']}"),
            ("施策", f"{measure['code']}　{measure['name']}"),
            ("主な取組", f"{initiative['code']}　{initiative['name']}" if initiative else layout.MISSING),
            ("事業", f"{project['code']}　{project['name']}"),
            (
                "所管課",
                f"{figures.departments.get(self.code, '') or layout.MISSING}（{fiscal_year_label(figures.year)}の名称）",
            ),
            ("事業概要", self.record.summary if self.record else ""),
        ]
        return Block(tuple(_line(label, value) for label, value in lines))

    def _actions(self) -> Block:
        year = self.data.figures.year
        rows = [
            _section("行動目標と実績（計画期間の各年度）"),
            (text("年度", HEADER), text("行動目標", HEADER, span=4), text("取組実績", HEADER, span=5), text("達成状況", HEADER, span=2)),
        ]  # fmt: skip
        for action in self.data.actions.get(self.code, []):
            label = fiscal_year_short(action.fiscal_year) + (
                "\n（本年度）" if action.fiscal_year == year else ""
            )
            later = action.fiscal_year > year
            rows.append(
                (
                    text(label, BAND if action.fiscal_year == year else TEXT),
                    text(f"{action.number}. {action.description}", span=4),
                    text("" if later else action.done, span=5),
                    text("" if later else (action.completion or "未入力"), span=2),
                )
            )
        if len(rows) == 2:
            rows.append((text("行動目標は登録されていません。", span=COLUMNS),))
        return Block(tuple(rows))

    def _indicators(self, notes: list[str]) -> Block:
        figures = self.data.figures
        headers = (
            "番号",
            "指標名",
            "単位",
            "基準値",
            "基準年度",
            "年度目標値",
            "実績値",
            "達成率",
            "進捗率",
            "評価",
            "最終目標値",
            "目標年度",
        )
        rows = [_section("成果指標"), tuple(text(name, HEADER) for name in headers)]
        used: list[str] = []
        for indicator in figures.indicators[("project", self.code)]:
            detail = self.data.details.get(("project", self.code, indicator["code"]))
            (baseline, target, actual, rate, progress), marks = indicator_cells(indicator, detail)
            decimals = detail.decimals if detail else 0
            final = layout.quantity(indicator["final_target"], decimals=decimals, unit=indicator["unit"])
            rows.append(
                (
                    text(indicator["code"]),
                    text(indicator["name"]),
                    text(indicator["unit"]),
                    baseline,
                    text(_year(detail.baseline_year if detail else None), VALUE),
                    target,
                    actual,
                    rate,
                    progress,
                    text(figures.grade_text(indicator["grade"])),
                    final,
                    text(_year(detail.final_year if detail else None), VALUE),
                )
            )
            if marks:
                notes.append(f"成果指標{indicator['code']}：{'、'.join(marks)}")
                used.extend(marks)
        if len(rows) == 2:
            rows.append((text("成果指標は登録されていません。", span=COLUMNS),))
        notes.extend(notes_text(used))
        return Block(tuple(rows))

    def _evaluation(self) -> Block:
        figures, project, record = self.data.figures, self.project, self.record
        status = "承認済み" if record and record.approved else "承認前"
        lines = [
            ("達成度", f"{percent_of(project['achievement'])}（成果指標の{figures.graded_by_label}の平均）"),
            ("評価案（自動計算）", figures.grade_text(project["proposed_grade"])),
        ]
        if record is not None:
            lines += [
                ("自己評価", figures.grade_text(record.self_grade)),
                ("評価の理由", record.self_grade_reason),
                ("最終評価", f"{figures.grade_text(record.final_grade)}（{status}）"),
            ]
            if record.final_grade_reason:
                lines.append(("最終評価の理由", record.final_grade_reason))
            lines += [
                ("主な実績", record.results_summary),
                ("課題", record.issues),
                ("今後の方向性", record.next_direction or layout.MISSING),
                ("今後の取組", record.next_steps),
                ("DX推進課のコメント", record.review_comment),
            ]
        else:
            lines.append(("評価", "この年度の評価の記録はありません。"))
        return Block((_section("評価"), *(_line(label, value) for label, value in lines)))

    def _opinions(self) -> Block:
        opinions = self.data.opinions.get(("project", self.code), [])
        rows = [
            _section("外部委員会の意見と市の対応方針"),
            (
                text("委員会", HEADER, span=2),
                text("意見", HEADER, span=5),
                text("市の対応方針", HEADER, span=5),
            ),
        ]
        rows += [
            (text(o.committee, span=2), text(o.opinion, span=5), text(o.response or "（未記入）", span=5))
            for o in opinions
        ]
        if not opinions:
            rows.append((text("この年度の意見はありません。", span=COLUMNS),))
        return Block(tuple(rows))


def _line(label: str, value: str) -> layout.Row:
    return (text(label, HEADER, span=2), text(value or layout.MISSING, TEXT, span=COLUMNS - 2))


def _section(title: str) -> layout.Row:
    return (text(title, BAND, span=COLUMNS),)


def _year(year: int | None) -> str:
    return fiscal_year_short(year) if year else layout.MISSING


class _Chunks:
    """Where the zip writes: the bytes are handed on as they come, so the download starts at once and
    the year's sheets are never all held in memory."""

    def __init__(self):
        self._chunks: list[bytes] = []

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        taken, self._chunks = b"".join(self._chunks), []
        return taken


def evaluation_sheets_zip(*, fiscal_year: FiscalYear) -> Iterator[bytes]:
    """Every 評価シート of the year (one per project with a record) as a zip, chunk by chunk, a sheet at a
    time; everything is read first, in the same queries as one sheet."""
    data = sheet_data(fiscal_year=fiscal_year)
    chunks = _Chunks()
    # Stored, not deflated: an xlsx file is a zip already and would not shrink.
    with zipfile.ZipFile(chunks, "w", zipfile.ZIP_STORED) as archive:
        for code in sorted(data.texts):
            if data.figures.project(code) is None:
                continue
            sheet = EvaluationSheet(data, code)
            archive.writestr(sheet.filename, sheet.render())
            yield chunks.take()
    yield chunks.take()


def zip_filename(fiscal_year: FiscalYear) -> str:
    return f"{SHEET_TITLE}_{fiscal_year.year}年度.zip"
