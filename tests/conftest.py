import datetime

import pytest
from django.core.management import call_command

from evaluation.demo import demo_load
from evaluation.services import reference_data_load
from strategy.models import Plan
from tests import factories

DEMO_PASSWORD = "demo-pass-2024"
DEMO_TODAY = datetime.date(2026, 5, 1)


@pytest.fixture
def plan(db) -> Plan:
    """The reference data (both plans, goals, measures, initiatives, grades, roles); returns the 2nd plan."""
    reference_data_load()
    return Plan.objects.get(code="ict2")


@pytest.fixture(scope="module")
def demo_db(django_db_setup, django_db_blocker):
    """The demo data, loaded once for a module; each test still runs in a transaction rolled back after it.

    Modules using it must not hold transactional tests: they would flush it away.
    """
    with django_db_blocker.unblock():
        reference_data_load()
        demo_load(password=DEMO_PASSWORD, today=DEMO_TODAY)
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def demo(demo_db, db) -> Plan:
    return Plan.objects.get(code="ict2")


@pytest.fixture
def superuser(plan):
    return factories.user("root", is_superuser=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client
