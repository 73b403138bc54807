"""The entry page keeps a fixed number of queries, and every save leaves one history row per change."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.roles import DEPARTMENT_STAFF, DX_OFFICE
from evaluation import services
from evaluation.models import FiscalYear, Grade, ProjectRecord
from tests import factories


def _record_with(plan, count: int):
    unit = factories.department("市民課")
    project = factories.project(unit, code=f"1-1-1-{count:02d}")
    for number in range(1, count + 1):
        factories.action_goal(project, year=2025, number=number, description=f"行動目標{number}")
        indicator = factories.indicator(project, code=str(number), name=f"指標{number}")
        indicator.targets.create(fiscal_year=2025, value=150)
    dx = factories.user("dx", role=DX_OFFICE)
    staff = factories.user("staff", role=DEPARTMENT_STAFF, departments=[unit])
    services.fiscal_year_open(
        FiscalYear.objects.get(plan=plan, year=2025), deadline=datetime.date(2026, 6, 30), by=dx
    )
    return ProjectRecord.objects.get(project=project), staff


@pytest.mark.parametrize("count", [1, 20])
def test_entry_page_queries_do_not_grow_with_goals_and_indicators(
    plan, client, django_assert_num_queries, count
):
    record, staff = _record_with(plan, count)
    client.force_login(staff)
    url = reverse("admin:evaluation_projectrecord_change", args=[record.pk])
    client.get(url)  # warm Django's content-type cache, which the first page view fills
    # Session, user, groups (2), memberships and their lineage (2), the record with its project, plan,
    # cycle and result rows (3, once for the workflow panel and the form), editing scope, permissions
    # (2), the inlines' rows (2), the indicators' targets, the grades, the session save (3), and the
    # 評価案 shown before submitting: the version of the year's inputs (1) and, computed again as in
    # every test's transaction, from the project's rows of the year (9, whatever their number: the
    # project's figure alone, nothing above it).
    with django_assert_num_queries(29):
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("150 件") == count
    assert "評価案（成果指標と行動目標から自動計算）：<strong>−（評価不能）</strong>" in page


@pytest.mark.django_db(transaction=True)  # a proposal is kept only outside a transaction
def test_the_proposal_is_computed_again_only_after_a_change(plan, client, django_assert_num_queries):
    record, staff = _record_with(plan, 1)
    client.force_login(staff)
    url = reverse("admin:evaluation_projectrecord_change", args=[record.pk])
    shown = "評価案（成果指標と行動目標から自動計算）：<strong>{}</strong>"
    response = client.get(url)
    assert response.status_code == 200
    assert shown.format("−（評価不能）") in response.content.decode()
    with django_assert_num_queries(29 - 9):  # the version of the year's inputs only: nothing changed
        response = client.get(url)
    assert response.status_code == 200
    assert shown.format("−（評価不能）") in response.content.decode()
    # Another page of the portal saves the year's actual: the page shows the proposal it earns.
    record.indicator_results.update(actual=Decimal(150), actual_status="confirmed")
    response = client.get(url)
    assert response.status_code == 200
    assert shown.format("A（予定どおり）") in response.content.decode()


def test_one_history_row_per_changed_object_with_the_acting_user(plan, client, django_assert_num_queries):
    record, staff = _record_with(plan, 2)
    client.force_login(staff)
    first_result, second_result = record.indicator_results.order_by("indicator__code")
    before = {
        "record": record.history.count(),
        "first": first_result.history.count(),
        "second": second_result.history.count(),
    }
    data = {
        "seen_version": "0",
        "results_summary": "要約",
        "self_grade": "",
        "self_grade_reason": "",
        "issues": "",
        "next_direction": "",
        "next_steps": "",
        "action_results-TOTAL_FORMS": "2",
        "action_results-INITIAL_FORMS": "2",
        "action_results-MIN_NUM_FORMS": "0",
        "action_results-MAX_NUM_FORMS": "1000",
        "indicator_results-TOTAL_FORMS": "2",
        "indicator_results-INITIAL_FORMS": "2",
        "indicator_results-MIN_NUM_FORMS": "0",
        "indicator_results-MAX_NUM_FORMS": "1000",
    }
    for index, result in enumerate(record.action_results.order_by("action_goal__number")):
        data |= {f"action_results-{index}-id": result.pk, f"action_results-{index}-record": record.pk,
                 f"action_results-{index}-done": "", f"action_results-{index}-completion": ""}  # fmt: skip
    for index, result in enumerate([first_result, second_result]):
        data |= {f"indicator_results-{index}-id": result.pk, f"indicator_results-{index}-record": record.pk,
                 f"indicator_results-{index}-actual": "120" if index == 0 else "",
                 f"indicator_results-{index}-actual_status": "not_entered", f"indicator_results-{index}-note": ""}  # fmt: skip
    url = reverse("admin:evaluation_projectrecord_change", args=[record.pk])
    # A save redirects: the page's 評価案 (9 queries) is not computed for a page never shown.
    with django_assert_num_queries(40):
        response = client.post(url, data)
    assert response.status_code == 302
    after = {
        "record": record.history.count(),
        "first": first_result.history.count(),
        "second": second_result.history.count(),
    }
    assert after == {"record": before["record"] + 1, "first": before["first"] + 1, "second": before["second"]}
    assert record.history.first().history_user == staff
    assert first_result.history.first().history_user == staff
    assert (first_result.history.first().actual, first_result.history.first().actual_status) == (
        120,
        "confirmed",
    )
    history = client.get(reverse("admin:evaluation_projectrecord_history", args=[record.pk]))
    assert history.status_code == 200
    entry = history.context["result_changes"][0]
    assert (entry.who, entry.reason, entry.row) == ("staff", "入力内容を保存", "成果指標 1 指標1")
    assert entry.changes == [("実績値", "（空欄）", "120"), ("実績の状態", "未入力", "確定値")]
    assert "<strong>実績値:</strong> （空欄）&nbsp;&rarr;&nbsp;120" in history.content.decode()


def test_staff_see_targets_with_every_digit_and_actuals_without_trailing_zeros(plan, client):
    record, staff = _record_with(plan, 1)
    indicator = record.indicator_results.get().indicator
    type(indicator).objects.filter(pk=indicator.pk).update(baseline_value=20)
    indicator.targets.filter(fiscal_year=2025).update(value=Decimal("22.5"))
    record.indicator_results.update(actual=Decimal("21.0000"), actual_status="confirmed")
    client.force_login(staff)
    response = client.get(reverse("admin:evaluation_projectrecord_change", args=[record.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "22.5 件" in page  # the indicator has no decimals, but the year's target has one
    assert 'name="indicator_results-0-actual" value="21"' in page
    # (21 − 20) ÷ (22.5 − 20) from the baseline; 21 ÷ 22.5 as the council computes it.
    assert "進捗率 40.0%／達成率 93.3%（進捗率で評価）" in page


def test_a_control_character_in_a_return_comment_is_refused_and_line_breaks_are_kept(plan):
    record, staff = _record_with(plan, 1)
    dx = get_user_model().objects.get(username="dx")
    record.indicator_results.update(actual=Decimal(150), actual_status="confirmed")
    record.action_results.update(completion="achieved")
    record.self_grade = Grade.objects.get(scale__plan=plan, code="A")
    record.self_grade_reason, record.next_direction = "予定どおり", "continue"
    services.record_entry_save(record, by=staff, seen_version=record.version)
    services.record_submit(record, by=staff)
    with pytest.raises(ValidationError) as refused:
        services.record_return(record, by=dx, comment="数値を\x07確認してください")
    assert refused.value.message_dict == {"comment": ["制御文字（U+0007）が含まれています。削除してください。"]}
    returned = services.record_return(record, by=dx, comment="数値を\x0b確認してください")
    assert returned.review_comment == "数値を\n確認してください"
