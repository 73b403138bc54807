"""The spreadsheet staff fill offline: a year's outcome-indicator results, exported and imported
with the same columns so a sheet can go out and come back (django-import-export).

Rows are keyed on natural codes (事業番号, 年度, 指標番号): a re-import updates, never duplicates,
and only the rows the user may fill now can be read or written.
"""

from decimal import InvalidOperation

import tablib
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from import_export import fields, resources, widgets

from evaluation.enums import ActualStatus
from evaluation.models import IndicatorResult
from evaluation.selectors import records_open_for_entry
from projects.models import OutcomeIndicatorTarget

# A cell starting with one of these runs as a formula in a spreadsheet: exported text gets a
# leading apostrophe (shown as text), which the import takes off again.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
STATUS_BY_LABEL = {str(label): value for value, label in ActualStatus.choices}


def spreadsheet_text(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_START) else text


def text_from_spreadsheet(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


class TextWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return text_from_spreadsheet(super().clean(value, row, **kwargs) or "")

    def render(self, value, obj=None, **kwargs):
        return spreadsheet_text(super().render(value, obj, **kwargs))


class ActualWidget(widgets.DecimalWidget):
    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except (InvalidOperation, ValueError) as error:
            raise ValueError(
                f"「{value}」は数値ではありません。半角の数値で入力してください（例: 1234.5）。"
                "数値がないときは空欄にして、実績の状態を選びます。"
            ) from error


class StatusWidget(widgets.Widget):
    """Statuses as staff write them: 確定値・速報値・集計中・調査未実施・未入力."""

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip() or str(ActualStatus.NOT_ENTERED.label)
        if text in STATUS_BY_LABEL:
            return STATUS_BY_LABEL[text]
        raise ValueError(
            f"「{text}」は実績の状態に使えません。{'・'.join(STATUS_BY_LABEL)}のいずれかを入力してください。"
        )

    def render(self, value, obj=None, **kwargs):
        return str(ActualStatus(value).label) if value else ""


def _code(attribute: str, column: str) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=column, readonly=True, widget=widgets.CharWidget())


class IndicatorResultResource(resources.ModelResource):
    project_code = _code("record__project__code", "事業番号")
    project_name = fields.Field(
        attribute="record__project__name", column_name="事業名", readonly=True, widget=TextWidget()
    )
    fiscal_year = fields.Field(
        attribute="record__fiscal_year",
        column_name="年度",
        readonly=True,
        widget=widgets.IntegerWidget(coerce_to_string=False),
    )
    indicator_code = _code("indicator__code", "指標番号")
    indicator_name = fields.Field(
        attribute="indicator__name", column_name="指標名", readonly=True, widget=TextWidget()
    )
    unit = fields.Field(attribute="indicator__unit", column_name="単位", readonly=True, widget=TextWidget())
    target = fields.Field(column_name="年度目標値", readonly=True)
    actual = fields.Field(
        attribute="actual", column_name="実績値", widget=ActualWidget(coerce_to_string=False)
    )
    actual_status = fields.Field(attribute="actual_status", column_name="実績の状態", widget=StatusWidget())
    note = fields.Field(attribute="note", column_name="補足", widget=TextWidget())

    class Meta:
        model = IndicatorResult
        fields = (
            "project_code", "project_name", "fiscal_year", "indicator_code", "indicator_name", "unit",
            "target", "actual", "actual_status", "note",
        )  # fmt: skip
        export_order = fields
        import_id_fields = ("project_code", "fiscal_year", "indicator_code")
        skip_unchanged = True
        clean_model_instances = True

    def __init__(self, *, user):
        super().__init__()
        self.user = user

    def get_queryset(self):
        """Only the results of records the user may fill now: the export's rows are the import's."""
        targets = Prefetch(
            "indicator__targets", queryset=OutcomeIndicatorTarget.objects.order_by("fiscal_year")
        )
        return (
            IndicatorResult.objects.filter(record__in=records_open_for_entry(self.user))
            .select_related("record__project", "indicator")
            .prefetch_related(targets)
            .order_by("record__fiscal_year", "record__project__code", "indicator__code")
        )

    def init_instance(self, row=None):
        raise ValidationError(
            "この行の事業番号・年度・指標番号に当たる、あなたが今入力できる実績はありません。"
            "ダウンロードした表の番号を変えずに使ってください。",
            code="unknown_row",
        )

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        # Typing a number is saying it is the figure, as on the entry page.
        if instance.actual is not None and instance.actual_status == ActualStatus.NOT_ENTERED:
            instance.actual_status = ActualStatus.CONFIRMED

    def dehydrate_target(self, result):
        target = result.indicator.target_for(result.record.fiscal_year).value
        return "" if target is None else target

    def column_of(self, attribute: str) -> str:
        """The column a model field's error belongs to, for the error list."""
        for field in self.fields.values():
            if field.attribute == attribute:
                return field.column_name
        return "（行全体）"


REQUIRED_COLUMNS = ("事業番号", "年度", "指標番号", "実績値", "実績の状態")


def dataset_from_upload(upload) -> tablib.Dataset:
    """Read an uploaded .xlsx or .csv (UTF-8, or the Shift_JIS Excel writes in Japan) into a dataset."""
    content = upload.read()
    name = (upload.name or "").lower()
    try:
        if name.endswith(".xlsx"):
            return tablib.Dataset().load(content, format="xlsx")
        if name.endswith(".csv"):
            for encoding in ("utf-8-sig", "cp932"):
                try:
                    return tablib.Dataset().load(content.decode(encoding), format="csv")
                except UnicodeDecodeError:
                    continue
    except Exception as error:  # a damaged file raises whatever its parser raises
        raise ValidationError(
            "ファイルを読み込めませんでした。ダウンロードしたExcelファイル（.xlsx）かCSVを使ってください。"
        ) from error
    raise ValidationError("Excelファイル（.xlsx）かCSVファイル（.csv）を選んでください。", code="format")
