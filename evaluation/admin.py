from django.contrib import admin
from django.db.models import Prefetch

from evaluation.models import (
    ActionResult,
    CommitteeOpinion,
    FiscalYear,
    Grade,
    GradeScale,
    IndicatorResult,
    MeasureEvaluation,
    MeasureIndicatorResult,
    ProjectRecord,
    YearSnapshot,
)
from projects.enums import AssignmentRole
from projects.models import ProjectAssignment
from projects.scoping import is_dx_office, scope_by_project_year
from strategy.admin import PortalAdmin, PortalInline
from strategy.fiscal import fiscal_year_label


class GradeInline(PortalInline):
    model = Grade
    fields = ["code", "label", "short_label", "description", "colour", "min_achievement", "order"]


@admin.register(GradeScale)
class GradeScaleAdmin(PortalAdmin):
    list_display = ["name", "code", "plan"]
    list_select_related = ["plan"]
    inlines = [GradeInline]


@admin.register(Grade)
class GradeAdmin(PortalAdmin):
    list_display = ["display", "label", "min_achievement", "scale", "order"]
    list_select_related = ["scale"]
    list_filter = ["scale"]
    search_fields = ["code", "label"]


@admin.register(FiscalYear)
class FiscalYearAdmin(PortalAdmin):
    list_display = ["label", "plan", "status", "deadline"]
    list_select_related = ["plan"]
    list_filter = ["plan", "status"]

    @admin.display(description="年度", ordering="year")
    def label(self, fiscal_year):
        return fiscal_year_label(fiscal_year.year)


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


class ActionResultInline(PortalInline):
    model = ActionResult
    fields = ["action_goal", "done", "completion"]


class IndicatorResultInline(PortalInline):
    model = IndicatorResult
    fields = ["indicator", "actual", "actual_status", "note"]


@admin.register(ProjectRecord)
class ProjectRecordAdmin(YearScopedAdmin):
    list_display = [
        "project",
        "year_label",
        "department",
        "status",
        "self_grade",
        "final_grade",
        "updated_at",
    ]
    list_select_related = ["project", "self_grade", "final_grade"]
    list_filter = ["fiscal_year", "status", "project__measure__code"]
    search_fields = ["project__code", "project__name"]
    autocomplete_fields = ["project"]
    inlines = [ActionResultInline, IndicatorResultInline]
    readonly_fields = ["submitted_at", "submitted_by", "approved_at", "approved_by", "updated_at"]
    fieldsets = [
        (None, {"fields": ["project", "fiscal_year", "status"]}),
        (
            "自己評価",
            {
                "fields": [
                    "results_summary",
                    "self_grade",
                    "self_grade_reason",
                    "issues",
                    "next_direction",
                    "next_steps",
                ]
            },
        ),
        ("審査", {"fields": ["review_comment", "final_grade", "final_grade_reason", "internal_note"]}),
        ("記録", {"fields": ["submitted_at", "submitted_by", "approved_at", "approved_by", "updated_at"]}),
    ]

    def get_queryset(self, request):
        primaries = ProjectAssignment.objects.filter(role=AssignmentRole.PRIMARY).select_related("department")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("project__assignments", queryset=primaries, to_attr="primary_assignments")
            )
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if is_dx_office(request.user):
            return fieldsets
        # Internal notes are the DX office's alone.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "internal_note"]})
            for name, options in fieldsets
        ]

    @admin.display(description="所管課（当該年度）")
    def department(self, record):
        for assignment in record.project.primary_assignments:
            if assignment.start_year <= record.fiscal_year and (
                assignment.end_year is None or record.fiscal_year <= assignment.end_year
            ):
                return assignment.department.name
        return "−"


@admin.register(ActionResult)
class ActionResultAdmin(YearScopedAdmin):
    project_path = "record__project"
    year_path = "record__fiscal_year"
    list_display = ["record", "action_goal", "completion"]
    list_select_related = ["record__project", "action_goal"]
    list_filter = ["record__fiscal_year", "completion"]
    search_fields = ["record__project__code", "record__project__name"]
    autocomplete_fields = ["record", "action_goal"]


@admin.register(IndicatorResult)
class IndicatorResultAdmin(YearScopedAdmin):
    project_path = "record__project"
    year_path = "record__fiscal_year"
    list_display = ["record", "indicator", "actual", "actual_status"]
    list_select_related = ["record__project", "indicator"]
    list_filter = ["record__fiscal_year", "actual_status"]
    search_fields = ["record__project__code", "record__project__name", "indicator__name"]
    autocomplete_fields = ["record", "indicator"]


@admin.register(MeasureEvaluation)
class MeasureEvaluationAdmin(PortalAdmin):
    list_display = ["measure", "fiscal_year", "grade", "evaluated_by", "updated_at"]
    list_select_related = ["measure", "grade", "evaluated_by"]
    list_filter = ["fiscal_year", "grade__code"]
    search_fields = ["measure__code", "measure__title"]
    autocomplete_fields = ["measure"]


@admin.register(MeasureIndicatorResult)
class MeasureIndicatorResultAdmin(PortalAdmin):
    list_display = ["indicator", "fiscal_year", "actual", "actual_status"]
    list_select_related = ["indicator__measure"]
    list_filter = ["fiscal_year", "actual_status"]
    search_fields = ["indicator__name", "indicator__code"]
    autocomplete_fields = ["indicator"]


@admin.register(CommitteeOpinion)
class CommitteeOpinionAdmin(PortalAdmin):
    list_display = ["fiscal_year", "project", "measure", "committee", "has_response"]
    list_select_related = ["project", "measure"]
    list_filter = ["fiscal_year", "committee"]
    search_fields = ["opinion", "response", "project__code", "project__name", "measure__code"]
    autocomplete_fields = ["project", "measure"]
    readonly_fields = ["recorded_by", "updated_at"]

    @admin.display(description="対応方針", boolean=True)
    def has_response(self, opinion):
        return bool(opinion.response)

    def save_model(self, request, obj, form, change):
        obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(YearSnapshot)
class YearSnapshotAdmin(admin.ModelAdmin):
    """Snapshots are written only by locking a year; here they are read."""

    list_display = ["fiscal_year", "plan", "taken_at", "taken_by"]
    list_select_related = ["plan", "taken_by"]
    list_filter = ["plan", "fiscal_year"]
    readonly_fields = ["plan", "fiscal_year", "taken_at", "taken_by", "figures"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
