"""The council workbook (議会報告): a fiscal year's progress report as the city hands it to the council.

`CouncilWorkbook` reads everything once (the year's figures as reported, or today's while the year is
not locked, and the words beside them), then `sheets()` lays the rows out as plain data and `render()`
writes them: the cover, the summary of grades with its chart, one sheet per basic goal, the B and C
items with the committee's opinions, and the changes since the plan began.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from core.fiscal import fiscal_year_label, wareki_date
from evaluation.models import FiscalYear
from reports.workbooks import layout
from reports.workbooks.figures import (
    UNAPPROVED,
    YearFigures,
    indicator_cells,
    notes_text,
    percent_of,
    unrated,
    year_heading,
)
from reports.workbooks.layout import (
    BAND,
    HEADER,
    LABEL,
    PLAIN,
    SUBTITLE,
    TEXT,
    TITLE,
    VALUE,
    Block,
    Sheet,
    text,
)
from reports.workbooks.render import cycle_collection_paused, workbook_bytes
from reports.workbooks.selectors import (
    ActionText,
    Change,
    IndicatorDetail,
    MeasureText,
    Opinion,
    RecordText,
    action_texts,
    indicator_details,
    measure_texts,
    opinions_of_year,
    plan_changes,
    record_texts,
    report_figures,
)
from strategy.models import Plan

REPORT_TITLE = "進捗状況報告書"
INDICATOR_LABELS = {"measure": "施策目標値", "project": "成果指標"}


@dataclass(frozen=True)
class CouncilData:
    """What the council workbook prints, read in a fixed number of queries."""

    plan: Plan
    made_on: datetime.date
    figures: YearFigures
    reported_at: datetime.datetime | None  # when the figures were frozen; None: computed today
    texts: dict[str, RecordText]
    actions: dict[str, list[ActionText]]  # the year's, by project code
    details: dict[tuple[str, str, str], IndicatorDetail]
    opinions: dict[tuple[str, str], list[Opinion]]
    measure_texts: dict[str, MeasureText]
    changes: list[Change]


def council_data(*, fiscal_year: FiscalYear, today: datetime.date) -> CouncilData:
    plan, year = fiscal_year.plan, fiscal_year.year
    reported = report_figures(fiscal_year=fiscal_year)
    return CouncilData(
        plan=plan,
        made_on=today,
        figures=YearFigures(reported.figures),
        reported_at=reported.reported_at,
        texts=record_texts(plan=plan, fiscal_year=year),
        actions=action_texts(plan=plan, fiscal_year=year),
        details=indicator_details(plan=plan),
        opinions=opinions_of_year(plan=plan, fiscal_year=year),
        measure_texts=measure_texts(plan=plan, fiscal_year=year),
        changes=plan_changes(plan=plan, until_year=year),
    )


class CouncilWorkbook:
    """A fiscal year's council report: `sheets()` (plain rows), then `render()` (the xlsx bytes)."""

    def __init__(self, *, fiscal_year: FiscalYear, today: datetime.date):
        self.data = council_data(fiscal_year=fiscal_year, today=today)

    @property
    def filename(self) -> str:
        return f"{self.data.plan.name}_{REPORT_TITLE}_{self.data.figures.year}年度.xlsx"

    def sheets(self) -> list[Sheet]:
        data = self.data
        goals = [goal_sheet(data, goal) for goal in data.figures.goals]
        return [
            cover_sheet(data, goals),
            summary_sheet(data),
            distribution_sheet(data),
            *goals,
            concerns_sheet(data),
            changes_sheet(data),
        ]

    def render(self) -> bytes:
        title = f"{self.data.plan.name} {REPORT_TITLE} {fiscal_year_label(self.data.figures.year)}"
        with cycle_collection_paused():
            return workbook_bytes(self.sheets(), title=title)


# The cover ---------------------------------------------------------------------------------------


def figures_source(data: CouncilData) -> str:
    """Which figures the report holds, in the words of the cover."""
    if data.reported_at is not None:
        locked_on = wareki_date(timezone.localtime(data.reported_at).date())
        return f"{locked_on}に年度を確定したときに記録した数値（報告時点の数値）です。"
    return (
        "作成日時点の集計値です。この年度はまだ確定していないため、今後変わることがあります"
        "（承認前の事業は自動計算の評価案で数えています）。"
    )


def scale_text(figures: YearFigures) -> str:
    """「A（予定どおり）：進捗率100.0%以上、B（若干の遅れ）：80.0%以上100.0%未満、C（大幅な遅れ）：80.0%未満、
    −（評価不能）：数値がないなど評価できないもの」"""
    rated = sorted(
        (grade for grade in figures.grades if grade["min_achievement"] is not None),
        key=lambda grade: -grade["min_achievement"],
    )
    parts, upper = [], None
    for index, grade in enumerate(rated):
        bound = f"{grade['min_achievement'] * 100:.1f}%"
        if index == len(rated) - 1 and upper is not None:
            parts.append(f"{grade['label']}：{upper}未満")
        else:
            parts.append(f"{grade['label']}：{bound}以上" + (f"{upper}未満" if upper else ""))
        upper = bound
    parts += [
        f"{g['label']}：数値がないなど評価できないもの"
        for g in figures.grades
        if g["min_achievement"] is None
    ]
    return f"{figures.graded_by_label}で、" + "、".join(parts)


def cover_sheet(data: CouncilData, goal_sheets: list[Sheet]) -> Sheet:
    figures = data.figures
    plan = data.plan
    period = f"{fiscal_year_label(plan.start_year)}〜{fiscal_year_label(plan.end_year)}"
    lines = [
        ("計画", f"{plan.name}（計画期間：{period}）"),
        ("対象年度", fiscal_year_label(figures.year)),
        ("作成日", wareki_date(data.made_on)),
        ("数値", figures_source(data)),
        (
            "評価の方法",
            f"各指標の{figures.graded_by_label}で評価し、その平均を事業・施策・基本目標の達成度とします。",
        ),
        ("評価区分", scale_text(figures)),
    ]
    if figures.sample:
        lines.append(("サンプル", "サンプル：この報告書の数値はデモ用のサンプルで、市の実績ではありません。"))
    contents = [
        ("評価の概要", "事業と施策目標値の評価区分ごとの件数と割合（計画全体・基本目標・施策）"),
        ("評価の分布", "基本目標別の事業の評価区分ごとの件数のグラフと、その数値"),
        *((sheet.name, sheet.heading[0][0].value) for sheet in goal_sheets),
        ("B・C評価", "評価がBまたはCの施策・事業と、その理由、外部委員会の意見と市の対応方針"),
        (
            "計画の変更",
            "計画の開始からの見直し（目標値の再設定、事業の追加・統合・終了、所管課の変更）と組織の改正",
        ),
    ]
    rows = [
        (text(f"{plan.name}　{REPORT_TITLE}", TITLE, span=2),),
        (text(fiscal_year_label(figures.year), SUBTITLE, span=2),),
        (layout.EMPTY,),
        *((text(label, LABEL), text(value, PLAIN)) for label, value in lines),
        (layout.EMPTY,),
        (text("収録内容", LABEL, span=2),),
        *((text(name, LABEL), text(about, PLAIN)) for name, about in contents),
    ]
    return Sheet(name="表紙", widths=(18.0, 110.0), blocks=[Block(tuple(rows))])


# The summary -------------------------------------------------------------------------------------


def summary_sheet(data: CouncilData) -> Sheet:
    figures = data.figures
    rated = figures.rated
    widths = (9.0, 7.0, 34.0, 9.0, 16.0, *(7.0, 8.0) * len(rated), 8.0, *(7.0, 8.0) * len(rated))
    plan_projects = [p for projects in figures.projects.values() for p in projects]
    plan_targets = [i for key, items in figures.indicators.items() if key[0] == "measure" for i in items]
    heading = [
        (text(year_heading("評価の概要", figures.year), TITLE, span=len(widths)),),
        (
            text(
                f"事業の評価：{figures.project_counts_text(figures.plan, plan_projects)}",
                SUBTITLE,
                span=len(widths),
            ),
        ),
        (
            text(
                f"施策目標値の評価：{target_counts_text(figures, figures.plan, plan_targets)}",
                SUBTITLE,
                span=len(widths),
            ),
        ),
    ]
    grade_headers = [text(f"{figures.labels[code]}", HEADER, span=2) for code in rated]
    counts_header = [cell for code in rated for cell in (text("件数", HEADER), text("割合", HEADER))]
    header = [
        (
            *(text("", HEADER) for _ in range(5)),
            text("事業の評価", HEADER, span=2 * len(rated) + 1),
            text("施策目標値の評価", HEADER, span=2 * len(rated)),
        ),
        (
            *(text("", HEADER) for _ in range(5)),
            *grade_headers,
            text("", HEADER),
            *grade_headers,
        ),
        (
            text("区分", HEADER),
            text("番号", HEADER),
            text("名称", HEADER),
            text("達成度", HEADER),
            text("評価", HEADER),
            *counts_header,
            text("対象外", HEADER),
            *counts_header,
        ),
    ]
    blocks = [Block((summary_row(figures, "計画全体", "", figures.plan, plan_projects, plan_targets, BAND),))]
    for goal in figures.goals:
        rows = [
            summary_row(
                figures, "基本目標", goal["code"], goal, figures.goal_projects(goal["code"]),
                figures.goal_targets(goal["code"]), BAND,
            )
        ]  # fmt: skip
        for measure in figures.measures[goal["code"]]:
            projects = figures.projects[measure["code"]]
            targets = figures.indicators[("measure", measure["code"])]
            rows.append(summary_row(figures, "施策", measure["code"], measure, projects, targets, TEXT))
        blocks.append(Block(tuple(rows)))
    footnotes = [
        f"達成度：指標の{figures.graded_by_label}の平均（事業・施策目標値・施策・基本目標の順に平均）。割合は評価できた項目に占める割合です。",
        "対象外：数値がない、評価不能（−）、この年度に実施していないなどで件数に数えなかった事業です。",
    ]
    return Sheet(
        name="評価の概要",
        widths=widths,
        heading=heading,
        header=header,
        blocks=blocks,
        footnotes=footnotes,
        frozen_columns=3,
    )


def target_counts_text(figures: YearFigures, node: dict, targets: list[dict]) -> str:
    counts = node.get("target_grade_counts") or {}
    rated = sum(counts.values())
    return figures.counts_text(counts, node.get("target_grade_shares") or {}, unrated=len(targets) - rated)


def summary_row(figures, kind, code, node, projects, targets, style) -> layout.Row:
    rated = figures.rated
    target_counts = node.get("target_grade_counts") or {}
    target_shares = node.get("target_grade_shares") or {}
    return (
        text(kind, style),
        text(code, style),
        text(node["name"], style),
        layout.percent(node["achievement"]),
        text(figures.grade_text(node["grade"]), style),
        *(
            c
            for g in rated
            for c in (
                layout.count(node["grade_counts"].get(g, 0)),
                layout.percent(node["grade_shares"].get(g)),
            )
        ),
        layout.count(unrated(node, projects)),
        *(
            c
            for g in rated
            for c in (
                (layout.count(target_counts.get(g, 0)), layout.percent(target_shares.get(g)))
                if targets
                else (text(layout.MISSING, VALUE), text(layout.MISSING, VALUE))
            )
        ),
    )


def distribution_sheet(data: CouncilData) -> Sheet:
    """The chart of the projects' grades per basic goal, with its numbers."""
    figures = data.figures
    widths = (16.0, *(18.0 for _ in figures.rated))
    rows = [
        (text("基本目標", HEADER), *(text(figures.labels[code], HEADER) for code in figures.rated)),
        *(
            (
                text(f"基本目標{goal['code']}", TEXT),
                *(layout.count(goal["grade_counts"].get(code, 0)) for code in figures.rated),
            )
            for goal in figures.goals
        ),
    ]
    title = year_heading("基本目標別の事業の評価", figures.year)
    chart = layout.Chart(title=title, y_title="事業数（件）")
    return Sheet(
        name="評価の分布",
        widths=widths,
        heading=[(text(title, TITLE, span=len(widths)),)],
        blocks=[Block(tuple(rows), chart=chart)],
    )


# One sheet per basic goal -------------------------------------------------------------------------

GOAL_COLUMNS = (
    ("区分", 9.0),
    ("番号", 10.0),
    ("名称", 26.0),
    ("所管課", 12.0),
    ("基準値", 11.0),
    ("年度目標値", 11.0),
    ("実績値", 11.0),
    ("達成率", 8.0),
    ("進捗率", 8.0),
    ("評価", 16.0),
    ("行動目標の実績", 28.0),
    ("課題", 24.0),
    ("今後の方向性", 10.0),
    ("注", 8.0),
)


def goal_sheet(data: CouncilData, goal: dict) -> Sheet:
    figures = data.figures
    widths = tuple(width for _, width in GOAL_COLUMNS)
    summary = (
        f"達成度 {percent_of(goal['achievement'])}（{figures.graded_by_label}の平均）　"
        f"評価 {figures.grade_text(goal['grade'])}　"
        f"事業の評価：{figures.project_counts_text(goal, figures.goal_projects(goal['code']))}"
    )
    heading = [
        (text(f"基本目標{goal['code']}　{goal['name']}", TITLE, span=len(widths)),),
        (text(f"{fiscal_year_label(figures.year)}　{summary}", SUBTITLE, span=len(widths)),),
    ]
    header = [tuple(text(name, HEADER) for name, _ in GOAL_COLUMNS)]
    blocks, notes = [], []
    for measure in figures.measures[goal["code"]]:
        blocks.append(measure_block(data, measure, notes))
        for project in figures.projects[measure["code"]]:
            if project["exclusion"] is None:  # not run this year: listed under the plan's changes
                blocks.append(project_block(data, project, notes))
    footnotes = [
        f"達成率：実績値÷年度目標値（減らす指標は年度目標値÷実績値）。進捗率：（実績値−基準値）÷（年度目標値−基準値）。"
        f"評価は{figures.graded_by_label}によります。施策・事業の行の率は、その指標の{figures.graded_by_label}の平均（達成度）です。",
        *notes_text(notes),
    ]
    return Sheet(
        name=f"基本目標{goal['code']}", widths=widths, heading=heading, header=header, blocks=blocks,
        footnotes=footnotes, frozen_columns=3,
    )  # fmt: skip


def measure_block(data: CouncilData, measure: dict, notes: list[str]) -> Block:
    """The measure's band row and its 施策目標値."""
    figures = data.figures
    projects = figures.projects[measure["code"]]
    band = (
        text("施策", BAND),
        text(measure["code"], BAND),
        text(measure["name"], BAND, span=2),
        *(text("", BAND) for _ in range(3)),
        *figures.achievement_cells(measure["achievement"]),
        text(figures.grade_text(measure["grade"]), BAND),
        text(f"事業の評価：{figures.project_counts_text(measure, projects)}", BAND, span=4),
    )
    return Block((band, *indicator_rows(data, "measure", measure["code"], notes)))


def indicator_rows(data: CouncilData, kind: str, owner: str, notes: list[str]) -> list[tuple]:
    """A row per indicator of the measure (施策目標値) or project (成果指標) `owner`."""
    figures = data.figures
    rows = []
    for indicator in figures.indicators[(kind, owner)]:
        cells, marks = indicator_cells(indicator, data.details.get((kind, owner, indicator["code"])))
        notes.extend(marks)
        rows.append(
            (
                text(INDICATOR_LABELS[kind]),
                text(indicator["code"]),
                text(indicator["name"], span=2),
                *cells,
                text(figures.grade_text(indicator["grade"])),
                *(text("") for _ in range(3)),
                text("、".join(marks)),
            )
        )
    return rows


def actions_text(actions: list[ActionText]) -> str:
    """「1. 行動目標（達成）\n取組実績」 for each of the year's action goals."""
    lines = []
    for action in actions:
        completion = f"（{action.completion}）" if action.completion else "（未入力）"
        lines.append(f"{action.number}. {action.description}{completion}")
        if action.done:
            lines.append(action.done)
    return "\n".join(lines)


def project_block(data: CouncilData, project: dict, notes: list[str]) -> Block:
    """The project's row and its outcome indicators' rows. The words of a record not yet approved are
    not printed: it is marked 「未承認」 instead."""
    figures = data.figures
    record = data.texts.get(project["code"])
    approved = record is not None and record.approved
    marks = [] if approved else [UNAPPROVED]
    notes.extend(marks)
    rows = [
        (
            text("事業"),
            text(project["code"]),
            text(project["name"]),
            text(figures.departments.get(project["code"], "")),
            *(text("", VALUE) for _ in range(3)),
            *figures.achievement_cells(project["achievement"]),
            text(figures.grade_text(project["grade"])),
            text(actions_text(data.actions.get(project["code"], [])) if approved else ""),
            text(record.issues if approved else ""),
            text(record.next_direction if approved else ""),
            text("、".join(marks)),
        )
    ]
    return Block(tuple(rows + indicator_rows(data, "project", project["code"], notes)))


# B and C items ------------------------------------------------------------------------------------

CONCERN_COLUMNS = (
    ("区分", 7.0),
    ("番号", 10.0),
    ("名称", 22.0),
    ("所管課", 11.0),
    ("評価", 16.0),
    ("評価の理由", 28.0),
    ("課題", 22.0),
    ("今後の取組", 24.0),
    ("外部委員会の意見", 26.0),
    ("市の対応方針", 26.0),
)


def concerns_sheet(data: CouncilData) -> Sheet:
    """The measures and projects graded below the best grade (B and C), with why, what the department will
    do, and the outside committee's opinion with the city's response."""
    figures = data.figures
    below = set(figures.rated[1:])
    widths = tuple(width for _, width in CONCERN_COLUMNS)
    rows = []
    for goal in figures.goals:
        for measure in figures.measures[goal["code"]]:
            if measure["grade"] in below:
                rows.append(measure_concern(data, measure))
            rows.extend(
                project_concern(data, project)
                for project in figures.projects[measure["code"]]
                if project["grade"] in below and project["exclusion"] is None
            )
    if not rows:
        rows = [(text("評価がBまたはCの施策・事業はありません。", PLAIN, span=len(widths)),)]
    names = "・".join(figures.labels[code] for code in figures.rated[1:])
    heading = [
        (text(year_heading(f"評価が{names}の施策・事業", figures.year), TITLE, span=len(widths)),),
    ]
    header = [tuple(text(name, HEADER) for name, _ in CONCERN_COLUMNS)]
    return Sheet(
        name="B・C評価", widths=widths, heading=heading, header=header,
        blocks=[Block((row,)) for row in rows], frozen_columns=3,
        footnotes=["事業の評価の理由・課題・今後の取組は所管課の記入、施策の評価の理由はDX推進課の記入です。承認前の事業の文章は掲載していません。"],
    )  # fmt: skip


def opinion_cells(opinions: list[Opinion]) -> tuple[layout.Cell, layout.Cell]:
    said = "\n".join(f"{o.opinion}（{o.committee}）" for o in opinions)
    answered = "\n".join(o.response or "（対応方針は未記入）" for o in opinions)
    return text(said), text(answered)


def measure_concern(data: CouncilData, measure: dict) -> layout.Row:
    words = data.measure_texts.get(measure["code"], MeasureText("", ""))
    reason = "\n".join(part for part in (words.grade_reason, words.comment) if part)
    return (
        text("施策"),
        text(measure["code"]),
        text(measure["name"]),
        text(""),
        text(data.figures.grade_text(measure["grade"])),
        text(reason),
        text(""),
        text(""),
        *opinion_cells(data.opinions.get(("measure", measure["code"]), [])),
    )


def project_concern(data: CouncilData, project: dict) -> layout.Row:
    record = data.texts.get(project["code"])
    approved = record is not None and record.approved
    return (
        text("事業"),
        text(project["code"]),
        text(project["name"]),
        text(data.figures.departments.get(project["code"], "")),
        text(data.figures.grade_text(project["grade"]) + ("" if approved else "\n（未承認）")),
        text(record.grade_reason if approved else ""),
        text(record.issues if approved else ""),
        text(record.next_steps if approved else ""),
        *opinion_cells(data.opinions.get(("project", project["code"]), [])),
    )


# Changes since the plan began ---------------------------------------------------------------------

CHANGE_COLUMNS = (("適用年度", 21.0), ("種別", 15.0), ("内容", 60.0), ("理由", 52.0), ("日付", 24.0))


def changes_sheet(data: CouncilData) -> Sheet:
    figures = data.figures
    widths = tuple(width for _, width in CHANGE_COLUMNS)
    kinds: dict[str, int] = {}
    for change in data.changes:
        kinds[change.kind] = kinds.get(change.kind, 0) + 1
    tally = "、".join(f"{kind} {number}件" for kind, number in kinds.items()) or "変更はありません"
    heading = [
        (
            text(
                year_heading("計画の変更（計画の開始からこの年度まで）", figures.year),
                TITLE,
                span=len(widths),
            ),
        ),
        (text(tally, SUBTITLE, span=len(widths)),),
    ]
    header = [tuple(text(name, HEADER) for name, _ in CHANGE_COLUMNS)]
    rows = [
        (
            text(fiscal_year_label(change.effective_year)),
            text(change.kind),
            text(change.summary),
            text(change.reason),
            text(wareki_date(change.dated)),
        )
        for change in data.changes
    ] or [(text("計画の開始から、見直しや組織の改正はありません。", PLAIN, span=len(widths)),)]
    return Sheet(
        name="計画の変更", widths=widths, heading=heading, header=header, blocks=[Block((row,)) for row in rows],
        footnotes=["計画の見直しは、適用年度より前の年度の評価には影響しません（前の年度は当時の目標値で評価しています）。"],
    )  # fmt: skip
