"""Figures brought up to date outside a transaction (as every page reads them) are kept by the
worker for its next request; apart from the demo module's tests, which each run in a transaction."""

from decimal import Decimal

import pytest

from evaluation.demo import demo_load
from evaluation.enums import ActualStatus
from evaluation.models import ProjectRecord
from evaluation.rollups import stored
from evaluation.rollups.year import rollup_year
from evaluation.services import reference_data_load
from strategy.models import Plan
from tests.conftest import DEMO_PASSWORD, DEMO_TODAY

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_worker_keeps_the_figures_it_brought_up_to_date(django_assert_num_queries):
    reference_data_load()
    demo_load(password=DEMO_PASSWORD, today=DEMO_TODAY)
    plan = Plan.objects.get(code="ict2")
    stored._in_memory.clear()
    rollup_year(plan=plan, fiscal_year=2025)
    result = ProjectRecord.objects.get(project__code="1-1-1-02", fiscal_year=2025).indicator_results.get()
    result.actual, result.actual_status = Decimal(100000), ActualStatus.CONFIRMED
    result.save()
    patched = rollup_year(plan=plan, fiscal_year=2025)
    with django_assert_num_queries(1):  # the clock: nothing changed since
        again = rollup_year(plan=plan, fiscal_year=2025)
    assert again is patched
    assert patched == stored.rollup_fresh(plan=plan, fiscal_year=2025)
    assert patched.find("project", "1-1-1-02").rollup.value == Decimal(1)
