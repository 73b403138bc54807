"""The public pages: the plan, its published progress, no login, Japanese or English.

Demo: FY2024 is locked (every record approved, a snapshot taken by the lock); FY2025 is open.
Published means approved in a locked year, read from that year's latest snapshot.
"""

import json
import re
from decimal import Decimal
from html import unescape
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from evaluation import services
from evaluation.enums import ActualStatus, CycleStatus, RecordStatus
from evaluation.models import FiscalYear, Grade, ProjectRecord, YearSnapshot
from evaluation.rollups.snapshots import snapshot_take
from measures.enums import Direction, IndicatorKind, MeasureLineage
from measures.models import Initiative, Measure, MeasureIndicator
from projects.enums import ProjectStatus
from projects.models import OutcomeIndicator, Project
from reports.public import labels
from reports.public.selectors import published_years
from strategy.models import BasicGoal, Department, Plan, PlanStatus
from tests import factories

MEASURES = ["1-1", "1-2", "2-1", "2-2", "2-3", "3-1", "3-2", "3-3"]
PAGES = ["/", "/plan/", "/plan/years/2024/", "/open-data/", *(f"/plan/measures/{code}/" for code in MEASURES)]
FILES = [
    f"/open-data/{name}{suffix}"
    for name in ("progress", "structure")
    for suffix in (".csv", "-bom.csv", ".json")
]


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def chart(html: str, chart_id: str) -> dict:
    """The figure a page hands to charts.js: the json_script payload, as the browser reads it."""
    found = re.search(rf'<script id="{chart_id}" type="application/json">(.*?)</script>', html, re.S)
    assert found, f"no json_script {chart_id}"
    return json.loads(unescape(found.group(1)))


def _text(cell: str) -> str:
    """A cell as read: tags dropped, a line break written " / ", spaces collapsed."""
    text = unescape(re.sub(r"<[^>]+>", "", cell.replace("<br>", " / ")))
    return re.sub(r"\s+", " ", text).strip()


def rows(html: str, caption_id: str) -> list[list[str]]:
    """The body rows of the table captioned `caption_id`, each a list of its cells' text."""
    body = re.search(rf'<caption id="{caption_id}">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return [
        [_text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def target_chart(plan: Plan, measure: str = "1-1") -> str:
    """The id of the chart (and, with -caption, of the table) of a measure's first target indicator."""
    return f"chart-indicator-{MeasureIndicator.objects.filter(measure__plan=plan, measure__code=measure).first().pk}"


def dx():
    return get_user_model().objects.get(username="dx")


def correct(code: str, *, actual=None, status=ActualStatus.CONFIRMED, grade="", note="", approve=True):
    """A late correction of a project's FY2024 record, through the workflow: reopen, save, resubmit,
    and approve unless `approve` is False (the correction then waits for the DX office)."""
    record = ProjectRecord.objects.get(project__code=code, fiscal_year=2024)
    record = services.record_reopen(record, by=dx(), reason="実績値の誤記を訂正")
    result = record.indicator_results.get()
    result.actual, result.actual_status = actual, status
    if grade:
        record.self_grade = Grade.objects.get(scale__plan=record.project.plan, code=grade)
        record.self_grade_reason = "訂正後の実績から評価し直しました。"
    record.internal_note = note
    services.record_entry_save(record, by=dx(), seen_version=record.version, results=[result])
    services.record_submit(record, by=dx())
    if approve:
        services.record_approve(record, by=dx())
    return record


# The plan (tests on the reference data alone run first: the demo, once loaded, stays for the module)


def test_the_plan_page_shows_its_standing_stance_goals_and_measures(client, plan):
    html = page(client, "/plan/")
    assert "<title>計画の位置付けと進捗 | ICT総合戦略 進捗ポータル</title>" in html
    assert "<h1>第２次相模原市ＩＣＴ総合戦略</h1>" in html
    assert (
        "<dt>位置付け</dt><dd>相模原市総合計画で示した本市の目指すまちづくりをＩＣＴの側面から推進する計画であり、"
        "官民データ活用推進基本法第９条第３項の規定に基づく市官民データ活用推進計画としても位置付けます。</dd>"
    ) in html
    assert (
        "<dt>取組姿勢</dt><dd>ＩＣＴやデータの活用は、目的ではなく、目的達成の手段として捉えていることから"
        in html
    )
    assert "<dt>計画期間</dt><dd>令和6年度（2024年度）〜令和9年度（2027年度）</dd>" in html
    assert '<h3 id="goal-2">基本目標2　経営資源を最大限に活用した行財政改革</h3>' in html
    assert (
        '<h4><span class="code">施策2-2</span> <a href="/plan/measures/2-2/">業務継続性の確保</a></h4>'
        in html
    )
    assert '<ul class="initiatives"><li>ICT-BCPの推進</li></ul>' in html
    assert "まだ公表した年度はありません。年度の評価が確定すると、ここに結果を掲載します。" in html


def test_the_plan_page_shows_the_predecessor_and_how_the_measures_correspond(client, plan):
    html = page(client, "/plan/")
    assert (
        "<p>この計画は相模原市ＩＣＴ総合戦略（令和2年度（2020年度）〜令和5年度（2023年度））を引き継ぎ、"
        "施策を一部見直しています。</p>"
    ) in html
    assert rows(html, "correspondence-caption") == [
        ["施策1-1 利便性を高める行政サービスの推進", "見直し", "施策1-1 利便性を高める行政サービスの推進", "施策の方向性を見直し"],
        ["施策1-2 誰一人取り残さない行政サービスの推進", "見直し", "施策1-2 誰一人取り残さない行政サービスの推進", "施策の方向性を見直し"],
        [
            "施策2-1 デジタル技術を生かした行政事務改革", "見直し",
            "施策2-1 行政事務における電子化の推進 / 施策2-2 デジタル・ワークスタイルへの転換",
            "第１次計画の施策2-1と2-2（デジタル・ワークスタイルへの転換）を統合",
        ],
        ["施策2-2 業務継続性の確保", "継続", "施策2-3 業務継続性の確保", "第１次計画の施策2-3から番号を変更"],
        ["施策2-3 情報システムの標準化・共通化の推進", "新規", "（なし）", ""],
        ["施策3-1 データ利活用の促進", "継続", "施策3-1 データ利活用の促進", ""],
        ["施策3-2 魅力的な地域づくりに向けた情報発信", "継続", "施策3-2 魅力的な地域づくりに向けた情報発信", ""],
        ["施策3-3 ICT教育・人材育成の推進", "見直し", "施策3-3 ICT教育・人材育成の推進", "施策の方向性を見直し"],
    ]  # fmt: skip


def test_a_predecessor_measure_nobody_took_over_is_listed_as_ended(client, plan):
    Measure.objects.get(plan=plan, code="2-1").predecessors.remove(
        Measure.objects.get(plan__code="ict1", code="2-2")
    )
    assert rows(page(client, "/plan/"), "correspondence-caption")[-1] == [
        "（引き継いだ施策なし）",
        "終了",
        "施策2-2 デジタル・ワークスタイルへの転換",
        "",
    ]


def test_a_measure_before_anything_is_published_shows_its_targets_and_nothing_else(client, plan):
    measure = Measure.objects.get(plan=plan, code="1-1")
    indicator = MeasureIndicator.objects.create(
        measure=measure, code="1-1-1", name="オンラインで完結できる行政手続の割合", unit="％", kind="rate",
        decimals=1, baseline_value=Decimal("35.0"), baseline_year=2022, final_target=Decimal("70.0"),
        final_target_year=2027,
    )  # fmt: skip
    indicator.targets.create(fiscal_year=2025, value=Decimal("50.0"))
    html = page(client, "/plan/measures/1-1/")
    assert "<title>施策1-1 利便性を高める行政サービスの推進の進捗 | ICT総合戦略 進捗ポータル</title>" in html
    # FY2024 lies between the baseline (2022) and the stated FY2025 target: interpolated.
    assert rows(html, f"chart-indicator-{indicator.pk}-caption") == [
        ["令和6年度（2024年度）", "45.0 （補間）", "−", "未公表", "−", "−", "−"],
        ["令和7年度（2025年度）", "50.0", "−", "未公表", "−", "−", "−"],
        ["令和8年度（2026年度）", "60.0 （補間）", "−", "未公表", "−", "−", "−"],
        ["令和9年度（2027年度）", "70.0", "−", "未公表", "−", "−", "−"],
    ]
    assert html.count("まだ公表した年度はありません。") == 2  # no evaluation, no projects yet


@pytest.mark.parametrize("path", ["/plan/measures/9-9/", "/plan/years/2031/", "/plan/years/1900/"])
def test_what_does_not_exist_is_not_found(client, plan, path):
    assert client.get(path).status_code == 404


def test_a_year_not_yet_published_says_so(client, demo):
    response = client.get("/plan/years/2025/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>令和7年度（2025年度）の結果はまだ公表されていません</h1>" in html
    assert '<li><a href="/plan/years/2024/">令和6年度（2024年度）の進捗</a></li>' in html


# Published figures ------------------------------------------------------------------------------


def test_a_measure_page_shows_its_target_over_the_plan_with_the_published_actual(client, demo):
    html = page(client, "/plan/measures/1-1/")
    assert (
        '<p class="sample-notice">サンプル：このページの数値はデモ用のサンプルで、市の実績ではありません。</p>'
        in html
    )
    chart_id = target_chart(demo)
    assert rows(html, f"{chart_id}-caption") == [
        ["令和6年度（2024年度）", "43.8", "42.9", "確定値", "89.8%", "97.9%", "B（若干の遅れ）"],
        ["令和7年度（2025年度）", "52.5", "−", "未公表", "−", "−", "−"],
        ["令和8年度（2026年度）", "61.2", "−", "未公表", "−", "−", "−"],
        ["令和9年度（2027年度）", "70.0", "−", "未公表", "−", "−", "−"],
    ]
    figure = chart(html, chart_id)
    assert [(t["name"], t["x"], t["y"]) for t in figure["data"]] == [
        ("基準値", ["R4"], [35.0]),
        ("目標値", ["R6", "R7", "R8", "R9"], [43.8, 52.5, 61.2, 70.0]),
        ("実績値", ["R6"], [42.9]),
    ]
    assert figure["layout"]["xaxis"]["categoryarray"] == ["R4", "R5", "R6", "R7", "R8", "R9"]
    assert figure["layout"]["yaxis"]["title"]["text"] == "値（％）"
    assert (
        f'<div class="chart" data-chart="{chart_id}" role="img" '
        'aria-label="オンラインで完結できる行政手続の割合（数値は下の表にあります）"></div>'
    ) in html


def test_a_measure_page_lists_its_projects_published_grades_and_main_results(client, demo):
    html = page(client, "/plan/measures/3-2/")
    assert '<caption id="projects-2024-caption">令和6年度（2024年度）の事業（3件）</caption>' in html
    assert rows(html, "projects-2024-caption") == [
        ["3-2-1-01", "市公式SNSの運用", "広報課", "C（大幅な遅れ）", "市公式SNSの運用について、計画どおり取組を進めました（デモ）。"],
        ["3-2-1-02", "市ホームページのリニューアル", "広報課", "A（予定どおり）",
         "市ホームページのリニューアルについて、計画どおり取組を進めました（デモ）。"],
        ["3-2-1-03", "シティプロモーション動画の配信", "広報課", "A（予定どおり）",
         "シティプロモーション動画の配信について、計画どおり取組を進めました（デモ）。"],
    ]  # fmt: skip
    assert rows(html, "evaluations-caption") == [["令和6年度（2024年度）", "B（若干の遅れ）"]]


def test_the_year_page_counts_the_published_grades(client, demo):
    html = page(client, "/plan/years/2024/")
    assert "<title>令和6年度（2024年度）の進捗（公表結果） | ICT総合戦略 進捗ポータル</title>" in html

    # 34 projects approved: the snapshot's counts of the 31 rated (A 23, B 5, C 3) and 3 graded −.
    assert rows(html, "project-counts") == [
        ["A（予定どおり）", "23", "74.2%"],
        ["B（若干の遅れ）", "5", "16.1%"],
        ["C（大幅な遅れ）", "3", "9.7%"],
        ["−（評価不能）", "3", "（割合の対象外）"],
    ]
    assert rows(html, "goal-counts") == [
        ["基本目標1", "9", "0", "1", "1"],
        ["基本目標2", "8", "2", "1", "2"],
        ["基本目標3", "6", "3", "1", "0"],
    ]
    assert rows(html, "measure-counts") == [
        ["A（予定どおり）", "1", "12.5%"],
        ["B（若干の遅れ）", "7", "87.5%"],
        ["C（大幅な遅れ）", "0", "0.0%"],
        ["−（評価不能）", "0", "（割合の対象外）"],
    ]
    bars = chart(html, "chart-goals")
    assert [(t["name"], t["x"], t["y"]) for t in bars["data"]] == [
        ("A（予定どおり）", ["基本目標1", "基本目標2", "基本目標3"], [9, 8, 6]),
        ("B（若干の遅れ）", ["基本目標1", "基本目標2", "基本目標3"], [0, 2, 3]),
        ("C（大幅な遅れ）", ["基本目標1", "基本目標2", "基本目標3"], [1, 1, 1]),
    ]
    assert bars["data"][0]["text"] == ["A 9件", "A 8件", "A 6件"]


def test_a_measure_page_lists_the_projects_of_one_published_year_at_a_time(client, demo):
    """A city's measure has hundreds of projects a year: the latest published year's are listed, and
    each earlier year's a link away."""
    # As if locked: a snapshot of FY2025 publishes only its approved records (the demo's others are drafts).
    FiscalYear.objects.filter(plan=demo, year=2025).update(status=CycleStatus.LOCKED)
    snapshot_take(plan=demo, fiscal_year=2025, by=None)
    html = page(client, "/plan/measures/3-2/")
    assert '<li><span aria-current="page">令和7年度（2025年度）</span></li>' in html
    assert '<li><a href="?year=2024#projects-heading">令和6年度（2024年度）</a></li>' in html
    # Of the measure's FY2025 records only 3-2-1-03's is approved.
    assert rows(html, "projects-2025-caption") == [
        ["3-2-1-03", "シティプロモーション動画の配信", "広報課", "C（大幅な遅れ）",
         "シティプロモーション動画の配信について、計画どおり取組を進めました（デモ）。"],
    ]  # fmt: skip
    assert "projects-2024-caption" not in html
    assert rows(html, "evaluations-caption") == [
        ["令和6年度（2024年度）", "B（若干の遅れ）"],
        ["令和7年度（2025年度）", "評価なし"],
    ]
    html = page(client, "/plan/measures/3-2/?year=2024")
    assert '<li><a href="?year=2025#projects-heading">令和7年度（2025年度）</a></li>' in html
    assert [row[:4] for row in rows(html, "projects-2024-caption")] == [
        ["3-2-1-01", "市公式SNSの運用", "広報課", "C（大幅な遅れ）"],
        ["3-2-1-02", "市ホームページのリニューアル", "広報課", "A（予定どおり）"],
        ["3-2-1-03", "シティプロモーション動画の配信", "広報課", "A（予定どおり）"],
    ]
    assert "projects-2025-caption" not in html
    for year in ("2023", "2026", "x"):
        assert client.get(f"/plan/measures/3-2/?year={year}").status_code == 404


# Only what is published -------------------------------------------------------------------------

DRAFT_VALUE = "98765"  # typed into a reopened FY2024 record, never approved
OPEN_YEAR_VALUE = "87654"  # approved in FY2025, which is not locked
NOTE = "内部メモ：議会には未報告の事情あり"
COMMENT = "差戻し：集計方法の根拠を補足してください（非公開）"
SELF_GRADE_REASON = "自己評価の理由：まだ承認されていない評価"


def public_texts(client) -> str:
    """Every public page and file, as one text (without the form's CSRF token, new on each page)."""
    texts = "\n".join(page(client, path) for path in [*PAGES, *FILES])
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", texts)


def test_drafts_notes_comments_and_unapproved_grades_never_appear(client, demo):
    before = public_texts(client)
    # A late correction of FY2024 in progress: value, grade and note typed, submitted, not yet approved.
    correct("1-1-1-01", actual=Decimal(DRAFT_VALUE), grade="C", note=NOTE, approve=False)
    # Another FY2024 record reopened and returned with the DX office's comment.
    record = ProjectRecord.objects.get(project__code="3-2-1-01", fiscal_year=2024)
    record = services.record_reopen(record, by=dx(), reason="根拠の確認")
    record.self_grade_reason = SELF_GRADE_REASON
    services.record_entry_save(record, by=dx(), seen_version=record.version)
    services.record_submit(record, by=dx())
    services.record_return(record, by=dx(), comment=COMMENT)
    # FY2025 (open): an approved record with a value, and a submitted one with a self-evaluation.
    approved = ProjectRecord.objects.filter(fiscal_year=2025, status=RecordStatus.APPROVED).first()
    result = approved.indicator_results.get()
    result.actual = Decimal(OPEN_YEAR_VALUE)
    result.save()
    after = public_texts(client)
    for planted in (
        DRAFT_VALUE,
        OPEN_YEAR_VALUE,
        NOTE,
        COMMENT,
        SELF_GRADE_REASON,
        "令和7年度（2025年度）の事業",
    ):
        assert planted not in after
    assert after == before  # not one published figure moved
    assert YearSnapshot.objects.filter(fiscal_year=2024).count() == 1


def test_a_late_correction_appears_once_it_is_approved(client, demo):
    correct("3-2-1-01", actual=Decimal(49000), grade="A", approve=False)
    before = _published_actual(client, "3-2-1-01")
    html = page(client, "/plan/measures/3-2/")
    assert rows(html, "projects-2024-caption")[0][:4] == [
        "3-2-1-01",
        "市公式SNSの運用",
        "広報課",
        "C（大幅な遅れ）",
    ]
    record = ProjectRecord.objects.get(project__code="3-2-1-01", fiscal_year=2024)
    services.record_approve(record, by=dx())
    assert YearSnapshot.objects.filter(fiscal_year=2024).count() == 2  # the correction is published
    html = page(client, "/plan/measures/3-2/")
    assert rows(html, "projects-2024-caption")[0][:4] == [
        "3-2-1-01",
        "市公式SNSの運用",
        "広報課",
        "A（予定どおり）",
    ]
    assert rows(page(client, "/plan/years/2024/"), "project-counts")[0] == ["A（予定どおり）", "24", "77.4%"]
    assert (before, _published_actual(client, "3-2-1-01")) == (47250, 49000)


def _published_actual(client, code: str):
    """The project's FY2024 実績値 in progress.json (49000 is also a year target: the CSV's text
    alone would not tell the two apart)."""
    rows_ = json.loads(page(client, "/open-data/progress.json"))["rows"]
    return next(row["実績値"] for row in rows_ if row["事業番号"] == code and row["年度"] == 2024)


def test_corrections_are_published_together_once_the_last_is_approved(client, demo):
    correct("3-2-1-01", actual=Decimal(49000), grade="A")
    assert YearSnapshot.objects.filter(fiscal_year=2024).count() == 2
    correct("1-1-1-01", actual=Decimal(600), approve=False)
    correct("1-1-1-02", actual=Decimal(3000))  # approved, but 1-1-1-01 still waits: nothing published
    assert YearSnapshot.objects.filter(fiscal_year=2024).count() == 2
    assert ",3000," not in page(client, "/open-data/progress.csv")
    services.record_approve(ProjectRecord.objects.get(project__code="1-1-1-01", fiscal_year=2024), by=dx())
    assert YearSnapshot.objects.filter(fiscal_year=2024).count() == 3
    published = page(client, "/open-data/progress.csv")
    assert ",564," not in published and ",600," in published and ",3000," in published


def test_a_snapshot_holding_an_unapproved_record_publishes_nothing_of_it(client, demo):
    """A snapshot taken by hand while a record is reopened (no service does so) still publishes only
    approved records: the project drops out of the pages and files rather than showing its draft."""
    correct("1-1-1-01", actual=Decimal(DRAFT_VALUE), grade="C", note=NOTE, approve=False)
    snapshot_take(plan=demo, fiscal_year=2024, by=None)
    assert DRAFT_VALUE not in public_texts(client)
    html = page(client, "/plan/measures/1-1/")
    assert "電子申請システムの対象手続拡大" not in html
    assert '<caption id="projects-2024-caption">令和6年度（2024年度）の事業（5件）</caption>' in html


# Kept by a worker -------------------------------------------------------------------------------
# A worker keeps each published year it built, and the progress files it wrote, for as long as the
# snapshots they came from are the latest: a new snapshot is on the very next page.


def test_an_approved_correction_is_on_the_very_next_page_and_file(client, demo):
    measure, year = "/plan/measures/3-2/", "/plan/years/2024/"
    assert rows(page(client, measure), "projects-2024-caption")[0][3] == "C（大幅な遅れ）"
    assert rows(page(client, year), "project-counts")[0] == ["A（予定どおり）", "23", "74.2%"]
    assert ",51234," not in page(client, "/open-data/progress.csv")
    correct("3-2-1-01", actual=Decimal(51234), grade="A")
    assert rows(page(client, measure), "projects-2024-caption")[0][3] == "A（予定どおり）"
    assert rows(page(client, year), "project-counts")[0] == ["A（予定どおり）", "24", "77.4%"]
    assert ",51234," in page(client, "/open-data/progress.csv")
    document = json.loads(page(client, "/open-data/progress.json"))
    assert [row["実績値"] for row in document["rows"]].count(51234) == 1


def test_a_year_is_read_once_and_never_after_a_newer_snapshot(demo, django_assert_num_queries):
    first = published_years(demo)
    with django_assert_num_queries(1):
        again = published_years(demo)
    assert again[0] is first[0]  # kept: its megabytes of JSON were neither read nor parsed again
    newer = snapshot_take(plan=demo, fiscal_year=2024, by=None)
    with django_assert_num_queries(1):
        latest = published_years(demo)
    assert latest[0] is not first[0]
    assert latest[0].snapshot == (newer.pk, newer.taken_at)


def test_a_snapshot_id_handed_out_again_is_not_taken_for_the_one_kept(demo):
    """Ids come back after a rollback or a database reset: a later snapshot under the same id is read."""
    kept = published_years(demo)[0]
    snapshot = YearSnapshot.objects.get(plan=demo, fiscal_year=2024)
    figures = snapshot.figures
    next(entry for entry in figures["projects"] if entry["code"] == "3-2-1-01")["grade"] = "A"
    YearSnapshot.objects.filter(pk=snapshot.pk).delete()
    YearSnapshot.objects.create(pk=snapshot.pk, plan=demo, fiscal_year=2024, figures=figures)
    shown = published_years(demo)[0]
    assert shown.snapshot[0] == kept.snapshot[0] == snapshot.pk
    assert shown.projects_of("3-2")[0].code == "3-2-1-01"
    assert shown.projects_of("3-2")[0].grade_label == "A（予定どおり）"


# English ----------------------------------------------------------------------------------------

JAPANESE = re.compile(r"[\u3000-\u303f\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")


class Visible(HTMLParser):
    """The text a reader meets outside the elements marked lang="ja": text, <title>, and the
    aria-label, title and alt attributes; scripts (chart JSON) are checked on their own."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.texts: list[str] = []

    def _japanese(self) -> bool:
        return any(japanese for _, japanese in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        japanese = attrs.get("lang") == "ja"
        if not japanese and not self._japanese():
            self.texts += [attrs[name] for name in ("aria-label", "title", "alt") if attrs.get(name)]
        if tag not in ("br", "meta", "link", "input", "img"):
            self.stack.append((tag, japanese or tag == "script"))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not self._japanese():
            self.texts.append(data)


def data_names(plan: Plan) -> list[str]:
    """Everything the pages show that is data, not interface: names, aims, texts, units, grades."""
    names = [plan.name, plan.parent_plan, plan.legal_basis, plan.purpose, plan.stance]
    names += [plan.predecessor.name]
    names += [text for goal in BasicGoal.objects.all() for text in (goal.title, goal.formula)]
    names += [text for m in Measure.objects.all() for text in (m.title, m.aim, m.lineage_note)]
    names += list(Initiative.objects.values_list("title", flat=True))
    names += list(Project.objects.values_list("name", flat=True))
    names += [text for i in MeasureIndicator.objects.all() for text in (i.name, i.unit)]
    names += [text for i in OutcomeIndicator.objects.all() for text in (i.name, i.unit)]
    names += list(Department.objects.values_list("name", flat=True))
    names += [grade.display for grade in Grade.objects.all()]
    names += list(ProjectRecord.objects.values_list("results_summary", flat=True))
    return sorted({name for name in names if name}, key=len, reverse=True)


def test_the_english_pages_hold_no_japanese_but_the_data(client, demo):
    client.cookies["django_language"] = "en"
    names = data_names(demo)
    for path, status in [*((path, 200) for path in PAGES), ("/plan/years/2025/", 404)]:
        response = client.get(path)
        assert response.status_code == status, path
        html = response.content.decode()
        assert '<html lang="en">' in html, path
        parser = Visible()
        parser.feed(html)
        texts = parser.texts
        for chart_id in re.findall(r'<script id="([^"]+)" type="application/json">', html):
            figure = chart(html, chart_id)
            layout = figure["layout"]
            texts += [trace["name"] for trace in figure["data"]] + [layout["title"]["text"]]
            axes = [layout.get(axis, {}) for axis in ("xaxis", "yaxis")]
            texts += [axis["title"]["text"] for axis in axes if "title" in axis]
            texts += [text for trace in figure["data"] for text in trace.get("text", [])]
            texts += [str(x) for trace in figure["data"] for x in trace["x"]]
        left = "\n".join(texts)
        for name in names:
            left = left.replace(name, "")
        assert JAPANESE.findall(left) == [], (
            path,
            [line for line in left.splitlines() if JAPANESE.search(line)],
        )


def test_english_pages_read_as_a_citizen_reads_them(client, demo):
    client.cookies["django_language"] = "en"
    html = page(client, "/plan/measures/1-1/")
    assert (
        "<title>Progress of measure 1-1 利便性を高める行政サービスの推進 | ICT Strategy Progress Portal</title>"
        in html
    )
    assert (
        '<h1><span class="code">Measure 1-1</span> <span lang="ja">利便性を高める行政サービスの推進</span></h1>'
        in html
    )
    chart_id = target_chart(demo)
    assert rows(html, f"{chart_id}-caption")[:2] == [
        ["FY2024", "43.8", "42.9", "Final", "89.8%", "97.9%", "B（若干の遅れ）"],
        ["FY2025", "52.5", "−", "Not yet published", "−", "−", "−"],
    ]
    figure = chart(html, chart_id)
    assert [t["name"] for t in figure["data"]] == ["Baseline", "Target", "Actual"]
    assert figure["data"][1]["x"] == ["FY2024", "FY2025", "FY2026", "FY2027"]
    assert "English is offered on the public pages: the plan, its progress and the open data." in html
    year = page(client, "/plan/years/2024/")
    assert chart(year, "chart-goals")["data"][0]["text"] == ["A: 9", "A: 8", "A: 6"]


def test_the_open_data_files_stay_japanese_in_english(client, demo):
    japanese = page(client, "/open-data/progress.csv")
    client.cookies["django_language"] = "en"
    assert page(client, "/open-data/progress.csv") == japanese


def test_staff_pages_stay_japanese_and_the_default_ignores_the_browser(client, demo):
    assert '<html lang="ja">' in client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    client.cookies["django_language"] = "en"
    login = client.get("/admin/login/").content.decode()
    assert '<html lang="ja"' in login
    assert "ログイン" in login


def test_the_japanese_labels_read_as_the_enums_do():
    pairs = [
        (labels.DIRECTIONS, Direction),
        (labels.KINDS, IndicatorKind),
        (labels.LINEAGES, MeasureLineage),
        (labels.PLAN_STATUSES, PlanStatus),
        (labels.PROJECT_STATUSES, ProjectStatus),
        (labels.ACTUAL_STATUSES, ActualStatus),
    ]
    with translation.override("ja"):
        for copies, enum in pairs:
            assert {value: str(label) for value, label in copies.items()} == dict(enum.choices)


# Queries ----------------------------------------------------------------------------------------

# Each page, for any number of projects (none of these depends on the number of rows):
# /: the plan, the predecessor, goals, measures, initiatives (5).
# /plan/: the plan, the predecessor, goals, measures, initiatives, the measures with their
#   predecessors (2), the earlier plan's measures, the published years' dates (9).
# /plan/years/2024/: the plan, the year's snapshot (2).
# /plan/measures/1-1/: the plan, the measure with its goal, initiatives, indicators, their yearly
#   targets, the published snapshots (6).
# /open-data/: the plan, the published years' dates, the structure's last change (3).
QUERIES = {"/": 5, "/plan/": 9, "/plan/years/2024/": 2, "/plan/measures/1-1/": 6, "/open-data/": 3}


@pytest.mark.parametrize("path", list(QUERIES))
def test_public_pages_run_as_many_queries_for_many_projects(client, demo, path, django_assert_num_queries):
    with django_assert_num_queries(QUERIES[path]):
        assert client.get(path).status_code == 200
    factories.projects_clone(demo, 5)
    snapshot_take(plan=demo, fiscal_year=2024, by=None)  # the copies are published
    with django_assert_num_queries(QUERIES[path]):
        response = client.get(path)
    assert response.status_code == 200
    if path == "/plan/measures/1-1/":
        assert "令和6年度（2024年度）の事業（36件）" in response.content.decode()
