import datetime
import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from evaluation.demo import demo_load

DEFAULT_PASSWORD = "demo-pass-2024"


class Command(BaseCommand):
    help = "Load sample departments, projects, results and demo accounts (development only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "デモデータは DJANGO_DEBUG=1 のときだけ読み込めます（本番環境には入れません）。"
            )
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
        if not demo_load(password=password, today=datetime.date.today()):
            self.stdout.write("デモデータは読み込み済みです。")
            return
        self.stdout.write(self.style.SUCCESS("デモデータを読み込みました（数値はすべてサンプルです）。"))
        self.stdout.write(f"デモアカウント: dx / dept1 / dept2 / viewer　パスワード: {password}")
