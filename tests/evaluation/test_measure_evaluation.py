"""The DX office evaluates measures beside the computed proposal and records the committee's voice."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from core.roles import DEMO
from evaluation.models import CommitteeOpinion, Grade, MeasureEvaluation
from measures.models import Measure
from projects.models import Project


@pytest.fixture
def dx_client(demo, client):
    Group.objects.get(name=DEMO).user_set.clear()  # demo accounts stand for real staff here
    client.force_login(get_user_model().objects.get(username="dx"))
    return client


def _evaluate(client, grade_code, reason, plan_code="ict2", year="2025", measure_code="1-1"):
    measure = Measure.objects.get(plan__code=plan_code, code=measure_code)
    data = {
        "measure": measure.pk, "fiscal_year": year, "seen_version": "0",
        "grade": Grade.objects.get(code=grade_code).pk, "grade_reason": reason, "comment": "おおむね順調",
    }  # fmt: skip
    return client.post(reverse("admin:evaluation_measureevaluation_add"), data)


def test_a_grade_other_than_the_proposal_needs_a_reason_next_to_the_field(dx_client):
    refused = _evaluate(dx_client, "C", "")
    assert refused.status_code == 200
    message = "評価案（B（若干の遅れ））と異なる評価を選ぶときは、その理由を入力してください。"
    assert refused.context["adminform"].form.errors == {"grade_reason": [message]}
    assert f'<ul class="errorlist" id="id_grade_reason_error"><li>{message}</li></ul>' in refused.content.decode()
    assert not MeasureEvaluation.objects.filter(fiscal_year=2025).exists()
    accepted = _evaluate(dx_client, "C", "主要事業の遅れを重く見た")
    assert accepted.status_code == 302
    saved = MeasureEvaluation.objects.get(fiscal_year=2025, measure__code="1-1")
    assert (saved.grade.code, saved.grade_reason, saved.evaluated_by.username) == (
        "C",
        "主要事業の遅れを重く見た",
        "dx",
    )
    assert saved.proposed_grade is not None and saved.proposed_grade.code != "C"


def test_a_reported_year_is_refused_next_to_the_year_not_with_an_error_page(dx_client):
    before = MeasureEvaluation.objects.count()
    refused = _evaluate(dx_client, "A", "報告後に追加", year="2024", measure_code="1-2")
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors == {
        "fiscal_year": ["令和6年度（2024年度）は確定しているため、施策の評価を追加・変更できません。"]
    }
    assert MeasureEvaluation.objects.count() == before


def _measure_options(response) -> list[str]:
    select = re.search(r'<select name="measure".*?</select>', response.content.decode(), re.S).group()
    return re.findall(r'<option value="\d+">([^<]*)</option>', select)


def test_a_new_evaluation_offers_the_measures_of_the_plan_being_worked_on_named_with_it(dx_client):
    page = dx_client.get(reverse("admin:evaluation_measureevaluation_add"))
    assert page.status_code == 200
    options = _measure_options(page)
    assert options[0] == "施策1-1 利便性を高める行政サービスの推進（第２次相模原市ＩＣＴ総合戦略）"
    assert [option.split()[0] for option in options] == [
        "施策1-1", "施策1-2", "施策2-1", "施策2-2", "施策2-3", "施策3-1", "施策3-2", "施策3-3",
    ]  # fmt: skip
    assert all(option.endswith("（第２次相模原市ＩＣＴ総合戦略）") for option in options)


def test_a_measure_of_the_earlier_plan_is_refused_next_to_the_field(dx_client):
    refused = _evaluate(dx_client, "A", "", plan_code="ict1")
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["measure"] == [
        "正しく選択してください。選択したものは候補にありません。"
    ]
    assert not MeasureEvaluation.objects.filter(fiscal_year=2025).exists()


def test_a_reported_years_measure_evaluation_is_read_only(dx_client):
    evaluation = MeasureEvaluation.objects.get(fiscal_year=2024, measure__code="1-1")
    url = reverse("admin:evaluation_measureevaluation_change", args=[evaluation.pk])
    assert 'name="_save"' not in dx_client.get(url).content.decode()
    assert dx_client.post(url, {"grade_reason": "書き換え"}).status_code == 403


def test_the_committees_opinion_and_the_citys_response_appear_with_the_figure(dx_client):
    project = Project.objects.get(name="書かない窓口の推進")
    data = {"fiscal_year": "2024", "project": project.pk, "measure": "", "committee": "相模原市経営評価委員会",
            "opinion": "対象手続の選定理由を市民に示すこと。", "response": "選定基準をホームページで公表します。"}  # fmt: skip
    assert dx_client.post(reverse("admin:evaluation_committeeopinion_add"), data).status_code == 302
    assert CommitteeOpinion.objects.get(project=project).recorded_by.username == "dx"
    page = dx_client.get(
        reverse("rollups:explain", args=["ict2", 2024, "project", project.code])
    ).content.decode()
    assert "<h2>外部委員会の意見と市の対応方針</h2>" in page
    assert "対象手続の選定理由を市民に示すこと。" in page and "選定基準をホームページで公表します。" in page
