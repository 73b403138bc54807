"""The portal's whole data in one file, and back into an empty database.

Every row of every model is written, the history tables (django-simple-history), the admin's log,
users, groups, permissions and content types included, each with its primary key, so every
reference comes back as it was. Left out, each for its reason in EXCLUDED. The file is JSON (gzip
compressed when its name ends in .gz): the migrations the data was written under, the row count of
each model, and the rows as Django serializes them.

Restoring refuses a database that holds any row already or stands at other migrations; it replaces
the content types and permissions `migrate` made with the backup's (same names, the backup's ids),
saves the rows as they were (adding no history row of its own), resets the id sequences, and checks each
model's count against the file, all in one transaction.
"""

import datetime
import gzip
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "sagamihara-ict-portal-backup"
VERSION = 1

EXCLUDED = {
    "sessions.session": "logins end with a restore; staff log in again",
    "axes.accessattempt": "login throttling counts, kept for 30 minutes",
    "axes.accessattemptexpiration": "login throttling counts, kept for 30 minutes",
    "axes.accesslog": "login records for the throttling, not the plan's data",
    "axes.accessfailurelog": "login records for the throttling, not the plan's data",
    "evaluation.yearfigures": "computed figures, recomputed from the restored rows on first use",
    "evaluation.figuresclock": "counts of changes, moved by the database as the restore writes rows",
    "evaluation.figureschange": "notes of the changes by project, written by the database as the restore writes rows",
}
# Made by `migrate` in every database; the restore replaces them with the backup's.
MADE_BY_MIGRATE = (ContentType, Permission)


class ExactJSONEncoder(DjangoJSONEncoder):
    """Django's encoder keeps times to the millisecond (as JavaScript does); a backup keeps them
    to the microsecond the database holds, so history records compare equal after a restore."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class BackupError(Exception):
    """A file or a database the restore refuses, with the reason in Japanese for the operator."""


def backed_up_models() -> list[type[models.Model]]:
    return [model for model in apps.get_models() if model._meta.label_lower not in EXCLUDED]


def row_counts() -> dict[str, int]:
    """How many rows each backed-up model has now, by app_label.model."""
    return {model._meta.label_lower: model._default_manager.count() for model in backed_up_models()}


def _applied_migrations() -> list[str]:
    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())


@contextmanager
def _open(path: Path, mode: str):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, mode + "t", encoding="utf-8") as file:
        yield file


def _rows() -> Iterator[models.Model]:
    for model in backed_up_models():
        yield from model._default_manager.order_by("pk").iterator(chunk_size=2000)


def backup_export(path: Path) -> dict[str, int]:
    """Writes every backed-up row to `path`, in one repeatable-read view where the database has one
    (PostgreSQL), so the file is one moment's data. Returns the row count of each model."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        counts = row_counts()
        header = {"format": FORMAT, "version": VERSION, "migrations": _applied_migrations(), "counts": counts}
        with _open(path, "w") as file:
            file.write(json.dumps(header, ensure_ascii=False)[:-1] + ', "objects": ')
            serializers.serialize("json", _rows(), stream=file, cls=ExactJSONEncoder, ensure_ascii=False)
            file.write("}\n")
    return counts


def _read(path: Path) -> dict:
    try:
        with _open(path, "r") as file:
            backup = json.load(file)
    except (OSError, EOFError, ValueError) as error:
        raise BackupError(f"バックアップファイルを読めません（{path}）：{error}") from error
    if not isinstance(backup, dict) or backup.get("format") != FORMAT or backup.get("version") != VERSION:
        raise BackupError(
            f"このポータルのバックアップファイル（形式 {FORMAT} 第{VERSION}版）ではありません：{path}"
        )
    return backup


def _refuse_unless_empty() -> None:
    filled = {label: count for label, count in row_counts().items() if count}
    for model in MADE_BY_MIGRATE:
        filled.pop(model._meta.label_lower, None)
    if filled:
        listed = "、".join(f"{label} {count}件" for label, count in sorted(filled.items())[:5])
        raise BackupError(
            f"取り込み先のデータベースが空ではありません（{listed}ほか全{len(filled)}種類）。"
            "新しいデータベースを作り、manage.py migrate だけを実行してから取り込んでください。"
        )


def _refuse_other_migrations(backup: dict) -> None:
    ours, theirs = set(_applied_migrations()), set(backup["migrations"])
    if ours != theirs:
        differences = sorted(ours ^ theirs)
        raise BackupError(
            "バックアップと取り込み先でマイグレーションが違います（"
            + "、".join(differences[:5])
            + (f"ほか全{len(differences)}件" if len(differences) > 5 else "")
            + "）。バックアップを取ったときと同じ版のポータルで migrate してから取り込んでください。"
        )


def backup_restore(path: Path) -> dict[str, int]:
    """Loads the file at `path` into this empty, migrated database; returns each model's row count.

    One transaction: a refused or failed restore leaves the database as it was. Raises BackupError.
    """
    backup = _read(path)
    with transaction.atomic():
        _refuse_other_migrations(backup)
        _refuse_unless_empty()
        for model in MADE_BY_MIGRATE:
            model._default_manager.all().delete()
        ContentType.objects.clear_cache()
        for row in serializers.deserialize("python", backup["objects"]):
            # The backup holds the history already: saving (raw) and setting many-to-many fields
            # must not add rows of their own (django-simple-history skips marked instances).
            row.object.skip_history_when_saving = True
            row.save()
        restored = backed_up_models()
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), restored):
                cursor.execute(statement)
        ContentType.objects.clear_cache()
        counts = row_counts()
        if counts != backup["counts"]:
            differing = sorted(
                label
                for label in counts.keys() | backup["counts"].keys()
                if counts.get(label) != backup["counts"].get(label)
            )
            raise BackupError(f"取り込んだ件数がバックアップの件数と合いません：{'、'.join(differing)}")
    return counts
