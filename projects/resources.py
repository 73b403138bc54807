"""The project catalogue (実施事業集) in and out of a spreadsheet, for the DX office: projects with
their measure, initiative, responsible department and period; their action goals; their outcome
indicators with yearly targets (django-import-export).

Rows are keyed on natural codes (計画・事業番号, then 年度・番号 or 指標番号), so a re-imported sheet
updates rows and never duplicates them, and an unchanged row is skipped (no history). Every row is
cleaned by its model's `clean()`; a new project is added by `project_add` (a plan revision with the
import's reason), every other row is saved by `catalogue_save`, with the user and the reason in its
history. Never in bulk: a bulk write would bypass `save()` and with it the history. Errors are
reported under the sheet's column names.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Max, Min
from import_export import fields, resources, widgets
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import RowResult

from core.resources import ChoiceWidget, CodeWidget, NumberWidget, TextWidget, WholeNumberWidget
from core.spreadsheets import spreadsheet_text, text_from_spreadsheet
from core.uploads import cell_normalised
from measures.enums import Direction, IndicatorKind
from measures.models import Initiative, Measure, MeasureIndicator
from projects import services
from projects.enums import AssignmentRole, ProjectStatus
from projects.models import ActionGoal, OutcomeIndicator, Project
from strategy.models import Department, DepartmentKind, Plan

WHOLE_ROW = "（行全体）"
YEAR = "{column}は西暦の数字で入力してください（例: 2025）。「{{value}}」は使えません。"


def _cell(row, column: str) -> str:
    return cell_normalised(text_from_spreadsheet(str((row or {}).get(column) or "")))


class LookupWidget(widgets.ForeignKeyWidget):
    """A related row named in the sheet by its code (施策番号 1-1), looked up within what `scope`
    (a function of the row) allows: a plan's measures, a measure's initiatives."""

    def __init__(self, model, field: str, *, column: str, scope=None):
        super().__init__(model, field)
        self.column, self.scope = column, scope

    def get_queryset(self, value, row, *args, **kwargs):
        queryset = self.model.objects.all()
        return queryset.filter(**self.scope(row)) if self.scope else queryset

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        value = cell_normalised(text_from_spreadsheet(str(value or "")))
        if not value:
            return None
        try:
            return self.get_queryset(value, row).get(**{self.field: value})
        except (self.model.DoesNotExist, ValueError) as error:
            raise ValueError(
                f"「{value}」に当たる{self.column}がありません。番号を確かめてください。"
            ) from error

    def render(self, value, obj=None, **kwargs):
        return spreadsheet_text(str(getattr(value, self.field))) if value is not None else ""


def _in_plan(row) -> dict:
    return {"plan__code": _cell(row, "計画")}


def _measure_in_plan(row) -> dict:
    return {"measure__plan__code": _cell(row, "計画"), "measure__code": _cell(row, "施策番号")}


def _measure_of_project(row) -> dict:
    return {
        "measure__projects__plan__code": _cell(row, "計画"),
        "measure__projects__code": _cell(row, "事業番号"),
    }


def _plan_field() -> fields.Field:
    return fields.Field(
        attribute="plan", column_name="計画", widget=LookupWidget(Plan, "code", column="計画")
    )


def _project_field() -> fields.Field:
    return fields.Field(
        attribute="project",
        column_name="事業番号",
        widget=LookupWidget(Project, "code", column="事業", scope=_in_plan),
    )


def _text(attribute: str, column: str) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=column, widget=TextWidget())


def _year(attribute: str, column: str) -> fields.Field:
    """A fiscal year; a blank cell clears it."""
    return fields.Field(
        attribute=attribute, column_name=column, widget=WholeNumberWidget(YEAR.format(column=column))
    )


def _number(attribute: str, column: str) -> fields.Field:
    """A number that cannot be empty: a blank cell keeps what is stored."""
    return fields.Field(
        attribute=attribute, column_name=column, widget=NumberWidget(column), saves_null_values=False
    )


def _number_or_blank(attribute: str, column: str) -> fields.Field:
    """A number that may be empty: a blank cell clears it."""
    return fields.Field(attribute=attribute, column_name=column, widget=NumberWidget(column))


class NaturalKeyLoader(BaseInstanceLoader):
    """Every row of the resource's queryset read once, by its natural key, rather than one query per
    sheet row: a catalogue of thousands of rows imports in seconds."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        model = resource._meta.model
        self.keys = [resource.fields[name] for name in resource.get_import_id_fields()]
        attnames = [model._meta.get_field(field.attribute).attname for field in self.keys]
        self.rows = {tuple(getattr(obj, name) for name in attnames): obj for obj in resource.get_queryset()}

    def get_instance(self, row):
        return self.rows.get(
            tuple(getattr(value, "pk", value) for value in (f.clean(row) for f in self.keys))
        )


class CatalogueResource(resources.ModelResource):
    """What the catalogue's resources share: the user and reason of an import, keys read with a
    message, a row repeated in the sheet refused, errors under the sheet's column names, and saving
    through the catalogue's services."""

    def __init__(self, *, by=None, reason: str = ""):
        super().__init__()
        self.by, self.reason = by, reason
        self.seen: dict[tuple, int] = {}
        self.columns_missing = False

    def before_import(self, dataset, **kwargs):
        headers = {str(header or "").strip() for header in dataset.headers or []}
        missing = [
            self.fields[name].column_name
            for name in self.get_import_id_fields()
            if self.fields[name].column_name not in headers
        ]
        self.columns_missing = bool(missing)
        if missing:
            raise ValueError(
                f"次の列がありません: {'、'.join(missing)}。書き出した表の見出しを変えずに使ってください。"
            )

    def get_instance(self, instance_loader, row):
        # A key cell that cannot be read is named by its column, not reported as a crash.
        for name in self.get_import_id_fields():
            field = self.fields[name]
            try:
                if field.clean(row) in (None, ""):
                    raise ValueError(f"{field.column_name}が空欄です。")
            except ValueError as error:
                raise ValidationError({field.attribute: str(error)}) from error
        return super().get_instance(instance_loader, row)

    def import_row(self, row, instance_loader, **kwargs):
        if self.columns_missing:  # reported once for the file (see `before_import`), not per row
            result = self.get_row_result_class()()
            result.import_type = RowResult.IMPORT_TYPE_SKIP
            return result
        number = kwargs["row_number"] + 1  # as the spreadsheet numbers it: the header is row 1
        key = tuple(_cell(row, self.fields[name].column_name) for name in self.get_import_id_fields())
        if key in self.seen:
            result = self.get_row_result_class()()
            result.import_type = RowResult.IMPORT_TYPE_INVALID
            result.validation_error = ValidationError(
                {
                    WHOLE_ROW: f"{self.seen[key]}行目と{number}行目は同じ{'・'.join(self._key_columns())}の行です。どちらか一方を削除してください。"
                }
            )
            return result
        self.seen[key] = number
        result = super().import_row(row, instance_loader, **kwargs)
        if result.validation_error is not None:
            result.validation_error = self._by_column(result.validation_error)
        return result

    def _key_columns(self) -> list[str]:
        return [self.fields[name].column_name for name in self.get_import_id_fields()]

    def _by_column(self, error: ValidationError) -> ValidationError:
        """The same messages, under the columns the user sees (「施策番号」, not `measure`)."""
        columns = {field.attribute: field.column_name for field in self.fields.values() if field.attribute}
        columns.update(self.extra_columns())
        by_column: dict[str, list[str]] = {}
        messages = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
        for name, found in messages.items():
            column = columns.get(name, WHOLE_ROW if name == NON_FIELD_ERRORS else name)
            by_column.setdefault(column, []).extend(found)
        return ValidationError(by_column)

    def extra_columns(self) -> dict[str, str]:
        """Columns of errors about what is not a field of this resource's model."""
        return {}

    def save_instance(self, instance, is_create, row, **kwargs):
        services.catalogue_save(instance, by=self.by, reason=self.reason)


class ProjectResource(CatalogueResource):
    plan = _plan_field()
    code = fields.Field(attribute="code", column_name="事業番号", widget=CodeWidget())
    name = _text("name", "事業名")
    summary = _text("summary", "事業概要")
    measure = fields.Field(
        attribute="measure",
        column_name="施策番号",
        widget=LookupWidget(Measure, "code", column="施策", scope=_in_plan),
    )
    initiative = fields.Field(
        attribute="initiative",
        column_name="主な取組番号",
        widget=LookupWidget(Initiative, "number", column="この施策の主な取組", scope=_measure_in_plan),
    )
    department = fields.Field(column_name="所管課コード", widget=CodeWidget())
    department_name = fields.Field(column_name="所管課名（参考）", readonly=True, widget=TextWidget())
    start_year = _year("start_year", "開始年度")
    end_year = _year("end_year", "終了年度")
    status = fields.Field(
        attribute="status",
        column_name="状態",
        widget=ChoiceWidget(ProjectStatus.choices, "状態", blank=ProjectStatus.RUNNING),
    )
    merged_into = fields.Field(
        attribute="merged_into",
        column_name="統合先の事業番号",
        widget=LookupWidget(Project, "code", column="統合先の事業", scope=_in_plan),
        saves_null_values=True,
    )

    class Meta:
        model = Project
        name = "事業（実施事業集）"
        fields = (
            "plan", "code", "name", "summary", "measure", "initiative", "department", "department_name",
            "start_year", "end_year", "status", "merged_into",
        )  # fmt: skip
        export_order = fields
        import_id_fields = ("plan", "code")
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_bulk = False  # a bulk write bypasses save() and so the history
        chunk_size = 5000
        instance_loader_class = NaturalKeyLoader

    def extra_columns(self):
        return {"department": "所管課コード", "reason": "取り込みの理由", "year": "開始年度"}

    def get_queryset(self):
        return Project.objects.select_related(
            "plan", "measure", "initiative", "merged_into"
        ).prefetch_related("assignments__department")

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("plan", "measure", "initiative", "merged_into").prefetch_related(
            "assignments__department"
        )

    def _current(self, project: Project):
        """The project's responsible department now (its open-ended primary assignment)."""
        if project.pk is None:
            return None
        current = [
            a for a in project.assignments.all() if a.role == AssignmentRole.PRIMARY and a.end_year is None
        ]
        return current[0].department if current else None

    def dehydrate_department(self, project):
        department = self._current(project)
        return department.code if department else ""

    def dehydrate_department_name(self, project):
        department = self._current(project)
        return department.name if department else ""

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        code = _cell(row, "所管課コード")
        current = self._current(instance)
        if instance.pk is None:
            instance._department = Department.objects.filter(
                code=code, valid_to__isnull=True, kind=DepartmentKind.SECTION
            ).first()
            if instance._department is None:
                message = (
                    f"「{code}」に当たる、いまある課がありません。"
                    if code
                    else "所管課コードを入力してください。"
                )
                errors.setdefault("department", []).append(ValidationError(message))
        elif code != (current.code if current else ""):
            errors.setdefault("department", []).append(
                ValidationError(
                    "所管課の変更は、事業一覧の操作「所管課を変更する」で、適用する年度と理由を付けて行ってください。"
                )
            )
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        if is_create:
            services.project_add(instance, department=instance._department, reason=self.reason, by=self.by)
        else:
            super().save_instance(instance, is_create, row, **kwargs)


class ActionGoalResource(CatalogueResource):
    plan = fields.Field(attribute="project__plan", column_name="計画", readonly=True, widget=TextWidget())
    project = _project_field()
    project_name = fields.Field(
        attribute="project__name", column_name="事業名（参考）", readonly=True, widget=TextWidget()
    )
    fiscal_year = _year("fiscal_year", "年度")
    number = fields.Field(
        attribute="number",
        column_name="番号",
        widget=WholeNumberWidget("番号は数字です。「{value}」は使えません。"),
    )
    description = _text("description", "行動目標")

    class Meta:
        model = ActionGoal
        name = "行動目標"
        fields = ("plan", "project", "project_name", "fiscal_year", "number", "description")
        export_order = fields
        import_id_fields = ("project", "fiscal_year", "number")
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_bulk = False  # a bulk write bypasses save() and so the history
        chunk_size = 5000
        instance_loader_class = NaturalKeyLoader

    def dehydrate_plan(self, goal):
        return goal.project.plan.code

    def get_queryset(self):
        return ActionGoal.objects.select_related("project__plan")

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("project__plan")


class OutcomeIndicatorResource(CatalogueResource):
    """An outcome indicator with one column per fiscal year of the plans for its stated targets
    (「2025年度目標値」; blank: no stated target, the year follows the line to the final target)."""

    plan = fields.Field(attribute="project__plan", column_name="計画", readonly=True, widget=TextWidget())
    project = _project_field()
    code = fields.Field(attribute="code", column_name="指標番号", widget=CodeWidget())
    name = _text("name", "指標名")
    unit = _text("unit", "単位")
    decimals = fields.Field(
        attribute="decimals",
        column_name="小数点以下の桁数",
        widget=WholeNumberWidget("小数点以下の桁数は0〜4の数字です。「{value}」は使えません。"),
    )
    direction = fields.Field(
        attribute="direction", column_name="方向", widget=ChoiceWidget(Direction.choices, "方向")
    )
    kind = fields.Field(
        attribute="kind", column_name="指標の種類", widget=ChoiceWidget(IndicatorKind.choices, "指標の種類")
    )
    tolerance = _number("tolerance", "許容幅")
    baseline_value = _number_or_blank("baseline_value", "現状値")
    baseline_year = _year("baseline_year", "基準年度")
    final_target = _number_or_blank("final_target", "最終目標値")
    final_target_year = _year("final_target_year", "目標年度")
    method = _text("method", "測定方法")
    source = _text("source", "出典・データの所在")
    measure_indicator = fields.Field(
        attribute="measure_indicator",
        column_name="寄与する施策目標値の番号",
        widget=LookupWidget(
            MeasureIndicator, "code", column="この事業の施策の施策目標値", scope=_measure_of_project
        ),
        saves_null_values=True,
    )

    class Meta:
        model = OutcomeIndicator
        name = "成果指標と年度目標値"
        fields = (
            "plan", "project", "code", "name", "unit", "decimals", "direction", "kind", "tolerance",
            "baseline_value", "baseline_year", "final_target", "final_target_year", "method", "source",
            "measure_indicator",
        )  # fmt: skip
        import_id_fields = ("project", "code")
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_bulk = False  # a bulk write bypasses save() and so the history
        chunk_size = 5000
        instance_loader_class = NaturalKeyLoader

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        span = Plan.objects.aggregate(first=Min("start_year"), last=Max("end_year"))
        self.years = list(range(span["first"], span["last"] + 1)) if span["first"] else []
        for year in self.years:
            self.fields[f"target_{year}"] = fields.Field(
                column_name=self.target_column(year), widget=NumberWidget(self.target_column(year))
            )

    @staticmethod
    def target_column(year: int) -> str:
        return f"{year}年度目標値"

    def get_export_order(self):
        return (*self.Meta.fields, *(f"target_{year}" for year in self.years))

    def get_queryset(self):
        return OutcomeIndicator.objects.select_related("project__plan", "measure_indicator").prefetch_related(
            "targets"
        )

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("project__plan", "measure_indicator").prefetch_related("targets")

    def dehydrate_plan(self, indicator):
        return indicator.project.plan.code

    def export_field(self, field, instance, **kwargs):
        name = next((key for key, value in self.fields.items() if value is field), "")
        if name.startswith("target_"):
            year = int(name.removeprefix("target_"))
            return next((t.value for t in instance.targets.all() if t.fiscal_year == year), "")
        return super().export_field(field, instance, **kwargs)

    def extra_columns(self):
        targets = {f"target_{year}": self.target_column(year) for year in self.years}
        return {"targets": "年度目標値", "fiscal_year": "年度目標値", **targets}

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        instance._targets = {}
        for year in self.years:
            column = self.target_column(year)
            if column not in row:
                continue
            try:
                instance._targets[year] = self.fields[f"target_{year}"].clean(row)
            except ValueError as error:
                errors.setdefault(f"target_{year}", []).append(ValidationError(str(error)))
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if self._targets_changed(instance):
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def _targets_changed(self, instance) -> bool:
        stored = {t.fiscal_year: t.value for t in instance.targets.all()} if instance.pk else {}
        return any(stored.get(year) != value for year, value in getattr(instance, "_targets", {}).items())

    def save_instance(self, instance, is_create, row, **kwargs):
        super().save_instance(instance, is_create, row, **kwargs)
        services.indicator_targets_set(
            instance, instance._targets, by=self.by, reason=self.reason, new=is_create
        )
