"""The admin of a project's yearly record: the entry form with its result rows, and the lists of rows.

The pages around it (the staff's list, the board, the results sheet, the review buttons) are views of
their own in `evaluation.views.records`.
"""

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.functional import SimpleLazyObject

from core.admin import PortalAdmin, PortalInline, ReadOnlyMixin
from core.fiscal import fiscal_year_label
from core.forms import PortalModelForm
from core.templatetags.portal import number
from core.validators import whole_number
from evaluation import services
from evaluation.enums import CycleStatus, RecordStatus
from evaluation.forms import VersionedForm, review_draft_key
from evaluation.models import ActionResult, FiscalYear, Grade, IndicatorResult, ProjectRecord
from evaluation.rollups.year import record_proposal_shown
from evaluation.selectors import fiscal_year_current, record_may_edit, records_with_department, result_changes
from projects.scoping import department_ids, is_dx_office, scope_by_project_year, sees_everything
from strategy.achievement import indicator_rates, percent_text
from strategy.models import Department

# The name of the entry form's 「提出する」 button: save what is typed, then submit.
SUBMIT = "_submit"


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


class ResultInline(PortalInline):
    """Rows prepared when the year opened: staff fill them, never add or delete them."""

    template = "admin/evaluation/projectrecord/results_inline.html"
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return self.admin_site._registry[ProjectRecord].has_change_permission(request, obj)


class ActionResultInline(ResultInline):
    model = ActionResult
    fields = ["goal", "done", "completion"]
    readonly_fields = ["goal"]
    verbose_name_plural = "行動目標と取組実績"

    def row_name(self, result) -> str:
        return f"行動目標{result.action_goal.number}"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("action_goal")

    @admin.display(description="行動目標")
    def goal(self, result):
        return f"{result.action_goal.number}. {result.action_goal.description}"


class IndicatorResultForm(PortalModelForm):
    """Notes the row's saved actual before the form writes what was typed onto it: a refused save
    shows the page again with the typed value in its input, and the rates still of the saved one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.saved_actual = (self.instance.actual, self.instance.actual_status)


class IndicatorResultInline(ResultInline):
    model = IndicatorResult
    form = IndicatorResultForm
    fields = ["indicator_name", "year_target", "actual", "unit", "actual_status", "rates", "note"]
    readonly_fields = ["indicator_name", "year_target", "unit", "rates"]
    verbose_name_plural = "成果指標の実績（目標値を見ながら入力してください）"

    def row_name(self, result) -> str:
        return result.indicator.name

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("indicator", "record__project__plan")
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

    @admin.display(description="進捗率／達成率（保存した値）")
    def rates(self, result):
        indicator, year = result.indicator, result.record.fiscal_year
        rates = indicator_rates(
            indicator.spec(),
            indicator.target_for(year).value,
            *result.saved_actual,
            graded_by=result.record.project.plan.grading_rate,
        )
        graded = f"（{rates.grading_label}で評価）"
        return f"進捗率 {percent_text(rates.progress.value)}／達成率 {percent_text(rates.attainment.value)}{graded}"


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


class DepartmentFilter(admin.SimpleListFilter):
    """The department responsible for the record's project in the record's year (所管課).

    Staff are offered only their own departments (and the units they succeeded): the filter must not
    list, or count, another department's records. The dashboard's submission counts link here.
    """

    title = "所管課"
    parameter_name = "department"

    def lookups(self, request, model_admin):
        departments = Department.objects.order_by("code")
        if not sees_everything(request.user):
            departments = departments.filter(pk__in=department_ids(request.user))
        return [(department.code, department.name) for department in departments]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        if self.value() not in {code for code, _ in self.lookup_choices}:
            raise IncorrectLookupParameters  # the admin's "invalid filter" page, not another unit's rows
        return queryset.filter(department_code=self.value())


@admin.register(ProjectRecord)
class ProjectRecordAdmin(YearScopedAdmin):
    form = RecordForm
    change_form_template = "admin/evaluation/projectrecord/change_form.html"
    list_display = ["project", "year_label", "department", "status", "missing", "self_grade", "final_grade"]
    list_select_related = ["project", "self_grade", "final_grade"]
    list_filter = [FiscalYearFilter, DepartmentFilter, "status", "project__measure__code"]
    search_fields = ["project__code", "project__name"]
    inlines = [ActionResultInline, IndicatorResultInline]
    actions = ["approve_selected"]
    always_readonly = [
        "project", "year_label", "status", "proposed_grade", "final_grade", "final_grade_reason",
        "submitted_at", "submitted_by", "approved_at", "approved_by", "reopened", "updated_at",
    ]  # fmt: skip

    def get_queryset(self, request):
        shown = [
            "project__plan",
            "cycle",
            "self_grade",
            "proposed_grade",
            "final_grade",
            "submitted_by",
            "approved_by",
        ]
        records = super().get_queryset(request).select_related(*shown)  # read with the record, not after
        return records_with_department(records).with_results()

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

    object_history_template = "admin/evaluation/projectrecord/object_history.html"

    def history_view(self, request, object_id, extra_context=None):
        """The record's own changes, then every change to its result rows (the values staff typed)."""
        record = self.get_object(request, object_id)
        context = {"result_changes": result_changes(record), **(extra_context or {})}
        return super().history_view(request, object_id, context)

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
            cache[record.pk] = record_may_edit(request.user, record)
        return cache[record.pk]

    def save_model(self, request, obj, form, change):
        """Nothing here: the record is saved with its result rows by the entry service (`save_related`)."""

    def save_related(self, request, form, formsets, change):
        """Save the record and every changed result row in one service call; with 「提出する」, submit too."""
        results = [row.instance for formset in formsets for row in formset.forms if row.has_changed()]
        entry = {
            "by": request.user,
            "seen_version": form.cleaned_data.get("seen_version"),
            "results": results,
        }
        if SUBMIT in request.POST:
            request.submission_refused = services.record_entry_submit(form.instance, **entry)
        else:
            services.record_entry_save(form.instance, **entry)
        for formset in formsets:  # what the admin's change message reads from a formset it saved itself
            formset.new_objects, formset.deleted_objects = [], []
            formset.changed_objects = [
                (row.instance, row.changed_data) for row in formset.forms if row.has_changed()
            ]

    def response_change(self, request, obj):
        if SUBMIT in request.POST:
            refusal = request.submission_refused
            if refusal is None:
                messages.success(request, f"{obj.project}：提出しました。DX推進課の審査をお待ちください。")
                return redirect("records:mine")
            messages.error(request, f"入力内容は保存しました（入力中）。{_message(refusal)}")
            return redirect("admin:evaluation_projectrecord_change", obj.pk)
        if "_continue" not in request.POST and not sees_everything(request.user):
            messages.success(request, f"{obj.project}：入力内容を保存しました。")
            return redirect("records:mine")  # staff go back to their own list, not the records list
        return super().response_change(request, obj)

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

    def change_view(self, request, object_id, form_url="", extra_context=None):
        record = self.get_object(request, object_id)
        context = {
            "record": record,
            "missing_items": record.missing_items()
            if record.status in RecordStatus.with_department()
            else [],
            "can_submit": record.status in RecordStatus.with_department() and self._editable(request, record),
            # Read only when the page is shown (a save redirects instead); of the saved rows, so an
            # invalid form shown again still gets the stored record's proposal.
            "proposal": SimpleLazyObject(lambda: record_proposal_shown(record))
            if record.status in RecordStatus.with_department()
            else None,
            "can_review": is_dx_office(request.user) and record.status in RecordStatus.awaiting_review(),
            "can_reopen": is_dx_office(request.user)
            and record.status == RecordStatus.APPROVED
            and record.cycle.status == CycleStatus.LOCKED,
            "grades": Grade.objects.filter(scale__plan_id=record.project.plan_id),
            "review": request.session.pop(review_draft_key(record.pk), {}),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)


def _message(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, PermissionDenied):
        return str(error) or "この操作を行う権限がありません。"
    return " ".join(error.messages)
