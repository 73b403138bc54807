"""Invariants hold in the database and are explained in Japanese by validation."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from evaluation.models import FiscalYear, IndicatorResult, ProjectRecord
from projects.models import Project
from tests import factories


@pytest.fixture
def project(plan):
    return factories.project(factories.department())


def messages(error: ValidationError) -> dict[str, list[str]]:
    return {field: list(texts) for field, texts in error.message_dict.items()}


def test_one_record_per_project_and_year(project):
    first = factories.record(project, year=2024)
    duplicate = ProjectRecord(project=project, cycle=first.cycle, fiscal_year=2024)
    with pytest.raises(ValidationError) as caught:
        duplicate.full_clean()
    assert messages(caught.value) == {"fiscal_year": ["この事業のこの年度の評価は既に登録されています。"]}
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_a_year_outside_the_plan_is_refused_with_the_period(project):
    record = ProjectRecord(project=project, fiscal_year=2028)
    with pytest.raises(ValidationError) as caught:
        record.full_clean(exclude=["cycle"])  # the plan has no 2028 to link to
    assert messages(caught.value) == {
        "fiscal_year": ["2028年度は計画の期間（2024〜2027年度）の外です。期間内の年度を入力してください。"]
    }


def test_a_year_before_the_project_started_is_refused(plan):
    project = factories.project(factories.department(), start_year=2026)
    with pytest.raises(ValidationError) as caught:
        ProjectRecord(project=project, cycle=_cycle(project, 2025), fiscal_year=2025).full_clean()
    assert messages(caught.value) == {
        "fiscal_year": ["この事業は令和7年度（2025年度）には実施されていません。"]
    }


def test_the_database_refuses_an_impossible_year(project):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectRecord.objects.create(project=project, cycle=_cycle(project, 2024), fiscal_year=224)


def test_a_record_belongs_to_a_year_of_its_own_plan(project):
    record = ProjectRecord(project=project, cycle=_cycle(project, 2025), fiscal_year=2024)
    with pytest.raises(ValidationError) as caught:
        record.full_clean()
    assert messages(caught.value) == {"cycle": ["評価年度は、事業の計画とこの評価の年度に合うものを選んでください。"]}


def _cycle(project, year):
    return FiscalYear.objects.get(plan=project.plan, year=year)


def test_missing_actuals_are_never_zero(project):
    record = factories.record(project)
    indicator = factories.indicator(project)
    tallying = IndicatorResult(
        record=record, indicator=indicator, actual=Decimal(0), actual_status="tallying"
    )
    with pytest.raises(ValidationError) as caught:
        tallying.full_clean()
    assert (
        "実績値を入れたときは、状態を「確定値」か「速報値」にしてください。"
        in messages(caught.value)["actual_status"]
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        tallying.save()
    confirmed_without_value = IndicatorResult(
        record=record, indicator=indicator, actual=None, actual_status="confirmed"
    )
    with pytest.raises(ValidationError) as caught:
        confirmed_without_value.full_clean()
    assert messages(caught.value)["actual"][0].startswith("実績値を入力してください。")


def test_project_codes_are_unique_within_a_plan(plan):
    owner = factories.department()
    factories.project(owner, code="1-1-1-01")
    with pytest.raises(ValidationError) as caught:
        Project(
            plan=plan, code="1-1-1-01", name="重複", measure=plan.measures.get(code="1-1"), start_year=2024
        ).full_clean()
    assert messages(caught.value) == {"code": ["この計画には同じ事業番号が既にあります。"]}


def test_radicals_from_pdfs_are_refused_with_the_fix(plan):
    project = Project(
        plan=plan, code="X-1", name="⾏政手続の電⼦化", measure=plan.measures.get(code="1-1"), start_year=2024
    )
    with pytest.raises(ValidationError) as caught:
        project.full_clean()
    assert messages(caught.value)["name"] == [
        "部首の形をした文字が含まれています（PDFからの貼り付けによるものです）。通常の漢字に直してください: 「⼦」→「子」、「⾏」→「行」"
    ]
