"""The demo command, on an empty database (the module-wide demo would hide what it does)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from projects.models import Project
from strategy.models import Plan
from tests import factories


def test_demo_command_is_refused_when_debug_is_off(plan, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG=1 のときだけ"):
        call_command("load_demo")
    assert not Project.objects.exists()


@pytest.mark.django_db
def test_demo_command_loads_once_and_prints_the_accounts(plan, settings, capsys, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setenv("DEMO_PASSWORD", "another-pass-2024")
    call_command("load_demo")
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "デモアカウント: dx / dept1 / dept2 / viewer　パスワード: another-pass-2024" in out
    assert "デモデータは読み込み済みです。" in out
    assert Project.objects.count() == 34


@pytest.mark.django_db(transaction=True)  # PostgreSQL truncates only outside a test's open transaction
def test_reset_empties_the_database_and_loads_the_plan_and_demo_again(plan, settings, capsys, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setenv("DEMO_PASSWORD", "reset-pass-2024")
    call_command("load_demo")
    Project.objects.filter(name="BPRの推進").update(name="手で変えた事業名")
    factories.user("my-own-account")
    capsys.readouterr()
    call_command("load_demo", "--reset")
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "データベースを空にし、計画の基本データを読み込み直しました。",
        "デモデータを読み込みました（数値はすべてサンプルです）。",
        "デモアカウント: dx / dept1 / dept2 / viewer　パスワード: reset-pass-2024",
    ]
    assert list(get_user_model().objects.order_by("username").values_list("username", flat=True)) == [
        "dept1",
        "dept2",
        "dx",
        "viewer",
    ]
    assert Project.objects.count() == 34
    assert Project.objects.filter(name="BPRの推進").count() == 1
    assert Plan.objects.filter(code__in=["ict1", "ict2"]).count() == 2


def test_reset_is_refused_when_debug_is_off_and_deletes_nothing(plan, settings):
    settings.DEBUG = False
    factories.user("my-own-account")
    with pytest.raises(CommandError, match="DJANGO_DEBUG=1 のときだけ"):
        call_command("load_demo", "--reset")
    assert get_user_model().objects.filter(username="my-own-account").exists()
    assert Plan.objects.filter(code="ict2").exists()
