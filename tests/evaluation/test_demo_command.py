"""The demo command, on an empty database (the module-wide demo would hide what it does)."""

import pytest
from django.core.management import CommandError, call_command

from projects.models import Project


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
