from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Load a file written by backup_export into an empty database that has been migrated "
        "(manage.py migrate) by the same version of the portal. Refuses a database holding any row."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The file backup_export wrote")

    def handle(self, *args, path: Path, **options):
        try:
            counts = backup_restore(path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(f"{path} から取り込みました：{len(counts)}種類、{sum(counts.values())}行。")
        )
