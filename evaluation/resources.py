"""The spreadsheet staff fill offline: a year's outcome-indicator results, exported and imported
with the same columns so a sheet can go out and come back (django-import-export).

Rows are keyed on natural codes (事業番号, 年度, 指標番号) and carry the record's version (版), so a
re-import updates, never duplicates, and an old sheet cannot overwrite newer work. Only the rows
the user may fill now can be read or written. `evaluation.imports` runs the import.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from import_export import fields, resources, widgets

from core.spreadsheets import spreadsheet_text, text_from_spreadsheet
from evaluation import services
from evaluation.enums import CycleStatus, RecordStatus
from evaluation.models import IndicatorResult
from evaluation.selectors import records_editable_by
from projects.models import OutcomeIndicatorTarget
from projects.scoping import scope_by_project_year

STATUS_BY_LABEL = {
    str(label): value for value, label in IndicatorResult._meta.get_field("actual_status").choices
}
IMPORT_REASON = "Excelから取り込み"


class TextWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return text_from_spreadsheet(super().clean(value, row, **kwargs) or "")

    def render(self, value, obj=None, **kwargs):
        return spreadsheet_text(super().render(value, obj, **kwargs))


class WholeNumberWidget(widgets.IntegerWidget):
    def __init__(self, message: str):
        super().__init__(coerce_to_string=False)
        self.message = message

    def clean(self, value, row=None, **kwargs):
        try:
            number = super().clean(value, row, **kwargs)
        except (InvalidOperation, ValueError, TypeError) as error:
            raise ValueError(self.message.format(value=value)) from error
        if number is not None and Decimal(str(value).strip()) != number:
            raise ValueError(self.message.format(value=value))
        return number


class ActualWidget(widgets.DecimalWidget):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, float):
            # A spreadsheet's arithmetic leaves binary noise (0.30000000000000004); keep the
            # four places the field stores.
            return round(Decimal(repr(value)), 4)
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
        text = str(value or "").strip() or "未入力"
        if text in STATUS_BY_LABEL:
            return STATUS_BY_LABEL[text]
        raise ValueError(
            f"「{text}」は実績の状態に使えません。{'・'.join(STATUS_BY_LABEL)}のいずれかを入力してください。"
        )

    def render(self, value, obj=None, **kwargs):
        return {code: label for label, code in STATUS_BY_LABEL.items()}.get(value, "")


def _key(attribute: str, column: str, widget=None) -> fields.Field:
    return fields.Field(
        attribute=attribute, column_name=column, readonly=True, widget=widget or widgets.CharWidget()
    )


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
        WholeNumberWidget("版は数字です。ダウンロードした表の値を変えないでください。"),
    )
    actual = fields.Field(
        attribute="actual", column_name="実績値", widget=ActualWidget(coerce_to_string=False)
    )
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
        skip_unchanged = True
        clean_model_instances = True

    def __init__(self, *, user):
        super().__init__()
        self.user = user
        self.changed: list[IndicatorResult] = []

    def save_instance(self, instance, is_create, row, **kwargs):
        """Keep the changed row for the entry service, which saves each record with its rows."""
        self.changed.append(instance)

    def get_queryset(self):
        """Only the results of records the user may fill now: the export's rows are the import's."""
        return IndicatorResult.objects.filter(record__in=records_editable_by(self.user)).select_related(
            "record__project", "indicator"
        )

    def export_queryset(self):
        targets = Prefetch(
            "indicator__targets", queryset=OutcomeIndicatorTarget.objects.order_by("fiscal_year")
        )
        return (
            self.get_queryset()
            .prefetch_related(targets)
            .order_by("record__fiscal_year", "record__project__code", "indicator__code")
        )

    def get_instance(self, instance_loader, row):
        # A key cell that cannot be read is named by its column, not reported as a crash.
        for name in self.get_import_id_fields():
            field = self.fields[name]
            try:
                field.clean(row)
            except ValueError as error:
                raise ValidationError({field.attribute: str(error)}) from error
        return super().get_instance(instance_loader, row)

    def init_instance(self, row=None):
        """A row that matches nothing the user may fill: say why, in the user's terms."""
        raise ValidationError(self._why_not_open(row), code="not_open")

    def _why_not_open(self, row) -> str:
        seen = scope_by_project_year(
            self.user,
            IndicatorResult.objects.select_related("record__project", "record__cycle"),
            "record__project",
            "record__fiscal_year",
        ).filter(
            record__project__code=str(row.get("事業番号") or "").strip(),
            record__fiscal_year=self.fields["fiscal_year"].clean(row),
            indicator__code=str(row.get("指標番号") or "").strip(),
        )
        result = seen.first()
        if result is None:
            return "この行の事業番号・年度・指標番号に当たる、あなたが入力できる実績はありません。番号を変えずに使ってください。"
        record = result.record
        cycle = record.cycle
        if cycle.status == CycleStatus.LOCKED:
            return f"{cycle}は確定しているため取り込めません。訂正が必要なときはDX推進課に相談してください。"
        if record.status not in RecordStatus.with_department():
            return f"この事業は「{record.get_status_display()}」のため取り込めません。変更が必要なときはDX推進課に差戻しを依頼してください。"
        return "この年度は今、入力を受け付けていません。"

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        services.version_check(
            instance.record,
            self.fields["version"].clean(row),
            seen="表をダウンロードした",
            redo="表をダウンロードし直して",
        )

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
