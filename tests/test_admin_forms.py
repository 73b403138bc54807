"""Bad input in an admin form is explained next to the field, in Japanese, and never gives a 500."""

import pytest
from django.urls import reverse

from evaluation.models import ProjectRecord
from projects.models import Project
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


def post_record(client, project, fiscal_year):
    data = {"project": project.pk, "fiscal_year": fiscal_year, "status": "draft"}
    data |= inline_management("action_results", "indicator_results")
    return client.post(reverse("admin:evaluation_projectrecord_add"), data)


def field_errors(response, field):
    return list(response.context["adminform"].form.errors.get(field, []))


def test_non_numeric_year_is_explained_next_to_the_field(admin_client, project):
    response = post_record(admin_client, project, "令和6")
    assert response.status_code == 200
    assert field_errors(response, "fiscal_year") == ["整数を入力してください。"]
    assert ProjectRecord.objects.count() == 0


def test_year_outside_the_plan_is_explained_next_to_the_field(admin_client, project):
    response = post_record(admin_client, project, "2030")
    assert response.status_code == 200
    assert field_errors(response, "fiscal_year") == [
        "2030年度は計画の期間（2024〜2027年度）の外です。期間内の年度を入力してください。"
    ]
    assert "2030年度は計画の期間" in response.content.decode()


def test_duplicate_record_is_explained_next_to_the_year(admin_client, project):
    factories.record(project, year=2024)
    response = post_record(admin_client, project, "2024")
    assert response.status_code == 200
    assert field_errors(response, "fiscal_year") == ["この事業のこの年度の評価は既に登録されています。"]
    assert ProjectRecord.objects.count() == 1


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
