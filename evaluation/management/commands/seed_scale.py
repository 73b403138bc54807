import datetime
import os
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from evaluation.management.commands.load_demo import DEFAULT_PASSWORD
from evaluation.scale import scale_load
from evaluation.services import reference_data_load


class Command(BaseCommand):
    help = (
        "Create a city-size sample data set: about 2,000 projects over four fiscal years (development only)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--projects", type=int, default=2000, help="How many projects (default 2000).")
        parser.add_argument(
            "--seed", type=int, default=2024, help="Seed of the random values (same seed, same data)."
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Empty the database first (every row, your own accounts too) and load the plan again.",
        )

    def handle(self, *args, projects: int, seed: int, reset: bool = False, **options):
        if not settings.DEBUG:
            raise CommandError(
                "規模確認用データは DJANGO_DEBUG=1 のときだけ作成できます（本番環境には入れません）。"
            )
        if projects < 1:
            raise CommandError("--projects には1以上の数を指定してください。")
        if reset:
            call_command("flush", interactive=False, verbosity=0)
            reference_data_load()
            self.stdout.write("データベースを空にし、計画の基本データを読み込み直しました。")
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
        start = time.perf_counter()
        if not scale_load(projects=projects, seed=seed, password=password, today=datetime.date.today()):
            raise CommandError(
                "計画ict2には既に事業があります（デモデータまたは規模確認用データ）。"
                "作り直すときは --reset を付けてください（データベースを空にします）。"
            )
        seconds = time.perf_counter() - start
        self.stdout.write(
            self.style.SUCCESS(
                f"規模確認用データを作成しました: 事業{projects:,}件（数値はすべてサンプルです、{seconds:.0f}秒）。"
            )
        )
        self.stdout.write(f"アカウント: scale-dx / scale-viewer / scale-S01 など各課　パスワード: {password}")
