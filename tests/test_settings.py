"""Settings: a development checkout's `.env` fills what the environment lacks, and never overrides it."""

import os

from config.settings import env_file_load


def test_the_env_file_fills_missing_variables_and_the_environment_wins(tmp_path, monkeypatch):
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# written by make run\n\nDJANGO_DEBUG=1\nPORTAL_TEST_ONLY_VALUE = from-the-file\nnot a setting\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("DJANGO_DEBUG", "0")
    monkeypatch.delenv("PORTAL_TEST_ONLY_VALUE", raising=False)
    monkeypatch.delenv("not a setting", raising=False)
    env_file_load(env_file)
    assert os.environ["DJANGO_DEBUG"] == "0"
    assert os.environ["PORTAL_TEST_ONLY_VALUE"] == "from-the-file"
    assert "not a setting" not in os.environ


def test_a_missing_env_file_changes_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv("PORTAL_TEST_ONLY_VALUE", raising=False)
    env_file_load(tmp_path / ".env")
    assert "PORTAL_TEST_ONLY_VALUE" not in os.environ
