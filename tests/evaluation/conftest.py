import datetime

import pytest

from core.roles import DEPARTMENT_STAFF, DX_OFFICE
from evaluation import services
from evaluation.models import FiscalYear
from tests import factories


@pytest.fixture
def year_open(plan):
    """FY2025 open for entry: 市民課's project with two indicators (one named like a formula) and
    広報課's project with one; returns 市民課's staff member."""
    citizens, relations = factories.department("市民課"), factories.department("広報課")
    ours = factories.project(citizens, code="1-1-1-01", name="書かない窓口の推進")
    factories.indicator(ours, code="1", name="対象手続数", unit="件")
    factories.indicator(ours, code="2", name='=HYPERLINK("http://example.invalid")', unit="件")
    theirs = factories.project(relations, code="3-2-1-01", measure_code="3-2", name="市公式SNSの運用")
    factories.indicator(theirs, code="1", name="フォロワー数", unit="人")
    dx = factories.user("dx", role=DX_OFFICE)
    staff = factories.user(
        "staff", role=DEPARTMENT_STAFF, departments=[citizens], first_name="太郎", last_name="市民"
    )
    services.fiscal_year_open(
        FiscalYear.objects.get(plan=plan, year=2025), deadline=datetime.date(2026, 6, 30), by=dx
    )
    return staff
