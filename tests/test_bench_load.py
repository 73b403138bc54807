"""The load run's own parts (bench/load.py, bench/client.py): it posts a form as a browser does, and its
database check finds a lost or doubled save. The run itself is `make load`, not a test."""

import datetime
import time
from decimal import Decimal

import pytest

from bench.client import form_fields
from bench.load import TOKEN, Ack, _percentile, database_check
from core.roles import DEPARTMENT_STAFF, DX_OFFICE
from evaluation import services
from evaluation.models import FiscalYear, ProjectRecord
from tests import factories

FORM = """
<form id="other"><input name="elsewhere" value="x"></form>
<form id="projectrecord_form" method="post">
  <input type="hidden" name="csrfmiddlewaretoken" value="abc&amp;1">
  <input name="results_summary" value="">
  <select name="self_grade"><option value="">---------</option><option value="7">A</option>
    <option value="8" selected>B</option></select>
  <select name="next_direction"><option value="">---------</option><option value="continue">継続</option></select>
  <textarea name="issues">
一行目
二行目</textarea>
  <input type="checkbox" name="reopened">
  <input type="checkbox" name="ticked" checked>
  <input type="file" name="sheet">
  <input type="submit" name="_save" value="保存">
</form>
"""


def test_a_form_is_posted_as_a_browser_posts_it():
    form = form_fields(FORM, "projectrecord_form")
    assert form.fields == [
        ("csrfmiddlewaretoken", "abc&1"),
        ("results_summary", ""),
        ("self_grade", "8"),
        ("next_direction", ""),
        ("issues", "一行目\n二行目"),
        ("ticked", "on"),
    ]
    assert form.options == {"self_grade": ["", "7", "8"], "next_direction": ["", "continue"]}
    form.set("results_summary", "負荷試験 1")
    assert ("results_summary", "負荷試験 1") in form.fields


def test_percentiles_are_nearest_rank():
    values = [float(n) for n in range(1, 101)]
    assert [_percentile(values, share) for share in (0.5, 0.95, 0.99)] == [50.0, 95.0, 99.0]
    assert _percentile([0.3], 0.95) == 0.3


@pytest.fixture
def saved(plan):
    """One FY2025 record saved twice through the entry service, as the load run's saves are."""
    unit = factories.department("市民課")
    project = factories.project(unit, code="1-1-1-01")
    factories.indicator(project)
    staff = factories.user("staff", role=DEPARTMENT_STAFF, departments=[unit])
    services.fiscal_year_open(
        FiscalYear.objects.get(plan=plan, year=2025),
        deadline=datetime.date(2026, 6, 30),
        by=factories.user("dx", role=DX_OFFICE),
    )
    acks = []
    for number in (1, 2):
        record = ProjectRecord.objects.get(project=project)
        result = record.indicator_results.get()
        record.results_summary, result.actual = f"{TOKEN} {number}", Decimal(number)
        services.record_entry_save(record, by=staff, seen_version=record.version, results=[result])
        ack = Ack("save", record.pk, record.results_summary, result.pk, Decimal(number), time.monotonic())
        acks.append(ack)
    return acks


CLEAN = {
    "lost": 0,
    "saved twice": 0,
    "submissions lost or twice": 0,
    "indicator values missing from history": 0,
    "records not holding their last save": 0,
    "duplicated result rows": 0,
}


def test_the_database_check_finds_every_acknowledged_save(saved):
    assert database_check(saved) == {"acknowledged": 2, **CLEAN}


def test_the_database_check_counts_a_save_the_database_does_not_hold(saved):
    first, second = saved
    never = Ack("save", first.record, f"{TOKEN} 3", first.result, Decimal(3), time.monotonic())
    assert database_check([first, second, never]) == {
        "acknowledged": 3, **CLEAN, "lost": 1, "indicator values missing from history": 1,
        "records not holding their last save": 1,
    }  # fmt: skip


def test_the_database_check_counts_a_save_applied_twice(saved):
    history = ProjectRecord.history.filter(id=saved[1].record, results_summary=f"{TOKEN} 2")
    doubled = history.get()
    doubled.history_id = None  # saved again as a new history row: the same save recorded twice
    doubled.save()
    assert history.count() == 2
    assert database_check(saved) == {"acknowledged": 2, **CLEAN, "saved twice": 1}
