"""A year's figures are computed once per change and stored: every page reads them, and a saved
change is on the very next page."""

import re
from decimal import Decimal

import pytest
from django.db import connection

from core.roles import DX_OFFICE
from evaluation import services
from evaluation.enums import ActualStatus
from evaluation.models import ProjectRecord, YearFigures
from evaluation.rollups import stored
from evaluation.rollups.figures import rollup_figures
from evaluation.rollups.year import rollup_year
from projects.models import OutcomeIndicator, Project
from tests import factories

PROJECT_2024 = "/rollups/ict2/2024/project/3-2-1-01/"
PLAN_2024 = "/rollups/ict2/2024/plan/ict2/"


@pytest.fixture
def dx(demo):
    return factories.user("dx-stored", role=DX_OFFICE)


@pytest.fixture
def dx_client(client, dx):
    client.force_login(dx)
    return client


def _achievement(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    found = re.search(r"<dt>達成度</dt>\s*<dd>([^<]*)", html)
    assert found, html[html.find("plan-facts") : html.find("plan-facts") + 300]
    return found.group(1)


def test_an_entry_saved_is_on_the_very_next_explanation_page(dx_client, dx, demo):
    url = "/rollups/ict2/2025/project/1-1-1-02/"
    before = _achievement(dx_client, url)  # from its action goals: the indicator is 集計中
    record = ProjectRecord.objects.get(project__code="1-1-1-02", fiscal_year=2025)
    result = record.indicator_results.get()
    result.actual, result.actual_status = Decimal(100000), ActualStatus.CONFIRMED
    services.record_entry_save(record, by=dx, seen_version=record.version, results=[result])
    assert (before, _achievement(dx_client, url)) == (before, "100.0%")
    assert before != "100.0%"


def test_a_target_reset_in_the_admin_is_on_the_very_next_explanation_page(dx_client, demo):
    assert _achievement(dx_client, PROJECT_2024) == "75.0%"
    indicator = OutcomeIndicator.objects.get(project__code="3-2-1-01")
    response = dx_client.post(
        "/admin/projects/outcomeindicator/",
        {
            "action": "reset_target",
            "_selected_action": [indicator.pk],
            "apply": "1",
            "year": "2024",
            "final_target": "49000",
            "reason": "目標の見直し",
        },
    )
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.final_target == Decimal(49000)
    assert _achievement(dx_client, PROJECT_2024) != "75.0%"


@pytest.mark.parametrize("copies", [0, 9])
def test_the_explanation_page_reads_stored_figures_when_nothing_changed(
    dx_client, demo, django_assert_num_queries, copies
):
    factories.projects_clone(demo, copies=copies)
    dx_client.get(PLAN_2024)  # the first page after a change computes and stores the figures
    # The page's own queries (session, user, scoping, the plan, the year's latest snapshot, the
    # committee's opinions, the session saved) and ONE for the figures: the inputs' version read
    # with the stored figures' version; nothing is computed. The same for 34 and for 340 projects.
    with django_assert_num_queries(10):
        assert _achievement(dx_client, PLAN_2024).startswith("90.8%" if copies == 0 else "")
    assert YearFigures.objects.filter(plan=demo, fiscal_year=2024).count() == 1


def test_a_worker_without_the_figures_in_memory_reads_them_from_the_database(demo, django_assert_num_queries):
    first = rollup_figures(rollup_year(plan=demo, fiscal_year=2024))
    stored._in_memory.clear()  # another worker: only the database holds the figures
    with django_assert_num_queries(2):  # the version, the stored figures
        again = rollup_year(plan=demo, fiscal_year=2024)
    assert rollup_figures(again) == first


def test_stored_figures_equal_freshly_computed_ones(demo):
    rollup_year(plan=demo, fiscal_year=2024)
    stored._in_memory.clear()
    read = rollup_year(plan=demo, fiscal_year=2024)
    assert rollup_figures(read) == rollup_figures(stored.rollup_fresh(plan=demo, fiscal_year=2024))
    assert rollup_figures(read)["plan"]["grade_counts"] == {"A": 23, "B": 5, "C": 3}


def test_the_version_changes_with_a_save_and_not_with_a_read(demo):
    before = stored.figures_version(plan=demo, fiscal_year=2024)
    rollup_year(plan=demo, fiscal_year=2024)
    assert stored.figures_version(plan=demo, fiscal_year=2024) == before
    record = ProjectRecord.objects.get(project__code="3-2-1-01", fiscal_year=2024)
    record.save()
    assert stored.figures_version(plan=demo, fiscal_year=2024) != before


def test_a_change_stales_its_year_and_the_later_ones_only(demo):
    before = {year: stored.figures_version(plan=demo, fiscal_year=year) for year in (2024, 2025, 2026)}
    ProjectRecord.objects.get(project__code="3-2-1-01", fiscal_year=2025).indicator_results.first().save()
    after = {year: stored.figures_version(plan=demo, fiscal_year=year) for year in (2024, 2025, 2026)}
    assert [after[year] == before[year] for year in (2024, 2025, 2026)] == [True, False, False]


def test_a_change_to_the_plan_stales_every_year(demo):
    before = [stored.figures_version(plan=demo, fiscal_year=year) for year in (2024, 2027)]
    OutcomeIndicator.objects.filter(project__code="3-2-1-01").update(final_target=Decimal(49000))
    assert [stored.figures_version(plan=demo, fiscal_year=year) for year in (2024, 2027)] != before


def test_writes_that_bypass_the_orm_are_seen(demo):
    """A bulk update writes no history and sends no signal; the database's triggers still see it."""
    rollup_year(plan=demo, fiscal_year=2024)
    ProjectRecord.objects.filter(project__code="3-2-1-01", fiscal_year=2024).update(final_grade=None)
    figures = rollup_figures(rollup_year(plan=demo, fiscal_year=2024))
    assert figures == rollup_figures(stored.rollup_fresh(plan=demo, fiscal_year=2024))


def test_every_input_table_has_the_clock_triggers(db):
    tables = {model._meta.db_table for model in stored.INPUT_MODELS}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT event_object_table FROM information_schema.triggers WHERE trigger_name = 'figures_tick'"
            )
        else:
            cursor.execute(
                "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'figures_tick_%'"
            )
        triggered = {table for (table,) in cursor.fetchall()}
    assert tables - triggered == set()


def test_one_request_computes_while_the_others_wait(demo, monkeypatch):
    """While the figures are computed the plan year's lock is held, so a second request waits
    for them instead of computing them too."""
    held = []

    def computing(*, plan, fiscal_year):
        held.append(_lock_held(plan, fiscal_year))
        return fresh(plan=plan, fiscal_year=fiscal_year)

    fresh = stored.rollup_fresh
    monkeypatch.setattr(stored, "rollup_fresh", computing)
    Project.objects.get(code="3-2-1-01").save()  # the figures are stale, and not of one year's rows
    rollup_year(plan=demo, fiscal_year=2024)
    rollup_year(plan=demo, fiscal_year=2024)
    assert held == [True]
    assert not _lock_held(demo, 2024)


def _lock_held(plan, fiscal_year: int) -> bool:
    if connection.vendor != "postgresql":
        return stored._computing[(plan.pk, fiscal_year)].locked()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = %s AND objid = %s",
            [stored.FIGURES_LOCK, plan.pk * 10_000 + fiscal_year],
        )
        return cursor.fetchone()[0] == 1


def _no_full_rollup(monkeypatch):
    def refused(**_):
        raise AssertionError("computed from scratch")

    monkeypatch.setattr(stored, "rollup_fresh", refused)


def _saved(dx, code: str, year: int, actual: int) -> None:
    record = ProjectRecord.objects.get(project__code=code, fiscal_year=year)
    result = record.indicator_results.first()
    result.actual, result.actual_status = Decimal(actual), ActualStatus.CONFIRMED
    services.record_entry_save(record, by=dx, seen_version=record.version, results=[result])


def test_a_save_computes_only_its_project_again_and_the_figures_above_it(
    demo, dx, monkeypatch, django_assert_num_queries
):
    """After entries are saved, the figures held are brought up to date by computing the saved
    projects again (and their measures, goals and plan), in the same queries for one save as for
    two, and they equal the figures computed from scratch."""
    from tests.evaluation.test_rollup import ROLLUP_QUERIES

    rollup_year(plan=demo, fiscal_year=2025)
    _saved(dx, "1-1-1-02", 2025, 100000)
    _saved(dx, "3-2-1-01", 2025, 1)
    _no_full_rollup(monkeypatch)
    with django_assert_num_queries(1 + 1 + ROLLUP_QUERIES):  # the clock, the changes, the narrowed reads
        patched = rollup_year(plan=demo, fiscal_year=2025)
    monkeypatch.undo()
    fresh = stored.rollup_fresh(plan=demo, fiscal_year=2025)
    assert patched == fresh
    assert rollup_figures(patched) == rollup_figures(fresh)
    assert patched.find("project", "1-1-1-02").rollup.value == Decimal(1)


def test_a_change_of_an_earlier_year_brings_the_later_years_up_to_date(demo, monkeypatch):
    """The actuals of earlier years make a later year's forecast: the later year's figures follow."""
    before = rollup_year(plan=demo, fiscal_year=2026).find("project", "1-1-2-01")
    result = ProjectRecord.objects.get(project__code="1-1-2-01", fiscal_year=2024).indicator_results.first()
    result.actual = Decimal(1)  # a late correction of a locked year's actual
    result.save()
    _no_full_rollup(monkeypatch)
    patched = rollup_year(plan=demo, fiscal_year=2026)
    monkeypatch.undo()
    assert patched == stored.rollup_fresh(plan=demo, fiscal_year=2026)
    assert patched.find("project", "1-1-2-01") != before  # the change reaches the later year


def test_a_change_not_of_one_project_computes_the_year_from_scratch(demo, dx, monkeypatch):
    """A measure's own result (a 施策目標値 actual) is noted for no project: the year is computed
    again from scratch, and its figures show the change."""
    from evaluation.models import MeasureIndicatorResult

    result = MeasureIndicatorResult.objects.filter(indicator__measure__plan=demo, actual__isnull=False).first()
    rollup_year(plan=demo, fiscal_year=result.fiscal_year)
    result.actual += 1
    result.save()
    computed = []
    fresh = stored.rollup_fresh
    monkeypatch.setattr(stored, "rollup_fresh", lambda **kw: computed.append(kw) or fresh(**kw))
    figures = rollup_year(plan=demo, fiscal_year=result.fiscal_year)
    assert len(computed) == 1
    assert figures == fresh(plan=demo, fiscal_year=result.fiscal_year)


def test_every_change_of_a_projects_rows_is_noted_with_its_project(demo):
    from evaluation.models import FiguresChange
    from projects.models import ActionGoal

    record = ProjectRecord.objects.get(project__code="3-2-1-01", fiscal_year=2025)
    goal = ActionGoal.objects.get(project=record.project, fiscal_year=2025)
    before = FiguresChange.objects.count()
    for row in (record, record.indicator_results.first(), record.action_results.first(), goal):
        row.save()
    noted = FiguresChange.objects.order_by("id")[before:]
    assert [(change.fiscal_year, change.project_id) for change in noted] == [(2025, record.project_id)] * 4
    assert [change.tick for change in noted] == list(range(noted[0].tick, noted[0].tick + 4))
