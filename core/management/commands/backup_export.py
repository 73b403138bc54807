from pathlib import Path

from django.core.management.base import BaseCommand

from core.backup import backup_export


class Command(BaseCommand):
    help = (
        "Write the portal's whole data, history included, to one file (JSON; gzip when it ends in .gz). "
        "Restore it with backup_restore into an empty database."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The file to write, e.g. portal-2026-05-01.json.gz")

    def handle(self, *args, path: Path, **options):
        counts = backup_export(path)
        self.stdout.write(
            self.style.SUCCESS(f"{path} に書き出しました：{len(counts)}種類、{sum(counts.values())}行。")
        )
