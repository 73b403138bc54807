"""The plan's reference data and the role groups, loaded after every deployment."""

import dataclasses
import json
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core import serializers
from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, ValidationError
from django.core.serializers.base import deserialize_fk_value, deserialize_m2m_values
from django.db import DEFAULT_DB_ALIAS, models, transaction

from core.roles import DEMO, DEPARTMENT_STAFF, DX_OFFICE, VIEWER, role_permissions
from evaluation.models import FiscalYear
from strategy.models import Plan

PLAN_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "plan.json"
REFERENCE_REASON = "基準データの読込"


@dataclasses.dataclass(frozen=True)
class Difference:
    """A field the city changed (or the fixture did): the row, the field, and both values as shown."""

    row: str
    field: str
    fixture: str
    database: str


@dataclasses.dataclass
class ReferenceLoad:
    """What a load did: rows created, fields that differ, and whether those were overwritten."""

    overwrite: bool
    created: list[str] = dataclasses.field(default_factory=list)
    differences: list[Difference] = dataclasses.field(default_factory=list)


@transaction.atomic
def reference_data_load(*, overwrite: bool = False, fixture: Path = PLAN_FIXTURE) -> ReferenceLoad:
    """Load the plans, goals, measures, initiatives and grade scale, then the fiscal years and roles.

    Rows missing from the database are created; a row the city has edited in the admin keeps its
    values and each differing field is reported, unless `overwrite` puts the fixture's value back.
    Every write is in the row's history with the reason 「基準データの読込」 and no user. Fixture
    text is cleaned and checked like any other input: a radical or control character in it raises
    `ValidationError` and nothing is written. Idempotent: a second run writes nothing. Fiscal
    years keep whatever state the DX office has put them in.
    """
    entries = json.loads(fixture.read_text(encoding="utf-8"))
    load = ReferenceLoad(overwrite=overwrite)
    _reference_rows_sync(entries, load)
    for plan in Plan.objects.all():
        for year in plan.years:
            FiscalYear.objects.get_or_create(plan=plan, year=year)
    roles_sync()
    return load


def _reference_rows_sync(entries: list[dict], load: ReferenceLoad) -> None:
    # The deserialiser is lazy: each entry is read after the ones before it are saved, so natural
    # keys find rows created earlier in the same run. Rows that name a later row are finished last.
    deferred = []
    rows = serializers.deserialize("python", entries, handle_forward_references=True)
    for entry, row in zip(entries, rows, strict=True):
        _fixture_clean(row)
        created = _row_sync(row.object, _fixture_values(row, entry["fields"]), load)
        if row.deferred_fields:
            deferred.append((row, created))
    for row, created in deferred:
        if created:
            _reference_save(row.object, _deferred_values(row))
        else:
            _row_sync(row.object, _deferred_values(row), load)


def _fixture_values(row, names) -> dict[models.Field, object]:
    """The values the fixture gives (not the model's defaults for the fields it leaves out)."""
    opts = row.object._meta
    values = {}
    for name in names:
        field = opts.get_field(name)
        if field in row.deferred_fields:
            continue
        values[field] = set(row.m2m_data[name]) if field.many_to_many else getattr(row.object, field.attname)
    return values


def _deferred_values(row) -> dict[models.Field, object]:
    values = {}
    for field, value in row.deferred_fields.items():
        if field.many_to_many:
            values[field] = set(deserialize_m2m_values(field, value, DEFAULT_DB_ALIAS, False))
        else:
            values[field] = deserialize_fk_value(field, value, DEFAULT_DB_ALIAS, False)
    return values


def _fixture_clean(row) -> None:
    """Clean and check the fixture's row as any input is, naming the row if it is refused."""
    obj = row.object
    obj._state.adding = obj.pk is None  # a row found by its natural key is not unique against itself
    try:
        obj.full_clean(exclude=[field.name for field in row.deferred_fields])
    except ValidationError as error:
        where = f"基準データの{_row_label(obj)}"
        raise ValidationError(
            [
                f"{where}「{obj._meta.get_field(name).verbose_name}」: {message}"
                if name != NON_FIELD_ERRORS
                else f"{where}: {message}"
                for name, messages in error.message_dict.items()
                for message in messages
            ]
        ) from error


def _row_sync(obj, wanted: dict[models.Field, object], load: ReferenceLoad) -> bool:
    """Create `obj` if it is new (True); else report (and with `overwrite`, restore) the fields that differ."""
    if obj.pk is None:
        _reference_save(obj, wanted)
        load.created.append(_row_label(obj))
        return True
    current = type(obj)._default_manager.get(pk=obj.pk)
    changed = {field: value for field, value in wanted.items() if _stored_value(current, field) != value}
    for field, value in changed.items():
        load.differences.append(
            Difference(
                row=_row_label(current),
                field=str(field.verbose_name),
                fixture=_shown(field, value),
                database=_shown(field, _stored_value(current, field)),
            )
        )
    if changed and load.overwrite:
        _reference_save(current, changed)
    return False


def _stored_value(obj, field: models.Field):
    if field.many_to_many:
        return set(getattr(obj, field.name).values_list("pk", flat=True))
    return getattr(obj, field.attname)


def _reference_save(obj, values: dict[models.Field, object]) -> None:
    for field, value in values.items():
        if not field.many_to_many:
            setattr(obj, field.attname, value)
    obj._change_reason = REFERENCE_REASON
    obj.save()
    for field, value in values.items():
        if field.many_to_many:
            getattr(obj, field.name).set(value)


def _row_label(obj) -> str:
    try:
        key = " ".join(str(part) for part in obj.natural_key())
    except ObjectDoesNotExist:  # a parent named by a forward reference, not set yet
        key = str(obj)
    return f"{obj._meta.verbose_name}（{key}）"


def _shown(field: models.Field, value) -> str:
    if field.is_relation:
        pks = value if field.many_to_many else {value} - {None}
        names = sorted(str(related) for related in field.related_model._default_manager.filter(pk__in=pks))
        return "、".join(names) or "（なし）"
    return "（空欄）" if value in ("", None) else str(value)


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
