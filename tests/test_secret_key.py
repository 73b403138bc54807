"""Without DJANGO_SECRET_KEY and with DEBUG off, the portal never serves, but commands that sign
nothing (the migrations check CI and newcomers run) still work."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*args):
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SECRET_KEY"}
    env |= {"DJANGO_DEBUG": "0", "DJANGO_SETTINGS_MODULE": "config.settings"}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True)


def test_the_server_refuses_to_start_without_a_secret_key():
    started = _run("-c", "import config.wsgi")
    assert started.returncode == 1
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off." in started.stderr


def test_the_migrations_check_runs_without_a_secret_key():
    checked = _run("manage.py", "makemigrations", "--check", "--dry-run")
    assert (checked.returncode, checked.stdout.strip()) == (0, "No changes detected")
