from django.contrib import admin

from evaluation.models import (
    CommitteeOpinion,
    FiscalYear,
    Grade,
    GradeScale,
    MeasureEvaluation,
    MeasureIndicatorResult,
    YearSnapshot,
)
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
