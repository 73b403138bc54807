from django.contrib import admin
from django.db.models import Prefetch

from measures.admin import INDICATOR_FIELDSETS
from projects.enums import AssignmentRole
from projects.models import ActionGoal, OutcomeIndicator, OutcomeIndicatorTarget, Project, ProjectAssignment
from projects.scoping import projects_visible, scope_by_project
from strategy.admin import PortalAdmin, PortalInline


class ProjectScopedAdmin(PortalAdmin):
    """Rows that hang off a project: staff see only their departments' projects, and choose only those."""

    project_path = "project"

    def get_queryset(self, request):
        return scope_by_project(request.user, super().get_queryset(request), self.project_path)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Project:
            kwargs["queryset"] = projects_visible(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AssignmentInline(PortalInline):
    model = ProjectAssignment
    fields = ["department", "role", "start_year", "end_year"]
    autocomplete_fields = ["department"]


class ActionGoalInline(PortalInline):
    model = ActionGoal
    fields = ["fiscal_year", "number", "description"]


@admin.register(Project)
class ProjectAdmin(PortalAdmin):
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
class ActionGoalAdmin(ProjectScopedAdmin):
    list_display = ["project", "fiscal_year", "number", "description"]
    list_select_related = ["project"]
    list_filter = ["fiscal_year"]
    search_fields = ["project__code", "project__name", "description"]
    autocomplete_fields = ["project"]


class OutcomeIndicatorTargetInline(PortalInline):
    model = OutcomeIndicatorTarget
    fields = ["fiscal_year", "value"]
    verbose_name_plural = (
        "年度目標値（計画に定めのある年度だけ。ほかの年度は基準値と最終目標から直線で補間します）"
    )


@admin.register(OutcomeIndicator)
class OutcomeIndicatorAdmin(ProjectScopedAdmin):
    list_display = ["project", "code", "name", "unit", "direction", "baseline_value", "final_target"]
    list_select_related = ["project"]
    list_filter = ["kind", "direction"]
    search_fields = ["project__code", "project__name", "name"]
    autocomplete_fields = ["project", "measure_indicator"]
    inlines = [OutcomeIndicatorTargetInline]
    fieldsets = [(None, {"fields": ["project", "measure_indicator"]}), *INDICATOR_FIELDSETS]


@admin.register(OutcomeIndicatorTarget)
class OutcomeIndicatorTargetAdmin(ProjectScopedAdmin):
    project_path = "indicator__project"
    list_display = ["indicator", "fiscal_year", "value"]
    list_select_related = ["indicator__project"]
    list_filter = ["fiscal_year"]
    search_fields = ["indicator__name", "indicator__project__code"]
    autocomplete_fields = ["indicator"]
