"""Control characters in a request answer a 400 page in Japanese, never a 500 (PostgreSQL refuses NUL)."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

REFUSED = "要求を受け付けられません（400）"


def assert_refused(response):
    assert response.status_code == 400
    assert REFUSED in response.content.decode()


def test_a_nul_in_the_admin_search_is_refused(admin_client):
    assert_refused(admin_client.get(reverse("admin:projects_project_changelist") + "?q=%00"))
    assert_refused(admin_client.get(reverse("admin:projects_project_changelist") + "?q=abc%00def"))


def test_a_nul_in_the_autocomplete_term_is_refused(admin_client):
    query = "?app_label=projects&model_name=actiongoal&field_name=project&term=%00"
    assert_refused(admin_client.get(reverse("admin:autocomplete") + query))


@pytest.mark.parametrize("query", ["?x=%00", "?%00=1", "?x=%01", "?x=%1F", "?x=%0B"])
def test_control_characters_in_any_query_string_are_refused(client, plan, query):
    assert_refused(client.get(reverse("public:home") + query))


def test_a_nul_in_a_form_field_is_named_by_the_form_and_nothing_is_recorded(client, plan):
    # Form bodies reach their form, which keeps what was typed and names the field (never a 400 page).
    response = client.post(reverse("admin:login"), {"username": "dx\x00", "password": "x"})
    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert not AccessAttempt.objects.exists()


def test_a_nul_in_the_path_is_refused(admin_client):
    assert_refused(admin_client.get("/admin/projects/project/%00/change/"))


def test_tabs_and_line_breaks_pass(admin_client):
    response = admin_client.get(reverse("admin:projects_project_changelist") + "?q=a%09b%0D%0A")
    assert response.status_code == 200
    assert response.context["cl"].query == "a\tb\r\n"
