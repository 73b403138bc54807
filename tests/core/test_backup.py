"""The backup round trip loses nothing: every row of every model, every history record, compared
field by field after restoring into an empty database; and a restore refuses a database that is
not empty or stands at other migrations, leaving it as it was."""

import datetime
import json

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import CommandError

from core.backup import EXCLUDED, backed_up_models, row_counts
from evaluation.demo import demo_load
from evaluation.services import reference_data_load
from strategy.models import Department
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def _everything() -> dict[str, list[dict]]:
    """Every backed-up row of every model, serialized with its primary key and every field."""
    return {
        model._meta.label_lower: serializers.serialize("python", model._default_manager.order_by("pk"))
        for model in backed_up_models()
    }


def _data_in_every_model():
    """The demo (plan, departments, projects, four years of records with their history), plus an
    administrator's group, permission and admin log entry, so every backed-up model holds rows."""
    reference_data_load()
    demo_load(password="demo-pass-2024", today=datetime.date(2026, 5, 1))
    editors = Group.objects.create(name="事業編集者")
    editors.permissions.set(Permission.objects.filter(codename__in=["change_project", "view_project"]))
    admin_user = factories.user("admin-sato", is_superuser=True)
    admin_user.groups.add(editors)
    admin_user.user_permissions.add(Permission.objects.get(codename="view_department"))
    department = Department.objects.order_by("pk").first()
    LogEntry.objects.log_actions(admin_user.pk, [department], CHANGE, change_message="名称を修正")


def test_the_round_trip_loses_nothing(tmp_path, capsys):
    _data_in_every_model()
    before = _everything()
    assert [label for label, rows in before.items() if not rows] == []  # every model is covered
    # A model is either backed up or left out with its reason, never forgotten.
    assert sorted(EXCLUDED) == sorted({model._meta.label_lower for model in apps.get_models()} - set(before))
    path = tmp_path / "portal.json.gz"
    call_command("backup_export", str(path))
    total = sum(len(rows) for rows in before.values())
    assert capsys.readouterr().out == f"{path} に書き出しました：{len(before)}種類、{total}行。\n"

    call_command("flush", interactive=False, verbosity=0)  # an empty database, as `migrate` leaves it
    left = {label: count for label, count in row_counts().items() if count}
    assert set(left) == {"contenttypes.contenttype", "auth.permission"}

    call_command("backup_restore", str(path))
    assert capsys.readouterr().out == f"{path} から取り込みました：{len(before)}種類、{total}行。\n"
    after = _everything()
    for label in before:
        assert (label, after[label]) == (label, before[label])
    history = [label for label in before if ".historical" in label]
    assert len(history) >= 25 and all(before[label] for label in history)  # the history came back too

    # Ids go on after the restored ones, and new changes get their history rows.
    unit = factories.department("新設課")
    assert unit.pk > max(row["pk"] for row in before["strategy.department"])
    assert unit.history.get().history_id > max(row["pk"] for row in before["strategy.historicaldepartment"])
    assert ContentType.objects.get_for_model(Department).pk == next(
        row["pk"] for row in before["contenttypes.contenttype"] if row["fields"]["model"] == "department"
    )


def test_a_restore_refuses_a_database_that_is_not_empty(tmp_path):
    reference_data_load()
    path = tmp_path / "portal.json"
    call_command("backup_export", str(path))
    before = _everything()
    with pytest.raises(CommandError) as refused:
        call_command("backup_restore", str(path))
    assert str(refused.value).startswith("取り込み先のデータベースが空ではありません（")
    assert str(refused.value).endswith(
        "新しいデータベースを作り、manage.py migrate だけを実行してから取り込んでください。"
    )
    assert _everything() == before


def test_a_restore_refuses_a_backup_taken_at_other_migrations(tmp_path):
    path = tmp_path / "portal.json"
    call_command("backup_export", str(path))
    backup = json.loads(path.read_text(encoding="utf-8"))
    backup["migrations"].append("evaluation.9999_from_a_later_release")
    path.write_text(json.dumps(backup), encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("backup_restore", str(path))
    assert str(refused.value) == (
        "バックアップと取り込み先でマイグレーションが違います（evaluation.9999_from_a_later_release）。"
        "バックアップを取ったときと同じ版のポータルで migrate してから取り込んでください。"
    )


def test_a_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text('[{"model": "strategy.plan"}]', encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("backup_restore", str(path))
    assert str(refused.value) == (
        f"このポータルのバックアップファイル（形式 sagamihara-ict-portal-backup 第1版）ではありません：{path}"
    )
