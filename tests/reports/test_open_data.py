"""Open data: the published progress and the plan's structure as CSV (with and without a BOM) and JSON.

Demo: FY2024 is locked and published; FY2025 is open, so nothing of it is in the files.
"""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from evaluation import services
from evaluation.enums import ActualStatus
from evaluation.models import ProjectRecord, YearSnapshot
from evaluation.rollups.snapshots import snapshot_take
from projects.models import Project
from reports.public.exports import number_text
from tests import factories

PROGRESS_HEADER = (
    "全国地方公共団体コード,計画,基本目標番号,施策番号,施策名,事業番号,事業名,指標区分,指標名,単位,方向,"
    "集計方法,基準値,基準年度,目標値,目標年度,年度,年度目標値,実績値,実績状態,達成率,進捗率,評価区分,所管課,"
    "更新日,備考"
)
STRUCTURE_HEADER = (
    "全国地方公共団体コード,計画,区分,番号,名称,基本目標番号,施策番号,主な取組番号,内容,前計画との関係,"
    "前計画の施策番号,開始年度,終了年度,状態,所管課,更新日"
)


def download(client, name: str) -> bytes:
    response = client.get(f"/open-data/{name}")
    assert response.status_code == 200, name
    return response.content


def lines(client, name: str) -> list[str]:
    return download(client, name).decode("utf-8").split("\r\n")


def records(client, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(download(client, name).decode("utf-8"))))


def published_on(plan) -> str:
    snapshot = YearSnapshot.objects.filter(plan=plan, fiscal_year=2024).latest("taken_at")
    return timezone.localdate(snapshot.taken_at).isoformat()


def dx():
    return get_user_model().objects.get(username="dx")


# Tests on the reference data alone run first: the demo, once loaded, stays for the module.


def test_before_anything_is_published_the_progress_file_has_its_header_only(client, plan):
    assert lines(client, "progress.csv") == [PROGRESS_HEADER, ""]
    assert json.loads(download(client, "progress.json"))["rows"] == []
    html = client.get("/open-data/").content.decode()
    assert "まだ公表した年度がないため、見出し行だけのファイルです。" in html


def test_progress_csv_has_the_citys_columns_and_the_demos_rows_exact(client, demo):
    response = client.get("/open-data/progress.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="progress.csv"'
    rows = lines(client, "progress.csv")
    assert rows[0] == PROGRESS_HEADER
    day = published_on(demo)
    # 進捗率 (564 − 420) ÷ (540 − 420) = 120 %, 達成率 564 ÷ 540 = 104.4 %; graded by 進捗率: A.
    assert (
        "141500,第２次相模原市ＩＣＴ総合戦略,1,1-1,利便性を高める行政サービスの推進,1-1-1-01,"
        "電子申請システムの対象手続拡大,成果指標,電子申請に対応した手続の数,手続,増加を目指す,累計,"
        f"420,2022,900,2027,2024,540,564,確定値,104.4,120,A（予定どおり）,DX推進課,{day},サンプル（デモデータ）"
    ) in rows
    assert rows[1] == (
        "141500,第２次相模原市ＩＣＴ総合戦略,1,1-1,利便性を高める行政サービスの推進,,,施策目標値,"
        "オンラインで完結できる行政手続の割合,％,増加を目指す,割合（％）,35,2022,70,2027,2024,43.8,42.9,確定値,"
        f"97.9,89.8,B（若干の遅れ）,,{day},サンプル（デモデータ）"
    )
    # The 8 measures' targets and the 34 projects' indicators of FY2024; nothing of open FY2025.
    assert len(rows) == 1 + 8 + 34 + 1  # the header, the rows, the empty string after the last CRLF
    assert {row["年度"] for row in records(client, "progress.csv")} == {"2024"}


def test_the_bom_variant_is_the_same_csv_led_by_a_byte_order_mark(client, demo):
    plain, bom = download(client, "progress.csv"), download(client, "progress-bom.csv")
    assert bom.startswith(b"\xef\xbb\xbf")
    assert bom == b"\xef\xbb\xbf" + plain
    assert download(client, "structure-bom.csv") == b"\xef\xbb\xbf" + download(client, "structure.csv")


def _as_csv(value) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float):
        return number_text(Decimal(str(value)))
    return value


def test_csv_and_json_carry_the_same_rows_and_figures(client, demo):
    for name in ("progress", "structure"):
        document = json.loads(download(client, f"{name}.json"))
        table = records(client, f"{name}.csv")
        assert document["columns"] == list(table[0])
        assert [{key: _as_csv(value) for key, value in row.items()} for row in document["rows"]] == table
    progress = json.loads(download(client, "progress.json"))
    row = next(row for row in progress["rows"] if row["事業番号"] == "1-1-1-01")
    assert (row["基準値"], row["実績値"], row["達成率"], row["進捗率"], row["年度"]) == (
        420,
        564,
        104.4,
        120,
        2024,
    )
    assert {key: progress[key] for key in list(progress)[:7]} == {
        "title": "相模原市ICT総合戦略 施策目標値・成果指標の進捗",
        "publisher": "相模原市",
        "local_government_code": "141500",
        "licence": "CC BY 4.0",
        "licence_url": "https://creativecommons.org/licenses/by/4.0/deed.ja",
        "updated": published_on(demo),
        "sample": True,
    }


def test_a_missing_actual_is_empty_with_its_reason(client, demo):
    """A late correction: 3-2-1-01's FY2024 followers are still being tallied, approved so and published."""
    record = services.record_reopen(
        ProjectRecord.objects.get(project__code="3-2-1-01", fiscal_year=2024),
        by=dx(),
        reason="集計のやり直し",
    )
    result = record.indicator_results.get()
    result.actual, result.actual_status = None, ActualStatus.TALLYING
    services.record_entry_save(record, by=dx(), seen_version=record.version, results=[result])
    services.record_submit(record, by=dx())
    services.record_approve(record, by=dx())
    row = next(row for row in records(client, "progress.csv") if row["事業番号"] == "3-2-1-01")
    assert (row["実績値"], row["実績状態"], row["達成率"], row["進捗率"], row["評価区分"], row["備考"]) == (
        "",
        "集計中",
        "",
        "",
        "",
        "集計中。サンプル（デモデータ）",
    )
    document = json.loads(download(client, "progress.json"))
    row = next(row for row in document["rows"] if row["事業番号"] == "3-2-1-01")
    assert (row["実績値"], row["達成率"], row["進捗率"], row["評価区分"]) == (None, None, None, None)


def test_a_progress_file_downloaded_again_is_sent_again_only_once_it_changed(
    client, demo, django_assert_num_queries
):
    first = client.get("/open-data/progress.csv")
    etag = first["ETag"]
    # The plan and the published snapshots (2), and nothing sent: the client's copy is current.
    with django_assert_num_queries(2):
        again = client.get("/open-data/progress.csv", headers={"If-None-Match": etag})
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", etag)
    assert client.get("/open-data/progress.json", headers={"If-None-Match": etag}).status_code == 200
    demo.name = "第２次相模原市ＩＣＴ総合戦略（改称）"
    demo.save()
    renamed = client.get("/open-data/progress.csv", headers={"If-None-Match": etag})
    assert renamed.status_code == 200 and renamed["ETag"] != etag
    assert records(client, "progress.csv")[0]["計画"] == "第２次相模原市ＩＣＴ総合戦略（改称）"
    # A late correction approved: a new snapshot, and the very next download has it.
    record = services.record_reopen(
        ProjectRecord.objects.get(project__code="3-2-1-01", fiscal_year=2024),
        by=dx(),
        reason="実績値の誤記を訂正",
    )
    result = record.indicator_results.get()
    result.actual = Decimal(51234)
    services.record_entry_save(record, by=dx(), seen_version=record.version, results=[result])
    services.record_submit(record, by=dx())
    services.record_approve(record, by=dx())
    corrected = client.get("/open-data/progress.csv", headers={"If-None-Match": renamed["ETag"]})
    assert corrected.status_code == 200 and corrected["ETag"] not in (etag, renamed["ETag"])
    row = next(row for row in records(client, "progress.csv") if row["事業番号"] == "3-2-1-01")
    assert row["実績値"] == "51234"


def test_text_that_would_run_as_a_formula_is_escaped(client, demo):
    project = Project.objects.get(code="3-2-1-01")
    project.name = '=HYPERLINK("http://example.invalid")'
    project.save()
    snapshot_take(plan=demo, fiscal_year=2024, by=None)  # published under its new name
    progress = next(row for row in records(client, "progress.csv") if row["事業番号"] == "3-2-1-01")
    structure = next(row for row in records(client, "structure.csv") if row["番号"] == "3-2-1-01")
    assert progress["事業名"] == structure["名称"] == '\'=HYPERLINK("http://example.invalid")'
    assert (
        next(r for r in json.loads(download(client, "progress.json"))["rows"] if r["事業番号"] == "3-2-1-01")[
            "事業名"
        ]
        == '=HYPERLINK("http://example.invalid")'
    )  # JSON is no spreadsheet: the text as it is


def test_structure_lists_goals_measures_initiatives_and_projects_in_order(client, demo):
    rows = lines(client, "structure.csv")
    assert rows[0] == STRUCTURE_HEADER
    table = records(client, "structure.csv")
    assert [(row["区分"], row["番号"]) for row in table[:6]] == [
        ("基本目標", "1"),
        ("施策", "1-1"),
        ("主な取組", "1-1-1"),
        ("事業", "1-1-1-01"),
        ("事業", "1-1-1-02"),
        ("主な取組", "1-1-2"),
    ]
    assert len(table) == 3 + 8 + 15 + 34
    measure = next(row for row in table if (row["区分"], row["番号"]) == ("施策", "2-1"))
    assert (measure["名称"], measure["前計画との関係"], measure["前計画の施策番号"]) == (
        "デジタル技術を生かした行政事務改革",
        "見直し",
        "2-1、2-2",
    )
    # The school ICT office became 教育DX推進課 in April 2025: the catalogue names today's section.
    project = next(row for row in table if row["番号"] == "3-3-1-03")
    assert {key: project[key] for key in ("主な取組番号", "開始年度", "終了年度", "状態", "所管課")} == {
        "主な取組番号": "3-3-1",
        "開始年度": "2024",
        "終了年度": "",
        "状態": "実施中",
        "所管課": "教育DX推進課",
    }


def test_the_open_data_page_describes_each_dataset(client, demo):
    response = client.get("/open-data/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>オープンデータ | ICT総合戦略 進捗ポータル</title>" in html
    assert (
        '<a href="https://creativecommons.org/licenses/by/4.0/deed.ja" rel="license">'
        "クリエイティブ・コモンズ 表示 4.0 国際（CC BY 4.0）</a>"
    ) in html
    snapshot = YearSnapshot.objects.get(plan=demo, fiscal_year=2024)
    day = timezone.localdate(snapshot.taken_at)
    era = f"令和{day.year - 2018}年({day.year}年){day.month}月{day.day}日"
    assert f"<dt>更新日</dt><dd>{era}</dd>" in html
    for name in ("progress.csv", "progress-bom.csv", "progress.json", "structure.csv", "structure.json"):
        assert f'href="/open-data/{name}"' in html
    assert (
        '<tr><th scope="row">進捗率</th><td>（実績値−基準値）÷（年度目標値−基準値）。％、小数第1位に四捨五入</td></tr>'
        in html
    )


def test_an_unknown_file_is_not_found(client, demo):
    assert client.get("/open-data/progress.xlsx").status_code == 404


# Each file, for any number of projects: the plan and the published snapshots (2) for progress;
# the plan, the structure's last change, goals, measures, initiatives, predecessors, the projects'
# departments and the projects (8) for structure.
QUERIES = {"progress.csv": 2, "progress.json": 2, "structure.csv": 8, "structure.json": 8}


@pytest.mark.parametrize("name", list(QUERIES))
def test_files_take_as_many_queries_for_many_projects(client, demo, name, django_assert_num_queries):
    with django_assert_num_queries(QUERIES[name]):
        small = download(client, name)
    factories.projects_clone(demo, 5)
    snapshot_take(plan=demo, fiscal_year=2024, by=None)
    with django_assert_num_queries(QUERIES[name]):
        large = download(client, name)
    assert len(large) > 5 * len(small) * 0.8  # the copies are in the file
