import datetime
import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from evaluation.demo import demo_load
from evaluation.services import reference_data_load

DEFAULT_PASSWORD = "demo-pass-2024"


class Command(BaseCommand):
    help = "Load sample departments, projects, results and demo accounts (development only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Empty the database first (every row, your own accounts too) and load the plan again.",
        )

    def handle(self, *args, reset: bool = False, **options):
        if not settings.DEBUG:
            raise CommandError(
                "デモデータは DJANGO_DEBUG=1 のときだけ読み込めます（本番環境には入れません）。"
            )
        if reset:
            call_command("flush", interactive=False, verbosity=0)
            reference_data_load()
            self.stdout.write("データベースを空にし、計画の基本データを読み込み直しました。")
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
        if not demo_load(password=password, today=datetime.date.today()):
            self.stdout.write("デモデータは読み込み済みです。")
            return
        self.stdout.write(self.style.SUCCESS("デモデータを読み込みました（数値はすべてサンプルです）。"))
        self.stdout.write(f"デモアカウント: dx / dept1 / dept2 / viewer　パスワード: {password}")
