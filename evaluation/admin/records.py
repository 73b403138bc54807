"""The staff's entry pages: a project's record for a year with its workflow, and the lists around it."""

import datetime

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from core.admin import PortalAdmin, ReadOnlyMixin
from core.fiscal import fiscal_year_label
from core.forms import PortalModelForm
from core.templatetags.portal import number
from core.validators import whole_number
from evaluation import services
from evaluation.enums import CycleStatus, RecordStatus
from evaluation.forms import VersionedForm
from evaluation.imports import ImportProblem, dataset_from_upload, results_import
from evaluation.models import ActionResult, FiscalYear, Grade, IndicatorResult, ProjectRecord
from evaluation.resources import IndicatorResultResource
from evaluation.selectors import (
    cycle_statuses,
    fiscal_year_current,
    records_with_department,
    submission_board,
)
from projects.scoping import is_dx_office, scope_by_project_year, sees_everything


class YearScopedAdmin(PortalAdmin):
    """Yearly rows: staff see a project's year only if their department was responsible then."""

    project_path = "project"
    year_path = "fiscal_year"

    def get_queryset(self, request):
        return scope_by_project_year(
            request.user, super().get_queryset(request), self.project_path, self.year_path
        )

    @admin.display(description="年度", ordering="fiscal_year")
    def year_label(self, obj):
        return fiscal_year_label(obj.fiscal_year)


class ReadOnlyAdmin(ReadOnlyMixin, YearScopedAdmin):
    """Result rows are written only on their record's entry page, where the workflow is checked."""


@admin.register(ActionResult)
class ActionResultAdmin(ReadOnlyAdmin):
    project_path = "record__project"
    year_path = "record__fiscal_year"
    list_display = ["record", "action_goal", "completion"]
    list_select_related = ["record__project", "action_goal"]
    list_filter = ["record__fiscal_year", "completion"]
    search_fields = ["record__project__code", "record__project__name"]


@admin.register(IndicatorResult)
class IndicatorResultAdmin(ReadOnlyAdmin):
    project_path = "record__project"
    year_path = "record__fiscal_year"
    list_display = ["record", "indicator", "actual", "actual_status"]
    list_select_related = ["record__project", "indicator"]
    list_filter = ["record__fiscal_year", "actual_status"]
    search_fields = ["record__project__code", "record__project__name", "indicator__name"]


class RecordForm(VersionedForm):
    class Meta:
        model = ProjectRecord
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "self_grade" in self.fields and self.instance.pk:
            self.fields["self_grade"].queryset = Grade.objects.filter(
                scale__plan_id=self.instance.project.plan_id
            )


class ResultInline(admin.TabularInline):
    """Rows prepared when the year opened: staff fill them, never add or delete them."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return self.admin_site._registry[ProjectRecord].has_change_permission(request, obj)


class ActionResultInline(ResultInline):
    model = ActionResult
    form = PortalModelForm
    fields = ["goal", "done", "completion"]
    readonly_fields = ["goal"]
    verbose_name_plural = "行動目標と取組実績"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("action_goal")

    @admin.display(description="行動目標")
    def goal(self, result):
        return f"{result.action_goal.number}. {result.action_goal.description}"


class IndicatorResultInline(ResultInline):
    model = IndicatorResult
    form = PortalModelForm
    fields = ["indicator_name", "year_target", "actual", "unit", "actual_status", "note"]
    readonly_fields = ["indicator_name", "year_target", "unit"]
    verbose_name_plural = "成果指標の実績（目標値を見ながら入力してください）"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("indicator", "record")
            .prefetch_related("indicator__targets")
        )

    @admin.display(description="成果指標")
    def indicator_name(self, result):
        indicator = result.indicator
        return f"{indicator.name}（{indicator.get_direction_display()}）"

    @admin.display(description="この年度の目標")
    def year_target(self, result):
        indicator = result.indicator
        target = indicator.target_for(result.record.fiscal_year)
        if target.value is None:
            return "目標値なし"
        text = f"{number(target.value, indicator.decimals)} {indicator.unit}".strip()
        return f"{text}（基準値と最終目標から補間）" if target.interpolated else text

    @admin.display(description="単位")
    def unit(self, result):
        return result.indicator.unit or "−"


class FiscalYearFilter(admin.SimpleListFilter):
    """Defaults to the year staff are working on, so the list opens on what matters now."""

    title = "年度"
    parameter_name = "year"
    everything = "all"

    def __init__(self, request, params, model, model_admin):
        current = fiscal_year_current()
        self.default = str(current.year) if current else self.everything
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        years = (
            FiscalYear.objects.exclude(status=CycleStatus.PLANNED)
            .order_by("-year")
            .values_list("year", flat=True)
        )
        return [(str(year), fiscal_year_label(year)) for year in dict.fromkeys(years)] + [
            (self.everything, "全年度")
        ]

    def value(self):
        return super().value() or self.default

    def queryset(self, request, queryset):
        if self.value() == self.everything:
            return queryset
        year = whole_number(self.value())
        if year is None:
            raise IncorrectLookupParameters  # the admin answers with its "invalid filter" page, not a 500
        return queryset.filter(fiscal_year=year)

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


@admin.register(ProjectRecord)
class ProjectRecordAdmin(YearScopedAdmin):
    form = RecordForm
    change_form_template = "admin/evaluation/projectrecord/change_form.html"
    list_display = ["project", "year_label", "department", "status", "missing", "self_grade", "final_grade"]
    list_select_related = ["project", "self_grade", "final_grade"]
    list_filter = [FiscalYearFilter, "status", "project__measure__code"]
    search_fields = ["project__code", "project__name"]
    inlines = [ActionResultInline, IndicatorResultInline]
    actions = ["approve_selected"]
    always_readonly = [
        "project", "year_label", "status", "proposed_grade", "final_grade", "final_grade_reason",
        "submitted_at", "submitted_by", "approved_at", "approved_by", "reopened", "updated_at",
    ]  # fmt: skip

    def get_queryset(self, request):
        return records_with_department(super().get_queryset(request)).with_results()

    def get_readonly_fields(self, request, obj=None):
        if is_dx_office(request.user):
            return self.always_readonly
        return [*self.always_readonly, "review_comment"]

    def get_fieldsets(self, request, obj=None):
        review = ["review_comment", "proposed_grade", "final_grade", "final_grade_reason"]
        if is_dx_office(request.user):
            review.append("internal_note")  # the DX office's alone: never shown to departments
        return [
            (None, {"fields": ["project", "year_label", "status", "seen_version"]}),
            ("実績と自己評価", {"fields": ["results_summary", "self_grade", "self_grade_reason", "issues",
                                     "next_direction", "next_steps"]}),
            ("審査", {"fields": review}),
            ("記録", {"fields": ["submitted_at", "submitted_by", "approved_at", "approved_by", "reopened",
                               "updated_at"], "classes": ["collapse"]}),
        ]  # fmt: skip

    def history_hidden_fields(self, request) -> set[str]:
        return set() if is_dx_office(request.user) else {"internal_note"}

    def has_add_permission(self, request):
        return False  # records are prepared when the DX office opens a year

    def has_delete_permission(self, request, obj=None):
        return False  # a year's report is never deleted; it is corrected and audited

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or self._editable(request, obj)

    def _editable(self, request, record) -> bool:
        cache = request.__dict__.setdefault("_editable_records", {})
        if record.pk not in cache:
            status = (
                FiscalYear.objects.filter(plan_id=record.project.plan_id, year=record.fiscal_year)
                .values_list("status", flat=True)
                .first()
            )
            cache[record.pk] = self._may_edit(request.user, record, status)
        return cache[record.pk]

    @staticmethod
    def _may_edit(user, record, cycle_status) -> bool:
        if is_dx_office(user):
            return cycle_status != CycleStatus.LOCKED or record.reopened
        responsible = scope_by_project_year(
            user, ProjectRecord.objects.filter(pk=record.pk), "project", "fiscal_year", editing=True
        ).exists()
        return responsible and record.is_open_to_department(cycle_status)

    def save_model(self, request, obj, form, change):
        services.record_save(obj, by=request.user)

    @admin.display(description="所管課（当該年度）", ordering="department_code")
    def department(self, record):
        return record.department_name or "−"

    @admin.display(description="未入力")
    def missing(self, record):
        if record.status not in RecordStatus.with_department():
            return "−"
        count = len(record.missing_items())
        return f"{count}項目" if count else "なし（提出できます）"

    @admin.action(description="選択した評価を承認する（最終評価は自己評価のまま）", permissions=["change"])
    def approve_selected(self, request, queryset):
        approved, refused = 0, []
        for record in queryset:
            try:
                services.record_approve(record, by=request.user)
                approved += 1
            except (ValidationError, PermissionDenied) as error:
                refused.append(f"{record.project.code}: {_message(error)}")
        if approved:
            messages.success(request, f"{approved}件を承認しました。")
        for line in refused:
            messages.error(request, line)

    # --- workflow and lists -------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("mine/", view(self.mine_view), name="evaluation_projectrecord_mine"),
            path("board/", view(self.board_view), name="evaluation_projectrecord_board"),
            path(
                "results/export/",
                view(self.results_export_view),
                name="evaluation_projectrecord_results_export",
            ),
            path(
                "results/import/",
                view(require_POST(self.results_import_view)),
                name="evaluation_projectrecord_results_import",
            ),
            path(
                "<path:object_id>/workflow/<str:action>/",
                view(require_POST(self.workflow_view)),
                name="evaluation_projectrecord_workflow",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        record = self.get_object(request, object_id)
        context = {
            "record": record,
            "missing_items": record.missing_items()
            if record.status in RecordStatus.with_department()
            else [],
            "can_submit": record.status in RecordStatus.with_department() and self._editable(request, record),
            "can_review": is_dx_office(request.user) and record.status in RecordStatus.awaiting_review(),
            "can_reopen": is_dx_office(request.user) and record.status == RecordStatus.APPROVED,
            "grades": Grade.objects.filter(scale__plan_id=record.project.plan_id),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)

    def workflow_view(self, request, object_id, action):
        if not self.has_view_permission(request):
            raise PermissionDenied
        record = self.get_object(request, object_id)
        perform = {
            "submit": self._submit,
            "return": self._return,
            "approve": self._approve,
            "reopen": self._reopen,
        }
        if action not in perform:
            raise Http404("この操作はありません。")
        try:
            messages.success(request, f"{record.project}：{perform[action](request, record)}")
        except ValidationError as error:
            messages.error(request, _message(error))
        return redirect(reverse("admin:evaluation_projectrecord_change", args=[record.pk]))

    def _submit(self, request, record) -> str:
        if not self.has_change_permission(request, record):
            raise PermissionDenied
        services.record_submit(record, by=request.user)
        return "提出しました。DX推進課の審査をお待ちください。"

    def _return(self, request, record) -> str:
        services.record_return(record, by=request.user, comment=request.POST.get("comment", ""))
        return "差し戻しました。"

    def _approve(self, request, record) -> str:
        grade = _grade(request.POST.get("final_grade"), record)
        services.record_approve(
            record, by=request.user, final_grade=grade, reason=request.POST.get("reason", "")
        )
        return "承認しました。"

    def _reopen(self, request, record) -> str:
        services.record_reopen(record, by=request.user, reason=request.POST.get("reason", ""))
        return "訂正のために再開し、所管課に戻しました。"

    def mine_view(self, request):
        """Where department staff land: their projects for the current year and what each still needs."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        current = fiscal_year_current()
        records = []
        if current:
            records = list(
                records_with_department(
                    scope_by_project_year(
                        request.user,
                        ProjectRecord.objects.filter(fiscal_year=current.year, project__plan=current.plan),
                        "project",
                        "fiscal_year",
                        editing=True,
                    )
                )
                .with_results()
                .select_related("project")
                .order_by("project__code")
            )
        statuses = cycle_statuses(records)
        rows = [
            {
                "record": record,
                "missing": record.missing_items() if record.status in RecordStatus.with_department() else [],
                # The list holds only records the user's department is responsible for (editing scope).
                "editable": record.is_open_to_department(
                    statuses.get((record.project.plan_id, record.fiscal_year))
                ),
            }
            for record in records
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": "担当事業の入力状況",
            "fiscal_year": current,
            "rows": rows,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/evaluation/projectrecord/mine.html", context)

    def results_export_view(self, request):
        """The results the user may fill now, as the spreadsheet the import takes back."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        resource = IndicatorResultResource(user=request.user)
        dataset = resource.export(queryset=resource.export_queryset())
        filename = f"成果指標の実績_{datetime.date.today():%Y%m%d}.xlsx"
        return HttpResponse(
            dataset.export("xlsx"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={
                "Content-Disposition": content_disposition_header(as_attachment=True, filename=filename)
            },
        )

    def results_import_view(self, request):
        """Take a filled sheet back: all rows are saved, or none and every problem is listed."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        upload = request.FILES.get("sheet")
        try:
            if upload is None:
                raise ValidationError("取り込むファイルを選んでください。")
            outcome = results_import(dataset_from_upload(upload), by=request.user)
            problems = outcome.problems
        except ValidationError as error:
            problems = [ImportProblem(None, "ファイル", message) for message in error.messages]
        if not problems:
            messages.success(
                request,
                f"取り込みました（変更{outcome.changed}件、変更なし{outcome.unchanged}件）。"
                "各事業の画面で確認してから提出してください。",
            )
            return redirect("admin:evaluation_projectrecord_mine")
        context = {
            **self.admin_site.each_context(request),
            "title": "取り込めませんでした",
            "problems": problems,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/evaluation/projectrecord/import_problems.html", context)

    def board_view(self, request):
        """The DX office's submission board: per department, records in each state, overdue flagged."""
        if not sees_everything(request.user):
            raise Http404
        years = (
            FiscalYear.objects.select_related("plan").exclude(status=CycleStatus.PLANNED).order_by("-year")
        )
        chosen = request.GET.get("year")
        fiscal_year = years.filter(year=whole_number(chosen)).first() if chosen else fiscal_year_current()
        context = {
            **self.admin_site.each_context(request),
            "title": "提出状況ボード",
            "fiscal_year": fiscal_year,
            "years": years,
            "statuses": RecordStatus.choices,
            "rows": submission_board(fiscal_year, today=datetime.date.today()) if fiscal_year else [],
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/evaluation/projectrecord/board.html", context)


def _grade(pk: str | None, record: ProjectRecord) -> Grade | None:
    """The grade chosen on the form, which must belong to the record's plan's scale."""
    if not pk:
        return None
    grade = Grade.objects.filter(pk=whole_number(pk), scale__plan_id=record.project.plan_id).first()
    if grade is None:
        raise ValidationError(
            "選んだ評価区分はこの計画の評価区分ではありません。一覧から選び直してください。"
        )
    return grade


def _message(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, PermissionDenied):
        return str(error) or "この操作を行う権限がありません。"
    return " ".join(error.messages)
