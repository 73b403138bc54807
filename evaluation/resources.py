"""The spreadsheet staff fill offline: a year's outcome-indicator results, exported and imported
with the same columns so a sheet can go out and come back (django-import-export fields).

Rows are keyed on natural codes (事業番号, 年度, 指標番号) and carry the record's version (版), so a
re-import updates, never duplicates, and an old sheet cannot overwrite newer work. Only the rows
the user may fill now are written out. `evaluation.imports` reads a filled sheet back with these
columns' widgets, and `evaluation.exports` renders the rows as a workbook.
"""

from import_export import fields, resources

from core.resources import ChoiceWidget, CodeWidget, NumberWidget, TextWidget, WholeNumberWidget
from evaluation.enums import ActualStatus
from evaluation.models import IndicatorResult
from evaluation.rollups.selectors import yearly_targets
from evaluation.selectors import records_editable_by
from projects.models import OutcomeIndicatorTarget

STATUS_BY_LABEL = {str(label): value for value, label in ActualStatus.choices}
LABEL_BY_STATUS = {value: label for label, value in STATUS_BY_LABEL.items()}
IMPORT_REASON = "Excelから取り込み"
# What the sheet reads of a result, its record and project; the indicator whole (its target's arithmetic).
SHEET_COLUMNS = (
    "actual", "actual_status", "note", "indicator",
    "record__fiscal_year", "record__version", "record__project__code", "record__project__name",
)  # fmt: skip
SHEET_TITLE = "成果指標の実績"


class ActualWidget(NumberWidget):
    def __init__(self):
        super().__init__("実績値", digits=12, places=4)

    def _not_a_number(self, value) -> str:
        return super()._not_a_number(value) + "数値がないときは空欄にして、実績の状態を選びます。"


def _key(attribute: str, column: str, widget=None) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=column, readonly=True, widget=widget or CodeWidget())


def _shown(attribute: str, column: str) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=column, readonly=True, widget=TextWidget())


class IndicatorResultResource(resources.ModelResource):
    project_code = _key("record__project__code", "事業番号")
    project_name = _shown("record__project__name", "事業名")
    fiscal_year = _key(
        "record__fiscal_year",
        "年度",
        WholeNumberWidget("年度は西暦の数字で入力してください（例: 2025）。「{value}」は使えません。"),
    )
    indicator_code = _key("indicator__code", "指標番号")
    indicator_name = _shown("indicator__name", "指標名")
    unit = _shown("indicator__unit", "単位")
    target = fields.Field(column_name="年度目標値", readonly=True)
    target_basis = fields.Field(column_name="目標値の根拠", readonly=True)
    version = _key(
        "record__version",
        "版",
        WholeNumberWidget(
            "版は数字です。ダウンロードした表の値を変えないでください（「{value}」になっています）。"
        ),
    )
    actual = fields.Field(attribute="actual", column_name="実績値", widget=ActualWidget())
    actual_status = fields.Field(
        attribute="actual_status",
        column_name="実績の状態",
        widget=ChoiceWidget(ActualStatus.choices, "実績の状態", blank=ActualStatus.NOT_ENTERED),
    )
    note = fields.Field(attribute="note", column_name="補足", widget=TextWidget())

    class Meta:
        model = IndicatorResult
        fields = (
            "project_code", "project_name", "fiscal_year", "indicator_code", "indicator_name", "unit",
            "target", "target_basis", "actual", "actual_status", "note", "version",
        )  # fmt: skip
        export_order = fields
        import_id_fields = ("project_code", "fiscal_year", "indicator_code")

    def __init__(self, *, user):
        super().__init__()
        self.user = user
        self._yearly_targets = {}

    def get_queryset(self):
        """Only the results of records the user may fill now: the export's rows are the import's."""
        return IndicatorResult.objects.filter(record__in=records_editable_by(self.user)).select_related(
            "record__project", "indicator"
        )

    def export_rows(self):
        """The sheet's rows (a tablib Dataset), read in three queries whatever their number."""
        results = list(
            self.get_queryset()
            .only(*SHEET_COLUMNS)
            .order_by("record__fiscal_year", "record__project__code", "indicator__code")
        )
        # Read once: the rows name the indicators whose year targets the sheet shows.
        indicators = {result.indicator_id for result in results}
        self._yearly_targets = yearly_targets(OutcomeIndicatorTarget.objects.filter(indicator__in=indicators))
        return self.export(queryset=results)

    def dehydrate_target(self, result):
        target = self._target(result).value
        return "" if target is None else target

    def dehydrate_target_basis(self, result):
        target = self._target(result)
        if target.value is None:
            return "この年度の目標値なし"
        return "基準値と最終目標から補間" if target.interpolated else "計画に記載"

    def _target(self, result):
        """The year's target of the result's indicator, from the year targets read for all rows."""
        targets = self._yearly_targets.get(result.indicator_id, {})
        return result.indicator.target_for(result.record.fiscal_year, targets)

    def column_of(self, attribute: str) -> str:
        """The column a model field's error belongs to, for the error list."""
        for field in self.fields.values():
            if field.attribute == attribute:
                return field.column_name
        return "（行全体）"
