"""Print a fiscal year's figures as JSON, for scripts and checks.

Figures are computed for every record that has data, approved or not; each project's `grade` is
its final grade when its record is approved and the computed proposal otherwise, and
`grade_source` says which ("final" / "proposed"). See `evaluation.rollups.figures` for the shape.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from evaluation.rollups.figures import rollup_figures
from evaluation.rollups.year import rollup_year
from strategy.models import Plan


class Command(BaseCommand):
    help = "年度の達成度・評価・件数を JSON で出力します（承認前の記録も数値があれば計算に含めます）。"

    def add_arguments(self, parser):
        parser.add_argument("--fiscal-year", type=int, required=True, help="西暦の年度。例: 2024")
        parser.add_argument("--plan", help="計画コード。省略するとその年度を含む最新の計画")

    def handle(self, *args, fiscal_year, plan=None, **options):
        figures = rollup_figures(rollup_year(plan=self._plan(plan, fiscal_year), fiscal_year=fiscal_year))
        self.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2))

    def _plan(self, code: str | None, year: int) -> Plan:
        plans = Plan.objects.filter(start_year__lte=year, end_year__gte=year).order_by("-start_year")
        if code:
            plans = plans.filter(code=code)
        found = plans.first()
        if found is None:
            raise CommandError(f"{year}年度を計画期間に含む計画{f'「{code}」' if code else ''}がありません。")
        return found
