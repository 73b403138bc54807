"""The dashboards show the engine's figures, only to whom they belong, in a fixed number of queries.

Demo: 市民課 (`dept1`) owns A_PROJECTS; 教育DX推進課 owns B_CODES, which 市民課 must never see.
"""

import json
import re
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from core.roles import DEMO
from evaluation import services
from evaluation.models import ProjectRecord
from evaluation.rollups.year import rollup_year
from reports.dashboard.charts import percent_number
from strategy.achievement import percent_text
from tests import factories

A_PROJECTS = {"1-1-1-02", "1-1-3-01"}  # 市民課's projects in the demo
B_CODES = {"1-2-1-03", "3-3-1-03"}  # 教育DX推進課's
PAGES = [
    "/dashboard/",
    "/dashboard/measures/1-1/",
    "/dashboard/submissions/",
    "/dashboard/risks/",
    "/dashboard/quality/",
]


@pytest.fixture(autouse=True)
def accounts_as_real_staff(demo):
    """Production refuses demo accounts (DEBUG is off in tests); here they stand for real staff."""
    Group.objects.get(name=DEMO).user_set.clear()


def login(client, username):
    client.force_login(get_user_model().objects.get(username=username))


def chart(response, chart_id: str) -> dict:
    """The figure a page hands to charts.js: the json_script payload, as the browser reads it."""
    found = re.search(rf'<script id="{chart_id}" type="application/json">(.*?)</script>', response.text, re.S)
    assert found, f"no json_script {chart_id}"
    return json.loads(unescape(found.group(1)))


def test_overview_shows_the_engines_grade_counts_for_the_newest_year_with_figures(demo, client):
    login(client, "dx")
    response = client.get("/dashboard/")
    assert response.status_code == 200
    engine = rollup_year(plan=demo, fiscal_year=2025)
    assert response.context["data"].year == 2025
    assert "A 15件（57.7%）、B 3件（11.5%）、C 8件（30.8%）（対象外 8件）" in response.text
    assert (
        engine.plan_figure.counts.tally.text()
        == "A 15件（57.7%）、B 3件（11.5%）、C 8件（30.8%）（対象外 8件）"
    )
    bars = chart(response, "chart-grades")
    assert [trace["name"] for trace in bars["data"]] == [
        "A（予定どおり）",
        "B（若干の遅れ）",
        "C（大幅な遅れ）",
    ]
    assert bars["data"][0]["x"] == ["基本目標1", "基本目標2", "基本目標3"]
    assert {trace["name"][0]: trace["y"] for trace in bars["data"]} == {
        code: [goal.counts.tally.counts[code] for goal in engine.goals] for code in "ABC"
    }
    assert {trace["name"][0]: trace["y"] for trace in bars["data"]} == {
        "A": [5, 5, 5],
        "B": [1, 1, 1],
        "C": [2, 4, 2],
    }
    heat = chart(response, "chart-heatmap")["data"][0]
    assert heat["x"] == ["R6", "R7"]
    earlier = rollup_year(plan=demo, fiscal_year=2024)
    expected = [
        [
            m.grade.code if m.grade else ""
            for m in (earlier.find("measure", code), engine.find("measure", code))
        ]
        for code in [m.code for m in engine.measures]
    ]
    assert heat["text"] == list(reversed(expected))  # plotly draws the first row at the bottom
    assert heat["text"][-1] == ["B", "B"]  # 施策1-1, labelled with its grade in both years
    assert "<title>ダッシュボード 令和7年度（2025年度） | " in response.text


def _page(response) -> str:
    """The page's HTML with the whitespace between tags removed, so rows read as one line."""
    return re.sub(r">\s+<", "><", response.text)


@pytest.mark.parametrize("grading_rate", ["progress", "attainment"])
def test_overview_shows_each_goals_and_measures_mean_progress_and_attainment(demo, client, grading_rate):
    demo.grading_rate = grading_rate
    demo.save()
    login(client, "dx")
    response = client.get("/dashboard/", {"year": "2024"})
    assert response.status_code == 200
    engine = rollup_year(plan=demo, fiscal_year=2024)
    figures = {f"基本目標{goal.code}": goal for goal in engine.goals}
    names = []
    for goal in engine.goals:
        measures = [m for m in engine.measures if m.parent == goal.code]
        figures.update({f"施策{m.code}": m for m in measures})
        names += [f"基本目標{goal.code}", *(f"施策{m.code}" for m in measures)]
    progress, attainment = chart(response, "chart-rates")["data"]
    graded = "（評価に使う率）"
    assert (progress["name"], attainment["name"]) == (
        ("進捗率" + graded, "達成率") if grading_rate == "progress" else ("進捗率", "達成率" + graded)
    )
    assert progress["x"] == attainment["x"] == names
    assert progress["y"] == [percent_number(figures[name].progress.value) for name in names]
    assert attainment["y"] == [percent_number(figures[name].attainment.value) for name in names]
    # 施策1-1 by its one target indicator: (42.9 − 35) ÷ (43.8 − 35) = 89.8 % and 42.9 ÷ 43.8 = 97.9 %.
    at = names.index("施策1-1")
    assert (progress["y"][at], attainment["y"][at], progress["text"][at]) == (89.8, 97.9, "89.8%")
    assert (
        '施策1-1 利便性を高める行政サービスの推進</a></th><td class="num">89.8%</td><td class="num">97.9%</td>'
        "<td>B（若干の遅れ）</td>"
    ) in _page(response)
    goal = engine.find("goal", "1")
    assert (
        f'基本目標1 利用者中心の行政サービス改革</a></th><td class="num">{percent_text(goal.progress.value)}</td>'
        f'<td class="num">{percent_text(goal.attainment.value)}</td>'
    ) in _page(response)


def test_department_staff_see_the_rates_of_the_measures_holding_their_projects(demo, client):
    login(client, "dept1")
    response = client.get("/dashboard/", {"year": "2024"})
    assert response.status_code == 200
    engine = rollup_year(plan=demo, fiscal_year=2024)
    progress, attainment = chart(response, "chart-rates")["data"]
    assert progress["x"] == ["基本目標1", "施策1-1"]
    assert attainment["y"] == [
        percent_number(figure.attainment.value)
        for figure in (engine.find("goal", "1"), engine.find("measure", "1-1"))
    ]


def test_a_chosen_year_and_goal_are_kept_in_the_address(demo, client):
    login(client, "viewer")
    response = client.get("/dashboard/", {"year": "2024", "goal": "2"})
    assert response.status_code == 200
    engine = rollup_year(plan=demo, fiscal_year=2024)
    goal = engine.find("goal", "2")
    assert [row.figure.code for row in response.context["data"].goals] == ["2"]
    assert chart(response, "chart-grades")["data"][0]["y"] == [goal.counts.tally.counts["A"]]
    assert response.context["data"].counts.tally.text() == goal.counts.tally.text()


def test_an_unknown_filter_value_is_reported_beside_its_field_not_a_500(demo, client):
    login(client, "dx")
    response = client.get("/dashboard/", {"year": "1999", "measure": "<x>"})
    assert response.status_code == 200
    assert response.context["data"].year == 2025
    assert "この条件は使わずに表示しています" in response.text


def test_measure_page_draws_the_engines_targets_and_actuals(demo, client):
    login(client, "dx")
    response = client.get("/dashboard/measures/1-1/", {"year": "2025"})
    assert response.status_code == 200
    lines = chart(response, "chart-outcome_indicator-1-1-3-02-1")
    traces = {trace["name"]: trace for trace in lines["data"]}
    assert lines["layout"]["xaxis"]["categoryarray"] == ["R4", "R5", "R6", "R7", "R8", "R9"]
    assert (traces["基準値"]["x"], traces["基準値"]["y"]) == (["R4"], [75.0])
    assert (traces["目標値（計画に記載）"]["x"], traces["目標値（計画に記載）"]["y"]) == (["R9"], [40.0])
    assert (traces["目標値（補間）"]["x"], traces["目標値（補間）"]["y"]) == (
        ["R6", "R7", "R8"],
        [61.0, 54.0, 47.0],
    )
    engine = [
        rollup_year(plan=demo, fiscal_year=year).find("project", "1-1-3-02").indicators[0]
        for year in (2024, 2025)
    ]
    assert traces["実績"]["y"] == [float(indicator.actual) for indicator in engine] == [58.0, 53.0]
    forecast = engine[1].forecast
    assert forecast.outlook == "at_risk"
    assert traces["見込み（未達のおそれ）"]["x"] == ["R6", "R9"]
    assert traces["見込み（未達のおそれ）"]["y"][1] == float(forecast.projected) == 43.0
    record = ProjectRecord.objects.get(project__code="1-1-3-02", fiscal_year=2025)
    assert f'href="/admin/evaluation/projectrecord/{record.pk}/change/"' in response.text
    assert 'href="/rollups/ict2/2025/project/1-1-3-02/"' in response.text
    assert 'href="/rollups/ict2/2025/measure/1-1/"' in response.text


@pytest.mark.parametrize("path", PAGES)
def test_department_staff_see_only_their_own_projects(demo, client, path):
    login(client, "dept1")
    response = client.get(path)
    assert response.status_code == 200
    for code in B_CODES:
        assert code not in response.text
    assert "/rollups/" not in response.text  # the explanation pages are the DX office's


def test_department_staff_overview_counts_only_their_projects(demo, client):
    login(client, "dept1")
    response = client.get("/dashboard/", {"year": "2024"})
    assert response.status_code == 200
    assert {project.code for project in response.context["data"].projects} == A_PROJECTS
    heat = chart(response, "chart-heatmap")["data"][0]
    assert sorted(label.split()[0] for label in heat["y"]) == sorted(A_PROJECTS)
    engine = rollup_year(plan=demo, fiscal_year=2024)
    grades = sorted(engine.find("project", code).grade.code for code in A_PROJECTS)
    counted = {trace["name"][0]: sum(trace["y"]) for trace in chart(response, "chart-grades")["data"]}
    assert sorted(code for code, n in counted.items() for _ in range(n)) == [g for g in grades if g != "−"]


def test_another_departments_measure_page_is_404_to_staff(demo, client):
    login(client, "dept1")
    response = client.get("/dashboard/measures/3-3/")
    assert response.status_code == 404


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_users_go_to_the_login_page(client, demo, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={path}"


@pytest.mark.parametrize("path", PAGES)
def test_viewers_see_every_page(demo, client, path):
    login(client, "viewer")
    response = client.get(path)
    assert response.status_code == 200
    assert '<html lang="ja"' in response.text


def test_submission_status_counts_link_to_the_filtered_records_list(demo, client):
    login(client, "dx")
    response = client.get("/dashboard/submissions/")
    assert response.status_code == 200
    status = response.context["status"]
    year = status.fiscal_year.year
    records = ProjectRecord.objects.filter(fiscal_year=year, project__plan=demo)
    assert status.total == records.count()
    assert status.totals == {
        s: records.filter(status=s).count() for s in set(records.values_list("status", flat=True))
    }
    row = next(row for row in status.rows if row.code == "S03")
    assert row.department == "市民課"
    link = f"/admin/evaluation/projectrecord/?year={year}&amp;department=S03"
    assert f'href="{link}"' in response.text
    listed = client.get(unescape(link))
    assert listed.status_code == 200
    assert {r.project.code for r in listed.context["cl"].result_list} == set(
        records.filter(project__code__in=A_PROJECTS).values_list("project__code", flat=True)
    )
    overdue = [row.overdue for row in status.rows]
    assert overdue == sorted(overdue, reverse=True)  # overdue departments first


def test_the_records_department_filter_offers_staff_only_their_departments(demo, client):
    login(client, "dept1")
    response = client.get("/admin/evaluation/projectrecord/", {"year": "all"})
    assert response.status_code == 200
    spec = next(s for s in response.context["cl"].filter_specs if s.parameter_name == "department")
    assert [title for _, title in spec.lookup_choices] == ["市民課"]
    other = client.get("/admin/evaluation/projectrecord/", {"year": "all", "department": "S12"})
    assert other.status_code == 302  # the admin's "invalid filter" answer: no other unit's rows
    assert other["Location"].endswith("?e=1")


def test_risks_list_the_engines_at_risk_indicators_and_lower_grades(demo, client):
    login(client, "dx")
    response = client.get("/dashboard/risks/", {"year": "2025"})
    assert response.status_code == 200
    engine = rollup_year(plan=demo, fiscal_year=2025)
    findings = response.context["findings"]
    at_risk = {(f.level, f.code) for f in findings if f.kind == "最終目標に届かない見込み"}
    assert at_risk == {
        ("measure" if i.kind == "measure_indicator" else "project", i.owner)
        for i in engine.indicators
        if i.forecast.outlook == "at_risk"
    }
    lower = {f.code for f in findings if f.kind in ("B評価", "C評価")}
    assert lower == {p.code for p in engine.projects if p.grade and p.grade.code in ("B", "C")}
    record = ProjectRecord.objects.get(project__code="1-1-3-02", fiscal_year=2025)
    assert f'href="/admin/evaluation/projectrecord/{record.pk}/change/"' in response.text


def test_data_quality_lists_provisional_and_unchanged_actuals(demo, client):
    login(client, "dx")
    response = client.get("/dashboard/quality/", {"year": "2025"})
    assert response.status_code == 200
    engine = rollup_year(plan=demo, fiscal_year=2025)
    findings = response.context["findings"]
    provisional = {f.code for f in findings if f.kind == "速報値のまま"}
    assert provisional == {i.owner for i in engine.indicators if i.status == "provisional"}
    assert {f.code for f in findings if f.kind == "前年度と同じ実績"} == {"2-2-1-01", "2-2-1-02", "2-3-2-02"}


@pytest.mark.parametrize("path", ["/dashboard/?year=2025", "/dashboard/measures/1-1/?year=2025"])
def test_the_overview_and_measure_page_run_as_many_queries_for_many_projects(
    demo, client, path, django_assert_num_queries
):
    login(client, "dx")
    client.get(path)  # sessions and caches warmed
    with django_assert_num_queries(QUERIES[path]):
        assert client.get(path).status_code == 200
    factories.projects_clone(demo, 5)
    client.get(path)  # the first request after a change computes and stores the year's figures
    with django_assert_num_queries(QUERIES[path]):
        response = client.get(path)
    assert response.status_code == 200
    if "measures" in path:
        assert "1-1-1-01-05" in response.text  # the copies are on the page


# Each: the session and the user (2); the user's roles (2: the admin's check, then the scoping rule);
# the scope (the current fiscal year, the plan's opened years: 2; the DX office sees every record, which
# the figures name); the admin
# menu's permissions (2); saving the session (3: savepoint, update, release); and the stored figures'
# version for each year read (`rollup_year`: one query a year once the figures are stored): the two
# opened years on the overview, every year of the plan on the measure page (its targets run to the
# final year). None of these depends on the number of rows.
QUERIES = {"/dashboard/?year=2025": 13, "/dashboard/measures/1-1/?year=2025": 15}


def test_a_saved_change_is_on_the_very_next_dashboard(demo, client):
    login(client, "dx")
    before = chart(client.get("/dashboard/?year=2025"), "chart-grades")
    engine = rollup_year(plan=demo, fiscal_year=2025)
    project = next(
        p for p in engine.projects
        if p.grade and p.grade.code == "A" and p.grade_source == "proposed" and p.indicators
    )  # fmt: skip
    record = ProjectRecord.objects.get(project__plan=demo, project__code=project.code, fiscal_year=2025)
    results = list(record.indicator_results.select_related("indicator"))
    for result in results:  # back at the baseline: no progress, graded C
        result.actual, result.actual_status = result.indicator.baseline_value, "confirmed"
    dx = get_user_model().objects.get(username="dx")
    services.record_entry_save(record, by=dx, seen_version=record.version, results=results)
    response = client.get("/dashboard/?year=2025")
    assert response.status_code == 200
    after = chart(response, "chart-grades")
    goal = [g.code for g in engine.goals].index(engine.find("measure", project.parent).parent)
    counts = {trace["name"][0]: trace["y"][goal] for trace in after["data"]}
    expected = {trace["name"][0]: trace["y"][goal] for trace in before["data"]}
    expected["A"], expected["C"] = expected["A"] - 1, expected["C"] + 1
    assert counts == expected


def test_a_measure_with_many_projects_draws_one_projects_outcomes_at_a_time(demo, client):
    factories.projects_clone(demo, 9)  # measure 1-1 now holds 60 projects
    login(client, "dx")
    response = client.get("/dashboard/measures/1-1/?year=2025")
    assert response.status_code == 200
    assert response.context["outcomes"] == []
    assert "1〜50件目（全60件）" in response.text  # the table is read a page at a time
    assert "51〜60件目（全60件）" in client.get("/dashboard/measures/1-1/?year=2025&page=2").text
    assert "成果指標のグラフは事業ごとに表示します。表の「グラフ」から事業を選んでください。" in response.text
    chosen = client.get("/dashboard/measures/1-1/?year=2025&project=1-1-1-01-05")
    assert chosen.status_code == 200
    assert {item.project.code for item, _ in chosen.context["outcomes"]} == {"1-1-1-01-05"}
