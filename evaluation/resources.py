"""The spreadsheet staff fill offline: a year's outcome-indicator results, exported and imported
with the same columns so a sheet can go out and come back (django-import-export fields).

Rows are keyed on natural codes (事業番号, 年度, 指標番号) and carry the record's version (版), so a
re-import updates, never duplicates, and an old sheet cannot overwrite newer work. Only the rows
the user may fill now are written out. `evaluation.imports` reads a filled sheet back with these
columns' widgets, and `evaluation.exports` renders the rows as a workbook.
"""

import re
from decimal import Decimal, InvalidOperation

from django.db.models import Prefetch
from import_export import fields, resources, widgets

from core.spreadsheets import spreadsheet_text, text_from_spreadsheet
from core.uploads import cell_normalised
from evaluation.models import IndicatorResult
from evaluation.selectors import records_editable_by
from projects.models import OutcomeIndicatorTarget

STATUS_BY_LABEL = {
    str(label): value for value, label in IndicatorResult._meta.get_field("actual_status").choices
}
LABEL_BY_STATUS = {value: label for label, value in STATUS_BY_LABEL.items()}
IMPORT_REASON = "Excelから取り込み"
SHEET_TITLE = "成果指標の実績"
# What the actual's column holds: 16 digits, 4 of them after the point.
ACTUAL_LIMIT = Decimal(10) ** 12
ACTUAL_PLACES = 4
GROUPED_NUMBER = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?")


class TextWidget(widgets.CharWidget):
    """Free text: escaped on the way out (never a formula), unescaped on the way back."""

    def clean(self, value, row=None, **kwargs):
        return text_from_spreadsheet(super().clean(value, row, **kwargs) or "")

    def render(self, value, obj=None, **kwargs):
        return spreadsheet_text(super().render(value, obj, **kwargs))


class CodeWidget(TextWidget):
    """A code staff may retype: full-width characters are read as half-width (「１－１」 is 1-1)."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # Excel turns a typed 「1」 into the number 1.0
        return cell_normalised(super().clean(value, row, **kwargs))


class WholeNumberWidget(widgets.Widget):
    """A whole number (a year, a version): 2025, 2025.0 and 「２０２５」 are all 2025."""

    def __init__(self, message: str):
        super().__init__(coerce_to_string=False)
        self.message = message

    def clean(self, value, row=None, **kwargs):
        value = cell_normalised(value)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise ValueError(self.message.format(value=value))
        if isinstance(value, (int, float, Decimal)):
            number = value
        elif re.fullmatch(r"\d+(\.0*)?", value):
            number = Decimal(value)
        else:
            raise ValueError(self.message.format(value=value))
        try:
            whole = int(number)
        except (OverflowError, ValueError) as error:  # inf, nan
            raise ValueError(self.message.format(value=value)) from error
        if whole != number or whole < 0:
            raise ValueError(self.message.format(value=value))
        return whole

    def render(self, value, obj=None, **kwargs):
        return value


class ActualWidget(widgets.Widget):
    """An actual value as staff type it: a number in the column's range, 「１，２３４．５」 included."""

    def __init__(self):
        super().__init__(coerce_to_string=False)

    def clean(self, value, row=None, **kwargs):
        shown = value
        value = cell_normalised(value)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise ValueError(_not_a_number(shown))
        if isinstance(value, float):
            number = Decimal(repr(value))
        elif isinstance(value, (int, Decimal)):
            number = Decimal(value)
        else:
            if GROUPED_NUMBER.fullmatch(value):
                value = value.replace(",", "")
            try:
                number = Decimal(value)
            except InvalidOperation as error:
                raise ValueError(_not_a_number(shown)) from error
        if not number.is_finite():
            raise ValueError(
                f"「{shown}」は数値として扱えません（無限大や非数は入力できません）。半角の数値で入力してください（例: 1234.5）。"
            )
        if abs(number) >= ACTUAL_LIMIT:
            raise ValueError(
                f"「{shown}」は大きすぎます。実績値は整数部分12桁（999,999,999,999）までで入力してください。"
            )
        if isinstance(value, float):
            # A spreadsheet's arithmetic leaves binary noise (0.30000000000000004): keep the places
            # the column stores.
            return round(number, ACTUAL_PLACES)
        if number.as_tuple().exponent < -ACTUAL_PLACES:
            raise ValueError(
                f"「{shown}」は小数点以下が5桁以上あります。小数点以下は4桁までで入力してください。"
            )
        return number

    def render(self, value, obj=None, **kwargs):
        return value


def _not_a_number(value) -> str:
    return (
        f"「{value}」は数値ではありません。半角の数値で入力してください（例: 1234.5）。"
        "数値がないときは空欄にして、実績の状態を選びます。"
    )


class StatusWidget(widgets.Widget):
    """Statuses as staff write them: 確定値・速報値・集計中・調査未実施・未入力."""

    def clean(self, value, row=None, **kwargs):
        text = str(cell_normalised(value) or "") or "未入力"
        if text in STATUS_BY_LABEL:
            return STATUS_BY_LABEL[text]
        raise ValueError(
            f"「{text}」は実績の状態に使えません。{'・'.join(STATUS_BY_LABEL)}のいずれかを入力してください。"
        )

    def render(self, value, obj=None, **kwargs):
        return LABEL_BY_STATUS.get(value, "")


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
    actual_status = fields.Field(attribute="actual_status", column_name="実績の状態", widget=StatusWidget())
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

    def get_queryset(self):
        """Only the results of records the user may fill now: the export's rows are the import's."""
        return IndicatorResult.objects.filter(record__in=records_editable_by(self.user)).select_related(
            "record__project", "record__cycle", "indicator"
        )

    def export_rows(self):
        """The sheet's rows (a tablib Dataset), read in three queries whatever their number."""
        targets = Prefetch(
            "indicator__targets", queryset=OutcomeIndicatorTarget.objects.order_by("fiscal_year")
        )
        results = (
            self.get_queryset()
            .prefetch_related(targets)
            .order_by("record__fiscal_year", "record__project__code", "indicator__code")
        )
        # A list, not the queryset: import-export pages a prefetching queryset by OFFSET, which
        # reads the table again for every hundred rows.
        return self.export(queryset=list(results))

    def dehydrate_target(self, result):
        target = result.indicator.target_for(result.record.fiscal_year).value
        return "" if target is None else target

    def dehydrate_target_basis(self, result):
        target = result.indicator.target_for(result.record.fiscal_year)
        if target.value is None:
            return "この年度の目標値なし"
        return "基準値と最終目標から補間" if target.interpolated else "計画に記載"

    def column_of(self, attribute: str) -> str:
        """The column a model field's error belongs to, for the error list."""
        for field in self.fields.values():
            if field.attribute == attribute:
                return field.column_name
        return "（行全体）"
