"""The plan's reference data and the role groups, loaded after every deployment."""

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import transaction

from core.roles import DEMO, DEPARTMENT_STAFF, DX_OFFICE, VIEWER, role_permissions
from evaluation.models import (
    FiscalYear,
)
from strategy.models import Plan


@transaction.atomic
def reference_data_load() -> None:
    """Load the plans, goals, measures, initiatives and grade scale, then the fiscal years and roles.

    Idempotent: fixtures are keyed on natural keys, so a second run updates rows in place, and
    fiscal years keep whatever state the DX office has put them in.
    """
    call_command("loaddata", "plan", verbosity=0)
    for plan in Plan.objects.all():
        for year in plan.years:
            FiscalYear.objects.get_or_create(plan=plan, year=year)
    roles_sync()


def roles_sync() -> None:
    """Create the role groups and give each exactly its permissions."""
    models_by_app = {
        config.label: [model._meta.model_name for model in config.get_models()]
        for config in apps.get_app_configs()
    }
    for role in (DEPARTMENT_STAFF, DX_OFFICE, VIEWER):
        group, _ = Group.objects.get_or_create(name=role)
        wanted = role_permissions(role, models_by_app)
        permissions = [
            permission
            for permission in Permission.objects.select_related("content_type")
            if (permission.content_type.app_label, permission.codename) in wanted
        ]
        group.permissions.set(permissions)
    Group.objects.get_or_create(name=DEMO)
