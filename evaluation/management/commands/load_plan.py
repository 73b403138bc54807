from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from evaluation.services import reference_data_load


class Command(BaseCommand):
    help = (
        "Load the plans, basic goals, measures, initiatives, grade scale, fiscal years and roles (idempotent). "
        "Rows edited in the admin are kept and their differences listed, unless --overwrite is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Put the fixture's values back into rows the city has edited (recorded in their history).",
        )

    def handle(self, *args, overwrite=False, **options):
        try:
            load = reference_data_load(overwrite=overwrite)
        except ValidationError as error:
            raise CommandError(
                "基準データを読み込めませんでした。何も変更していません。\n" + "\n".join(error.messages)
            ) from error
        for row in load.created:
            self.stdout.write(f"追加: {row}")
        if load.differences:
            self.stdout.write(self._differences_heading(overwrite))
            for difference in load.differences:
                self.stdout.write(f"- {difference.row}「{difference.field}」")
                self.stdout.write(f"    基準データ　: {_indented(difference.fixture)}")
                self.stdout.write(f"    データベース: {_indented(difference.database)}")
        self.stdout.write(
            self.style.SUCCESS(
                f"計画の基本データを読み込みました（追加 {len(load.created)}件、"
                f"基準データと異なる項目 {len(load.differences)}件"
                f"{'、基準データの値に戻しました' if overwrite and load.differences else ''}）。"
            )
        )

    @staticmethod
    def _differences_heading(overwrite: bool) -> str:
        if overwrite:
            return "基準データと異なっていた項目（--overwrite のため基準データの値に戻しました。履歴に残っています）:"
        return "基準データと異なる項目（データベースの値を残しました。基準データの値に戻すには --overwrite を付けて実行してください）:"


def _indented(text: str) -> str:
    return text.replace("\n", "\n" + " " * 18)
