"""seed_scale: the city-size sample data set, built small (40 projects) once for the module."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import override_settings

from core.roles import DX_OFFICE
from evaluation.models import CommitteeOpinion, FiscalYear, ProjectRecord, YearSnapshot
from evaluation.rollups.snapshots import snapshot_diff
from evaluation.rollups.year import rollup_year
from evaluation.samples import SAMPLE_NOTE, SAMPLE_SOURCE
from evaluation.scale import RETURN_COMMENTS
from evaluation.services import reference_data_load
from projects.models import OutcomeIndicator, Project
from strategy.models import Department, Plan
from tests import factories
from tests.reports.test_dashboard import QUERIES as DASHBOARD_QUERIES


@pytest.fixture(scope="module")
def scale_db(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        reference_data_load()
        with override_settings(DEBUG=True):
            call_command("seed_scale", "--projects", "40", "--seed", "7", stdout=StringIO())
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def scale(scale_db, db) -> Plan:
    return Plan.objects.get(code="ict2")


def _by_status(year: int) -> dict[str, int]:
    rows = ProjectRecord.objects.filter(fiscal_year=year).values_list("status").annotate(n=Count("id"))
    return dict(rows.order_by())


def test_forty_projects_with_three_indicators_each_on_forty_departments(scale):
    assert Project.objects.filter(plan=scale).count() == 40
    assert OutcomeIndicator.objects.filter(project__plan=scale).count() == 120
    assert Department.objects.count() == 40
    merged = Department.objects.get(name="都市交通計画課")
    assert sorted(d.name for d in merged.predecessors.all()) == ["交通政策課", "都市計画課"]
    assert all(p.summary.startswith(SAMPLE_NOTE) for p in Project.objects.all())
    assert all(i.source == SAMPLE_SOURCE for i in OutcomeIndicator.objects.all())


def test_every_year_has_its_designed_mix_of_states(scale):
    assert {fy.year: fy.status for fy in FiscalYear.objects.filter(plan=scale)} == {
        2024: "locked",
        2025: "locked",
        2026: "review",
        2027: "open",
    }
    assert _by_status(2024) == {"approved": 40}
    assert _by_status(2025) == {"approved": 40}
    assert _by_status(2026) == {"approved": 20, "submitted": 8, "resubmitted": 4, "returned": 8}
    assert _by_status(2027) == {"not_started": 10, "draft": 10, "submitted": 10, "returned": 6, "approved": 4}


def test_records_returned_twice_say_so_in_their_history(scale):
    returns = (
        ProjectRecord.history.filter(history_change_reason__startswith="差戻し: ")
        .values_list("fiscal_year", "id")
        .annotate(n=Count("history_id"))
        .order_by()
    )
    twice = sorted(year for year, _record, n in returns if n == 2)
    # FY2025: 4 approved after two returns; FY2026: 4 still returned; FY2027: 2 still returned.
    assert twice == [2025] * 4 + [2026] * 4 + [2027] * 2
    returned_twice = [record for year, record, n in returns if n == 2 and year == 2026]
    trails = {
        tuple(
            ProjectRecord.history.filter(id=record)
            .order_by("history_date", "history_id")
            .values_list("history_change_reason", "history_user__username")
        )
        for record in returned_twice
    }
    # A record through the services was saved twice before its first submission (the typed values,
    # then the grade); one written in bulk once. Either way the trail reads the same.
    first, second = RETURN_COMMENTS
    assert {_merged(trail) for trail in trails} == {
        (
            ("年度の評価を準備", "DX推進課"),
            ("入力内容を保存", "所管課"),
            ("提出", "所管課"),
            (f"差戻し: {first}", "DX推進課"),
            ("入力内容を保存", "所管課"),
            ("再提出", "所管課"),
            (f"差戻し: {second}", "DX推進課"),
        )
    }
    assert len(returned_twice) == 4


def _merged(trail) -> tuple:
    """(reason, who) in order, repeated saves counted once; who is the DX office or a department."""
    steps = []
    for reason, username in trail:
        step = (reason, "DX推進課" if username == "scale-dx" else "所管課")
        if not steps or steps[-1] != step:
            steps.append(step)
    return tuple(steps)


def test_each_locked_year_was_snapshotted_by_the_lock_and_equals_its_live_figures(scale):
    snapshots = YearSnapshot.objects.filter(plan=scale).order_by("fiscal_year")
    assert [(s.fiscal_year, s.taken_by.username) for s in snapshots] == [
        (2024, "scale-dx"),
        (2025, "scale-dx"),
    ]
    assert [snapshot_diff(snapshot) for snapshot in snapshots] == [[], []]


def test_every_year_rolls_up_with_values_in_every_state(scale):
    statuses, too_high = {}, {}
    for year in (2024, 2025, 2026, 2027):
        rollup = rollup_year(plan=scale, fiscal_year=year)
        assert len(rollup.projects) == 40
        statuses[year] = {i.status for i in rollup.indicators}
        too_high[year] = sum(1 for i in rollup.indicators if i.achievement.too_high)
    assert statuses[2027] >= {"not_entered", "confirmed", "provisional", "tallying"}
    assert sum(too_high.values()) > 0


def test_committee_opinions_are_on_projects_graded_b_or_c(scale):
    graded = set(
        ProjectRecord.objects.filter(final_grade__code__in=["B", "C"]).values_list(
            "project_id", "fiscal_year"
        )
    )
    opinions = set(CommitteeOpinion.objects.values_list("project_id", "fiscal_year"))
    assert opinions and opinions <= graded


def test_a_second_run_is_refused_and_changes_nothing(scale, settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="計画ict2には既に事業があります"):
        call_command("seed_scale", "--projects", "5")
    assert Project.objects.count() == 40


def test_refused_when_debug_is_off(scale, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG=1 のときだけ作成できます"):
        call_command("seed_scale", "--reset")
    assert Project.objects.count() == 40


@pytest.mark.parametrize("path", ["/dashboard/?year=2026", "/dashboard/measures/1-1/?year=2026"])
def test_the_dashboards_take_the_demos_queries_at_scale(scale, client, path, django_assert_num_queries):
    """As many queries as for the demo (tests/reports/test_dashboard.py), but one per fiscal year read:
    the overview reads the four opened years here, two in the demo; the measure page every year of
    the plan in both."""
    client.force_login(factories.user("dx-scale", role=DX_OFFICE))
    client.get(path)  # the figures computed and stored
    demo = DASHBOARD_QUERIES[path.replace("2026", "2025")]
    with django_assert_num_queries(demo + 2 if path.startswith("/dashboard/?") else demo):
        response = client.get(path)
    assert response.status_code == 200
    assert "<title>" in response.text and "令和8年度（2026年度）" in response.text
