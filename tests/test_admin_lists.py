"""Every admin page renders with the demo data, and no changelist makes a query per row."""

import pytest
from django.contrib import admin
from django.urls import reverse

from evaluation.models import ProjectRecord
from projects.models import Project

OURS = {"strategy", "measures", "projects", "evaluation"}
REGISTERED = sorted(
    (model for model in admin.site._registry if model._meta.app_label in OURS),
    key=lambda model: model._meta.label,
)


@pytest.fixture
def demo_admin(demo, admin_client):
    return admin_client


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_changelist_queries_do_not_grow_with_rows(demo_admin, django_assert_max_num_queries, model):
    # Session, user, the count, the page of rows, filters' choices (the records' department filter
    # reads the departments once) and prefetches: a fixed handful, far below the rows on the page
    # (up to 50), so a query per row would break it.
    with django_assert_max_num_queries(15):
        response = demo_admin.get(_url(model, "changelist"))
    assert response.status_code == 200
    changelist = response.context["cl"]
    assert changelist.result_count == changelist.queryset.count()
    assert len(changelist.result_list) == min(changelist.result_count, changelist.list_per_page)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_add_change_and_history_pages_render(demo_admin, model):
    addable = admin.site._registry[model].has_add_permission(demo_admin.request().wsgi_request)
    assert demo_admin.get(_url(model, "add")).status_code == (200 if addable else 403)
    obj = model._default_manager.order_by("pk").last()
    if obj is None:
        pytest.skip(f"no {model._meta.verbose_name} in the demo")
    assert demo_admin.get(_url(model, "change", obj.pk)).status_code == 200
    assert demo_admin.get(_url(model, "history", obj.pk)).status_code == 200


def test_project_changelist_shows_the_current_department(demo_admin):
    response = demo_admin.get(_url(Project, "changelist") + "?q=学校のICT活用授業支援")
    rows = [
        (p.code, response.context["cl"].model_admin.departments(p))
        for p in response.context["cl"].result_list
    ]
    assert rows == [("3-3-1-03", "教育DX推進課")]


def test_record_list_opens_on_the_year_being_entered(demo_admin):
    changelist = demo_admin.get(_url(ProjectRecord, "changelist")).context["cl"]
    assert {record.fiscal_year for record in changelist.result_list} == {2025}
    assert changelist.result_count == 34
    everything = demo_admin.get(_url(ProjectRecord, "changelist") + "?year=all").context["cl"]
    assert everything.result_count == 68
