"""Bad input in an admin form is explained next to the field, in Japanese, and never gives a 500."""

import pytest
from django.urls import reverse

from projects.models import ActionGoal, Project
from tests import factories


def inline_management(*prefixes: str) -> dict[str, str]:
    data = {}
    for prefix in prefixes:
        data |= {
            f"{prefix}-TOTAL_FORMS": "0",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    return data


@pytest.fixture
def project(plan):
    return factories.project(factories.department(), code="1-1-1-01")


def post_action_goal(client, project, fiscal_year, number="1"):
    data = {
        "project": project.pk,
        "fiscal_year": fiscal_year,
        "number": number,
        "description": "窓口の見直し",
    }
    return client.post(reverse("admin:projects_actiongoal_add"), data)


def field_errors(response, field):
    return list(response.context["adminform"].form.errors.get(field, []))


def test_non_numeric_year_is_explained_next_to_the_field(admin_client, project):
    response = post_action_goal(admin_client, project, "令和6")
    assert response.status_code == 200
    assert field_errors(response, "fiscal_year") == ["整数を入力してください。"]
    assert ActionGoal.objects.count() == 0


def test_year_outside_the_plan_is_explained_next_to_the_field(admin_client, project):
    response = post_action_goal(admin_client, project, "2030")
    assert response.status_code == 200
    assert field_errors(response, "fiscal_year") == [
        "2030年度は計画の期間（2024〜2027年度）の外です。期間内の年度を入力してください。"
    ]
    assert "2030年度は計画の期間" in response.content.decode()
    assert ActionGoal.objects.count() == 0


def test_duplicate_action_goal_is_explained_next_to_its_number(admin_client, project):
    factories.action_goal(project, year=2024, number=1)
    response = post_action_goal(admin_client, project, "2024", number="1")
    assert response.status_code == 200
    assert field_errors(response, "number") == ["この事業・年度には同じ番号の行動目標が既にあります。"]
    assert ActionGoal.objects.count() == 1


def test_fiscal_year_outside_the_plan_and_duplicate_are_refused(admin_client, plan):
    url = reverse("admin:evaluation_fiscalyear_add")
    response = admin_client.post(url, {"plan": plan.pk, "year": "2031", "status": "planned"})
    assert field_errors(response, "year") == [
        "2031年度は計画の期間（2024〜2027年度）の外です。期間内の年度を入力してください。"
    ]
    response = admin_client.post(url, {"plan": plan.pk, "year": "2025", "status": "planned"})
    assert field_errors(response, "year") == ["この計画にはこの年度が既にあります。"]


def test_duplicate_project_code_is_explained_next_to_the_code(admin_client, project, plan):
    data = {
        "plan": plan.pk,
        "code": "1-1-1-01",
        "name": "別の事業",
        "measure": plan.measures.get(code="1-1").pk,
        "start_year": "2024",
        "status": "running",
    } | inline_management("assignments", "action_goals")
    response = admin_client.post(reverse("admin:projects_project_add"), data)
    assert response.status_code == 200
    assert field_errors(response, "code") == ["この計画には同じ事業番号が既にあります。"]
    assert Project.objects.filter(code="1-1-1-01").count() == 1


def test_initiative_of_another_measure_is_refused(admin_client, project, plan):
    data = {
        "plan": plan.pk,
        "code": "1-1-1-02",
        "name": "取組の食い違い",
        "measure": plan.measures.get(code="1-1").pk,
        "initiative": plan.measures.get(code="3-3").initiatives.get().pk,
        "start_year": "2024",
        "status": "running",
    } | inline_management("assignments", "action_goals")
    response = admin_client.post(reverse("admin:projects_project_add"), data)
    assert field_errors(response, "initiative") == ["主な取組は施策1-1のものを選んでください。"]
