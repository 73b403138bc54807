"""Mid-plan revisions: each keeps what was there before and is listed as a plan revision."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.roles import DX_OFFICE
from measures.services import indicator_target_reset
from projects import services
from projects.models import Project
from strategy.models import PlanRevision
from tests import factories


@pytest.fixture
def dx(plan):
    return factories.user("dx", role=DX_OFFICE)


@pytest.fixture
def project(plan):
    return factories.project(factories.department("市民課"), code="1-1-1-01", name="書かない窓口の推進")


def targets(indicator, years=range(2024, 2028)):
    indicator.refresh_from_db()
    return [
        (year, indicator.target_for(year).value, indicator.target_for(year).interpolated) for year in years
    ]


def test_resetting_a_target_keeps_the_earlier_years(project, dx):
    indicator = factories.indicator(project, name="対象手続数")  # 100 in 2022 → 200 in 2027
    assert targets(indicator)[:2] == [(2024, Decimal("140.0000"), True), (2025, Decimal("160.0000"), True)]
    revision = indicator_target_reset(
        indicator, year=2026, final_target=Decimal(300), reason="国の方針変更", by=dx
    )
    assert targets(indicator) == [
        (2024, Decimal("140.0000"), False),
        (2025, Decimal("160.0000"), False),
        (2026, Decimal("230.0000"), True),
        (2027, Decimal(300), False),
    ]
    assert (revision.kind, revision.effective_year, revision.created_by) == ("target_reset", 2026, dx)
    assert revision.summary.endswith("最終目標値 200.0000 → 300（令和8年度（2026年度）から）")
    assert indicator.history.first().history_user == dx


def test_a_revision_without_a_reason_changes_nothing(project, dx):
    indicator = factories.indicator(project)
    with pytest.raises(ValidationError) as caught:
        indicator_target_reset(indicator, year=2026, final_target=Decimal(300), reason=" ", by=dx)
    assert caught.value.message_dict == {"reason": ["見直しの理由を入力してください。議会報告に載ります。"]}
    indicator.refresh_from_db()
    assert (indicator.final_target, indicator.targets.count(), PlanRevision.objects.count()) == (200, 0, 0)


def test_ending_a_project_keeps_its_past_years(project, dx):
    revision = services.project_end(project, year=2026, status="abolished", reason="国の制度に統一", by=dx)
    project.refresh_from_db()
    assert (project.status, project.end_year, project.runs_in(2025), project.runs_in(2026)) == (
        "abolished",
        2025,
        True,
        False,
    )
    assert factories.responsible_department(project, 2025).name == "市民課"
    assert revision.summary == "事業「1-1-1-01 書かない窓口の推進」を廃止（令和7年度（2025年度）まで実施）"
    with pytest.raises(ValidationError, match="その翌年度以降から終了できます"):
        services.project_end(factories.project(factories.department(), start_year=2026), year=2026, status="completed",
                             reason="x", by=dx)  # fmt: skip


def test_merging_a_project_links_it_to_its_successor(project, dx):
    target = factories.project(factories.department("区政支援課"), code="1-1-3-01", name="ワンストップ窓口")
    services.project_merge(project, into=target, year=2026, reason="窓口改革に一本化", by=dx)
    project.refresh_from_db()
    assert (project.status, project.merged_into, project.end_year) == ("merged", target, 2025)
    with pytest.raises(ValidationError, match="同じ計画の別の事業を統合先に選んでください。"):
        services.project_merge(target, into=target, year=2026, reason="x", by=dx)


def test_moving_a_project_keeps_the_old_department_for_old_years(project, dx):
    new = factories.department("DX推進課")
    services.project_move(project, department=new, year=2026, reason="組織改正", by=dx)
    assert [factories.responsible_department(project, y).name for y in (2024, 2025, 2026, 2027)] == [
        "市民課",
        "市民課",
        "DX推進課",
        "DX推進課",
    ]
    assert (
        PlanRevision.objects.get().summary
        == "事業「1-1-1-01 書かない窓口の推進」の所管課を市民課からDX推進課に変更"
    )


def test_the_dx_office_adds_a_project_with_its_department_and_reason(plan, client, dx):
    client.force_login(dx)
    owner = factories.department("会計課")
    data = {
        "plan": plan.pk, "code": "1-1-2-09", "name": "窓口のキャッシュレス拡大", "summary": "",
        "measure": plan.measures.get(code="1-1").pk, "start_year": "2026", "end_year": "", "status": "running",
        "department": owner.pk, "reason": "キャッシュレス化の加速",
        "action_goals-TOTAL_FORMS": "0", "action_goals-INITIAL_FORMS": "0",
        "action_goals-MIN_NUM_FORMS": "0", "action_goals-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    response = client.post(reverse("admin:projects_project_add"), data)
    assert response.status_code == 302
    added = Project.objects.get(code="1-1-2-09")
    assert factories.responsible_department(added, 2026) == owner
    revision = PlanRevision.objects.get()
    assert (revision.kind, revision.effective_year, revision.reason) == (
        "project_added",
        2026,
        "キャッシュレス化の加速",
    )


def test_the_end_action_asks_for_year_and_reason_and_shows_errors_by_the_field(project, client, dx):
    client.force_login(dx)
    url = reverse("admin:projects_project_changelist")
    form_page = client.post(url, {"action": "end_projects", "_selected_action": [project.pk]})
    assert "見直しの理由" in form_page.content.decode()
    refused = client.post(
        url, {"action": "end_projects", "_selected_action": [project.pk], "apply": "1", "year": "2026",
              "status": "completed", "reason": ""},
    )  # fmt: skip
    assert refused.context["form"].errors == {"reason": ["このフィールドは必須です。"]}
    done = client.post(
        url, {"action": "end_projects", "_selected_action": [project.pk], "apply": "1", "year": "2026",
              "status": "completed", "reason": "目的を達成"},
    )  # fmt: skip
    assert done.status_code == 302
    project.refresh_from_db()
    assert (project.status, project.end_year) == ("completed", 2025)
