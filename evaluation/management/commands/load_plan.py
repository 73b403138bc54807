from django.core.management.base import BaseCommand

from evaluation.services import reference_data_load


class Command(BaseCommand):
    help = "Load the plans, basic goals, measures, initiatives, grade scale, fiscal years and roles (idempotent)."

    def handle(self, *args, **options):
        reference_data_load()
        self.stdout.write(self.style.SUCCESS("計画の基本データを読み込みました。"))
