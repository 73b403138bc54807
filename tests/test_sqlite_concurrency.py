"""The quick start's SQLite database lets two people save at once: the second waits for the first
instead of failing with "database is locked" (a 500 before WAL, the busy timeout and immediate
transactions). Runs on a SQLite file whatever DATABASE_URL the suite uses."""

import threading
import time

from django.contrib.auth.models import Group
from django.db import connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper

from config.settings import database_config

ALIAS = "sqlite_file"


def _connect(config: dict) -> DatabaseWrapper:
    """A connection of this thread's own under ALIAS, as Django opens one per thread."""
    connections[ALIAS] = DatabaseWrapper(config, alias=ALIAS)
    return connections[ALIAS]


def _save_after_reading(config: dict, name: str, outcomes: dict) -> None:
    """What an entry save does: read inside the transaction (the version check), then write."""
    _connect(config)
    try:
        with transaction.atomic(using=ALIAS):
            Group.objects.using(ALIAS).count()
            time.sleep(0.3)  # the other person's save starts meanwhile
            Group.objects.using(ALIAS).create(name=name)
        outcomes[name] = "saved"
    except Exception as error:  # reported to the test, which shows it
        outcomes[name] = f"{type(error).__name__}: {error}"
    finally:
        connections[ALIAS].close()
        del connections[ALIAS]


def test_two_saves_at_once_on_a_sqlite_file_both_succeed(tmp_path, django_db_blocker):
    # Django's defaults for the keys a URL leaves out (configure_settings wants a "default").
    config = connections.configure_settings(
        {"default": database_config(f"sqlite:///{tmp_path / 'portal.sqlite3'}", conn_max_age=0)}
    )["default"]
    with django_db_blocker.unblock():
        setup = _connect(config)
        with setup.schema_editor() as editor:
            editor.create_model(Group)
        with setup.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone() == ("wal",)

        outcomes = {}
        people = [
            threading.Thread(target=_save_after_reading, args=(config, name, outcomes))
            for name in ("市民課", "教育DX推進課")
        ]
        for person in people:
            person.start()
        for person in people:
            person.join()

        saved = sorted(Group.objects.using(ALIAS).values_list("name", flat=True))
        setup.close()
        del connections[ALIAS]
    assert outcomes == {"市民課": "saved", "教育DX推進課": "saved"}
    assert saved == ["市民課", "教育DX推進課"]
