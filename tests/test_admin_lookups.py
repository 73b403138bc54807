"""A list filters only through its own filters: no query string reads a field the list does not offer.

Otherwise `?internal_note__startswith=予` would let department staff and viewers read the DX
office's internal notes one character at a time, by counting rows.
"""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from core.admin import ListedLookupsOnly
from core.roles import DEMO, DEPARTMENT_STAFF, DX_OFFICE, VIEWER, role_permissions
from evaluation.models import ActionResult, Grade, ProjectRecord
from projects.models import Project
from strategy.models import Department, PlanRevision

ADMINS = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
ROLES = {"dept1": DEPARTMENT_STAFF, "dx": DX_OFFICE, "viewer": VIEWER, "root": None}
REFUSED = "要求を受け付けられません（400）"


@pytest.fixture(autouse=True)
def accounts_as_real_staff(demo):
    """Production refuses demo accounts (DEBUG is off in tests); here they stand for real staff."""
    Group.objects.get(name=DEMO).user_set.clear()
    get_user_model().objects.create_user("root", is_staff=True, is_superuser=True)  # no password: no hashing


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def expected_status(username, model) -> int:
    """403 where the role may not view the list at all (core.roles), else the 400 of a refused lookup."""
    if username == "root":
        return 400
    app, name = model._meta.app_label, model._meta.model_name
    return 400 if (app, f"view_{name}") in role_permissions(ROLES[username], {app: [name]}) else 403


def unlisted_lookups(model_admin) -> list[str]:
    """A lookup on every field (forward and reverse) that is not one of the list's filters."""
    listed = {item[0] if isinstance(item, (list, tuple)) else item for item in model_admin.list_filter}
    return [
        f"{field.name}__isnull" for field in model_admin.model._meta.get_fields() if field.name not in listed
    ]


def test_every_admin_refuses_unlisted_lookups():
    assert all(isinstance(model_admin, ListedLookupsOnly) for _, model_admin in ADMINS)


@pytest.mark.parametrize("username", ROLES)
@pytest.mark.parametrize(("model", "model_admin"), ADMINS, ids=[m._meta.label for m, _ in ADMINS])
def test_no_list_filters_on_a_field_it_does_not_offer(client, username, model, model_admin):
    client.force_login(get_user_model().objects.get(username=username))
    lookups = unlisted_lookups(model_admin)
    assert lookups
    status = expected_status(username, model)
    for lookup in lookups:
        response = client.get(f"{changelist(model)}?{lookup}=True")
        assert (lookup, response.status_code) == (lookup, status)
        text = response.content.decode()
        assert 'id="result_list"' not in text
        assert (REFUSED in text) == (status == 400)


@pytest.mark.parametrize("username", ["dept1", "viewer", "dx"])
@pytest.mark.parametrize(
    ("model", "lookup"),
    [
        (ProjectRecord, "internal_note__startswith"),
        (Project, "records__internal_note__startswith"),
        (ActionResult, "record__internal_note__startswith"),
    ],
)
def test_internal_notes_cannot_be_guessed_through_a_filter(client, username, model, lookup):
    ProjectRecord.objects.filter(project__name="書かない窓口の推進").update(internal_note="予算要求と関連")
    client.force_login(get_user_model().objects.get(username=username))
    for value in ("予", "x"):  # a hit and a miss answer alike
        response = client.get(f"{changelist(model)}?{lookup}={value}")
        assert response.status_code == 400
        assert REFUSED in response.content.decode()


@pytest.mark.parametrize(("model", "model_admin"), ADMINS, ids=[m._meta.label for m, _ in ADMINS])
def test_every_choice_the_filters_offer_still_works(client, model, model_admin):
    client.force_login(get_user_model().objects.get(username="root"))
    listing = client.get(changelist(model) + "?year=all" * (model is ProjectRecord))
    assert listing.status_code == 200
    cl = listing.context["cl"]
    links = [choice["query_string"] for spec in cl.filter_specs for choice in spec.choices(cl)]
    # Every filter shows, except the grade scale's: the demo has one scale, nothing to choose from.
    assert len(cl.filter_specs) == len(model_admin.list_filter) - (model is Grade)
    for link in links:
        response = client.get(changelist(model) + link)
        assert (link, response.status_code) == (link, 200)


def test_the_lists_own_filters_narrow_the_list(client):
    client.force_login(get_user_model().objects.get(username="dx"))
    records = client.get(
        changelist(ProjectRecord) + "?year=2024&status__exact=approved&project__measure__code=1-1"
    )
    assert records.status_code == 200
    assert sorted(
        (r.project.code, r.fiscal_year, r.status) for r in records.context["cl"].result_list
    ) == sorted(
        ProjectRecord.objects.filter(
            fiscal_year=2024, status="approved", project__measure__code="1-1"
        ).values_list("project__code", "fiscal_year", "status")
    )
    assert 0 < records.context["cl"].result_count < ProjectRecord.objects.count()
    past = client.get(changelist(Department) + "?valid=past").context["cl"].result_list
    assert {d.name for d in past} == set(
        Department.objects.filter(valid_to__isnull=False).values_list("name", flat=True)
    )
    revision = PlanRevision.objects.get()
    year = revision.revised_on.year
    by_date = client.get(changelist(PlanRevision) + f"?revised_on__year={year}").context["cl"].result_list
    assert list(by_date) == [revision]
    assert (
        client.get(changelist(PlanRevision) + f"?revised_on__year={year - 10}")
        .context["cl"]
        .result_list.count()
        == 0
    )
    client.force_login(get_user_model().objects.get(username="root"))
    group = Group.objects.get(name=DX_OFFICE)
    users = client.get(
        reverse("admin:auth_user_changelist") + f"?groups__id__exact={group.pk}&is_active__exact=1"
    )
    assert [user.username for user in users.context["cl"].result_list] == ["dx"]
