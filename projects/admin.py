from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from import_export.admin import ImportExportMixin
from import_export.forms import ExportForm
from import_export.results import RowResult

from core.admin import PortalAdmin, PortalInline, ReadOnlyMixin, RevisedInline, revision_action
from core.forms import CleanTextField, PortalModelForm
from core.resources import Spreadsheet
from core.uploads import upload_limits
from measures.admin import INDICATOR_FIELDSETS, target_reset_action
from measures.services import INDICATOR_REVISED_FIELDS
from projects import services
from projects.enums import AssignmentRole
from projects.forms import (
    CatalogueConfirmImportForm,
    CatalogueImportForm,
    ProjectEndForm,
    ProjectMergeForm,
    ProjectMoveForm,
)
from projects.models import ActionGoal, OutcomeIndicator, OutcomeIndicatorTarget, Project, ProjectAssignment
from projects.resources import ActionGoalResource, OutcomeIndicatorResource, ProjectResource
from projects.scoping import is_dx_office, projects_visible, scope_by_project, scope_by_project_year
from strategy.models import Department, DepartmentKind


class ProjectAddForm(PortalModelForm):
    """Adding a project is a plan revision: it names the department and the reason."""

    department = forms.ModelChoiceField(
        label="所管課", queryset=Department.objects.filter(valid_to__isnull=True, kind=DepartmentKind.SECTION)
    )
    reason = CleanTextField(
        label="追加の理由", widget=forms.Textarea(attrs={"rows": 2}), help_text="議会報告に載ります。"
    )

    class Meta:
        model = Project
        fields = "__all__"


def _one_plan(queryset):
    plans = {obj.plan for obj in queryset.select_related("plan")}
    if len(plans) != 1:
        raise ValidationError("同じ計画の事業だけを選んでください。")
    return plans.pop()


class CatalogueImportExport(ImportExportMixin):
    """Import and export of the project catalogue, for the DX office only: staff see no button and
    get 403 at the addresses. An import is read and checked (`core.uploads`), previewed row by row,
    and saved only when confirmed, all rows or none, with the reason in every row's history."""

    formats = [Spreadsheet]
    export_form_class = ExportForm  # every column: the export is the template the import takes back
    import_form_class = CatalogueImportForm
    confirm_form_class = CatalogueConfirmImportForm
    import_template_name = "admin/projects/catalogue_import.html"
    kept_file = "catalogue_import_file"

    def has_import_permission(self, request):
        return is_dx_office(request.user)

    def has_export_permission(self, request):
        return is_dx_office(request.user)

    def get_import_resource_kwargs(self, request, **kwargs):
        form = kwargs.get("form")
        reason = form.cleaned_data.get("reason", "") if form is not None and form.is_valid() else ""
        return {"by": request.user, "reason": reason}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {"by": request.user}

    def get_import_context_data(self, **kwargs):
        return {"limits": upload_limits()}

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["reason"] = import_form.cleaned_data["reason"]
            # Only the file this user just previewed can be confirmed.
            request.session[self.kept_file] = initial["import_file_name"]
        return initial

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs.pop("request", None)
        return {**kwargs, "rollback_on_validation_errors": True}

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, ValidationError):
            form.add_error("import_file", e.messages)
        else:
            form.add_error(
                "import_file",
                "ファイルを読み込めませんでした。書き出した表をExcelで開き、保存し直してから選んでください。",
            )

    def process_import(self, request, **kwargs):
        if request.method == "POST" and request.POST.get("import_file_name") != request.session.pop(
            self.kept_file, None
        ):
            messages.error(request, "確認した表が見つかりません。もう一度ファイルを選んでください。")
            return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_import")
        return super().process_import(request, **kwargs)

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # Something changed since the preview: nothing was saved; show why, as the preview does.
            context = {**self.admin_site.each_context(request), "title": "取り込めませんでした", "result": result,
                       "opts": self.opts, "import_error_display": self.import_error_display}  # fmt: skip
            return TemplateResponse(request, [self.import_template_name], context)
        return super().process_result(result, request)

    def add_success_message(self, result, request):
        totals = result.totals
        messages.success(
            request,
            f"{self.opts.verbose_name}を取り込みました（追加{totals[RowResult.IMPORT_TYPE_NEW]}件、"
            f"変更{totals[RowResult.IMPORT_TYPE_UPDATE]}件、変更なし{totals[RowResult.IMPORT_TYPE_SKIP]}件）。",
        )


class ProjectScopedAdmin(PortalAdmin):
    """Rows that hang off a project: staff see only their departments' projects (in the row's fiscal
    year, for yearly rows), and choose only those."""

    project_path = "project"
    year_path = None

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.year_path:
            return scope_by_project_year(request.user, queryset, self.project_path, self.year_path)
        return scope_by_project(request.user, queryset, self.project_path)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Project:
            kwargs["queryset"] = projects_visible(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AssignmentInline(PortalInline):
    """Once the plan has begun, a responsible department changes only by 「所管課を変更する」; a
    co-responsible one may still be added."""

    model = ProjectAssignment
    fields = ["department", "role", "start_year", "end_year"]
    autocomplete_fields = ["department"]

    def has_change_permission(self, request, obj=None):
        return not (obj and obj.plan.has_started) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (obj and obj.plan.has_started) and super().has_delete_permission(request, obj)


class ActionGoalInline(PortalInline):
    model = ActionGoal
    fields = ["fiscal_year", "number", "description"]

    def get_queryset(self, request):
        return scope_by_project_year(request.user, super().get_queryset(request), "project", "fiscal_year")


@admin.register(Project)
class ProjectAdmin(CatalogueImportExport, PortalAdmin):
    resource_classes = [ProjectResource]
    list_display = [
        "code",
        "name",
        "measure_code",
        "initiative",
        "departments",
        "status",
        "start_year",
        "end_year",
    ]
    list_display_links = ["code", "name"]
    list_select_related = ["measure", "initiative__measure"]
    list_filter = ["plan", "measure__code", "status"]
    search_fields = ["code", "name", "summary"]
    autocomplete_fields = ["measure", "initiative", "merged_into"]
    inlines = [AssignmentInline, ActionGoalInline]
    actions = ["end_projects", "move_projects", "merge_projects"]
    revised_fields = services.PROJECT_REVISED_FIELDS
    fields = [
        "plan",
        "code",
        "name",
        "summary",
        "measure",
        "initiative",
        ("start_year", "end_year"),
        "status",
        "merged_into",
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ProjectAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return fields if obj else [*fields, "department", "reason"]

    def get_inlines(self, request, obj):
        return (
            self.inlines if obj else [ActionGoalInline]
        )  # the responsible department comes from the add form

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        services.project_add(obj, department=form.cleaned_data["department"], reason=form.cleaned_data["reason"],
                             by=request.user)  # fmt: skip

    def _revise(self, request, queryset, form_class, perform, title):
        try:
            plan = _one_plan(queryset)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return None
        return revision_action(
            self, request, queryset, form_class=form_class, plan=plan, perform=perform, title=title
        )

    @admin.action(description="事業を終了する（完了・休止・廃止）", permissions=["change"])
    def end_projects(self, request, queryset):
        def perform(project, data):
            services.project_end(
                project, year=data["year"], status=data["status"], reason=data["reason"], by=request.user
            )

        return self._revise(request, queryset, ProjectEndForm, perform, "事業の終了")

    @admin.action(description="所管課を変更する", permissions=["change"])
    def move_projects(self, request, queryset):
        def perform(project, data):
            services.project_move(project, department=data["department"], year=data["year"], reason=data["reason"],
                                  by=request.user)  # fmt: skip

        return self._revise(request, queryset, ProjectMoveForm, perform, "所管課の変更")

    @admin.action(description="別の事業に統合する", permissions=["change"])
    def merge_projects(self, request, queryset):
        def perform(project, data):
            services.project_merge(
                project, into=data["into"], year=data["year"], reason=data["reason"], by=request.user
            )

        return self._revise(request, queryset, ProjectMergeForm, perform, "事業の統合")

    def get_queryset(self, request):
        assignments = ProjectAssignment.objects.select_related("department").order_by("role", "-start_year")
        queryset = (
            super().get_queryset(request).prefetch_related(Prefetch("assignments", queryset=assignments))
        )
        return projects_visible(request.user, queryset)

    @admin.display(description="施策", ordering="measure__code")
    def measure_code(self, project):
        return project.measure.code

    @admin.display(description="所管課（現在）")
    def departments(self, project):
        current = [
            a for a in project.assignments.all() if a.role == AssignmentRole.PRIMARY and a.end_year is None
        ]
        return "、".join(a.department.name for a in current) or "−"


@admin.register(ProjectAssignment)
class ProjectAssignmentAdmin(ProjectScopedAdmin):
    list_display = ["project", "department", "role", "start_year", "end_year"]
    list_select_related = ["project", "department"]
    list_filter = ["role", "start_year"]
    search_fields = ["project__code", "project__name", "department__name"]
    autocomplete_fields = ["project", "department"]


@admin.register(ActionGoal)
class ActionGoalAdmin(CatalogueImportExport, ProjectScopedAdmin):
    resource_classes = [ActionGoalResource]
    year_path = "fiscal_year"
    list_display = ["project", "fiscal_year", "number", "description"]
    list_select_related = ["project"]
    list_filter = ["fiscal_year"]
    search_fields = ["project__code", "project__name", "description"]
    autocomplete_fields = ["project"]


class OutcomeIndicatorTargetInline(RevisedInline):
    model = OutcomeIndicatorTarget
    fields = ["fiscal_year", "value"]
    verbose_name_plural = (
        "年度目標値（計画に定めのある年度だけ。ほかの年度は基準値と最終目標から直線で補間します）"
    )


@admin.register(OutcomeIndicator)
class OutcomeIndicatorAdmin(CatalogueImportExport, ProjectScopedAdmin):
    resource_classes = [OutcomeIndicatorResource]
    list_display = ["project", "code", "name", "unit", "direction", "baseline_value", "final_target"]
    list_select_related = ["project"]
    list_filter = ["kind", "direction"]
    search_fields = ["project__code", "project__name", "name"]
    autocomplete_fields = ["project", "measure_indicator"]
    inlines = [OutcomeIndicatorTargetInline]
    actions = ["reset_target"]
    revised_fields = INDICATOR_REVISED_FIELDS

    @admin.action(description="目標値を再設定する（計画の見直し）", permissions=["change"])
    def reset_target(self, request, queryset):
        return target_reset_action(self, request, queryset)

    fieldsets = [(None, {"fields": ["project", "measure_indicator"]}), *INDICATOR_FIELDSETS]


@admin.register(OutcomeIndicatorTarget)
class OutcomeIndicatorTargetAdmin(ReadOnlyMixin, ProjectScopedAdmin):
    """A list to search; targets are set on their indicator's page, or re-set as a plan revision."""

    project_path = "indicator__project"
    year_path = "fiscal_year"

    list_display = ["indicator", "fiscal_year", "value"]
    list_select_related = ["indicator__project"]
    list_filter = ["fiscal_year"]
    search_fields = ["indicator__name", "indicator__project__code"]
    autocomplete_fields = ["indicator"]
