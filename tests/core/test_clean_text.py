"""Text is clean wherever it enters: one line-break form, no look-alike radicals, no control characters."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.models import CleanTextMixin, free_text_fields
from core.validators import line_breaks_normalised, text_for_output, validate_clean_text
from projects.models import ActionGoal
from strategy.models import PlanRevision
from tests import factories


def test_every_kind_of_line_break_becomes_a_line_feed():
    text = "一\r\n二\r三\x0b四\x0c五\u2028六\u2029七\x85八"
    assert line_breaks_normalised(text) == "一\n二\n三\n四\n五\n六\n七\n八"


def test_control_characters_are_named_with_their_code_and_radicals_with_their_kanji():
    with pytest.raises(ValidationError) as caught:
        validate_clean_text("⾏政\x07手続\x1b\t\n")
    assert caught.value.messages == [
        "部首の形をした文字が含まれています（PDFからの貼り付けによるものです）。通常の漢字に直してください: 「⾏」→「行」",
        "制御文字（U+0007、U+001B）が含まれています。削除してください。",
    ]
    validate_clean_text("タブ\tと改行\nは使える")


def test_text_for_output_keeps_line_breaks_and_drops_other_controls():
    assert text_for_output("受付\x0b郵送\x07\x00は除く\r\n以上") == "受付\n郵送は除く\n以上"


def test_every_model_with_free_text_cleans_it():
    unclean = [
        model.__name__
        for app in ("strategy", "measures", "projects", "evaluation")
        for model in apps.get_app_config(app).get_models()
        if free_text_fields(model)
        and not issubclass(model, CleanTextMixin)
        and not model.__name__.startswith("Historical")
    ]
    assert unclean == []


@pytest.fixture
def project(plan):
    return factories.project(factories.department(), code="1-1-1-01")


def _post_action_goal(client, project, description):
    data = {"project": project.pk, "fiscal_year": "2024", "number": "1", "description": description}
    return client.post(reverse("admin:projects_actiongoal_add"), data)


def _field_errors(response, field):
    return list(response.context["adminform"].form.errors.get(field, []))


def test_a_control_character_in_a_form_is_named_next_to_the_field(admin_client, project):
    response = _post_action_goal(admin_client, project, "窓口の\x07見直し")
    assert response.status_code == 200
    assert _field_errors(response, "description") == [
        "制御文字（U+0007）が含まれています。削除してください。"
    ]
    assert "制御文字（U+0007）が含まれています。削除してください。" in response.content.decode()
    assert ActionGoal.objects.count() == 0


def test_a_radical_in_a_form_is_named_next_to_the_field(admin_client, project):
    response = _post_action_goal(admin_client, project, "窓口の⾒直し")
    assert response.status_code == 200
    assert _field_errors(response, "description") == [
        "部首の形をした文字が含まれています（PDFからの貼り付けによるものです）。通常の漢字に直してください: 「⾒」→「見」"
    ]
    assert ActionGoal.objects.count() == 0


def test_a_vertical_tab_from_word_is_saved_as_a_line_break(admin_client, project):
    response = _post_action_goal(admin_client, project, "窓口の見直し\x0b申請書の削減\r\n電子化")
    assert response.status_code == 302
    assert ActionGoal.objects.get().description == "窓口の見直し\n申請書の削減\n電子化"


def test_a_field_that_had_no_check_before_is_cleaned_too(admin_client, plan):
    data = {
        "plan": plan.pk,
        "kind": "other",
        "revised_on": "2025-04-01",
        "effective_year": "2025",
        "reason": "組織改正\x0bのため",
        "summary": "所管課\x1fの変更",
    }
    response = admin_client.post(reverse("admin:strategy_planrevision_add"), data)
    assert response.status_code == 200
    assert _field_errors(response, "summary") == ["制御文字（U+001F）が含まれています。削除してください。"]
    data["summary"] = "所管課の変更"
    response = admin_client.post(reverse("admin:strategy_planrevision_add"), data)
    assert response.status_code == 302
    assert PlanRevision.objects.values_list("reason", "summary").get() == ("組織改正\nのため", "所管課の変更")


def test_a_reason_asked_by_a_form_alone_is_checked_before_the_service(admin_client, plan):
    data = {
        "plan": plan.pk,
        "code": "1-1-1-09",
        "name": "新しい事業",
        "measure": plan.measures.get(code="1-1").pk,
        "start_year": "2025",
        "status": "running",
        "department": factories.department("市民課").pk,
        "reason": "市長\x07公約",
    } | {
        f"{prefix}-{name}": value
        for prefix in ("assignments", "action_goals")
        for name, value in (
            ("TOTAL_FORMS", "0"),
            ("INITIAL_FORMS", "0"),
            ("MIN_NUM_FORMS", "0"),
            ("MAX_NUM_FORMS", "1000"),
        )
    }
    response = admin_client.post(reverse("admin:projects_project_add"), data)
    assert response.status_code == 200
    assert _field_errors(response, "reason") == ["制御文字（U+0007）が含まれています。削除してください。"]
    data["reason"] = "市長\x0b公約"
    response = admin_client.post(reverse("admin:projects_project_add"), data)
    assert response.status_code == 302
    assert PlanRevision.objects.values_list("reason", flat=True).get() == "市長\n公約"
