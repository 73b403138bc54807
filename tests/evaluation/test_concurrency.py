"""Concurrent writers on a real database: one approval wins, and no save silently overwrites another."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from core.roles import DEPARTMENT_STAFF, DX_OFFICE
from evaluation import services
from evaluation.enums import ActualStatus, Completion, RecordStatus
from evaluation.models import FiscalYear, Grade, ProjectRecord
from evaluation.services import reference_data_load
from strategy.models import Plan
from tests import factories

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it)"),
]


def _submitted_record():
    reference_data_load()
    plan = Plan.objects.get(code="ict2")
    unit = factories.department("市民課")
    project = factories.project(unit, code="1-1-1-01")
    factories.action_goal(project, year=2025)
    factories.indicator(project)
    dx = factories.user("dx", role=DX_OFFICE)
    staff = factories.user("staff", role=DEPARTMENT_STAFF, departments=[unit])
    services.fiscal_year_open(
        FiscalYear.objects.get(plan=plan, year=2025), deadline=datetime.date(2026, 6, 30), by=dx
    )
    record = ProjectRecord.objects.get(project=project)
    record.indicator_results.update(actual=Decimal(170), actual_status=ActualStatus.CONFIRMED)
    record.action_results.update(completion=Completion.ACHIEVED)
    record.self_grade = Grade.objects.get(code="A")
    record.self_grade_reason, record.next_direction = "予定どおり", "continue"
    services.record_entry_save(record, by=staff, seen_version=record.version)
    services.record_submit(record, by=staff)
    return record, dx


def _run_together(*calls):
    """Run the calls in threads released at the same moment; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as error:  # the test inspects what each thread met
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_concurrent_approvals_leave_exactly_one():
    record, dx = _submitted_record()
    outcomes = _run_together(
        lambda: services.record_approve(ProjectRecord.objects.get(pk=record.pk), by=dx),
        lambda: services.record_approve(ProjectRecord.objects.get(pk=record.pk), by=dx),
    )
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    approved = [o for o in outcomes if isinstance(o, ProjectRecord)]
    assert (len(approved), len(refused)) == (1, 1)
    assert refused[0].messages == ["承認できるのは「提出済み・再提出」の評価だけです（現在は「承認済み」）。"]
    saved = ProjectRecord.objects.get(pk=record.pk)
    assert saved.status == RecordStatus.APPROVED
    assert saved.history.filter(history_change_reason="承認").count() == 1


def test_two_concurrent_saves_of_the_same_version_leave_the_first():
    record, dx = _submitted_record()
    seen = ProjectRecord.objects.get(pk=record.pk).version

    def save(text):
        from django.db import transaction

        with transaction.atomic():
            current = ProjectRecord.objects.get(pk=record.pk)
            current.review_comment = text
            services.record_entry_save(current, by=dx, seen_version=seen)
            return text

    outcomes = _run_together(lambda: save("一人目"), lambda: save("二人目"))
    saved_texts = [o for o in outcomes if isinstance(o, str)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert (len(saved_texts), len(refused)) == (1, 1)
    assert ProjectRecord.objects.get(pk=record.pk).review_comment == saved_texts[0]
    assert ProjectRecord.objects.get(pk=record.pk).version == seen + 1
