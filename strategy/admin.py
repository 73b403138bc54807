from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from core.admin import PortalAdmin, PortalInline
from strategy.models import BasicGoal, Department, Membership, Plan, PlanRevision


class BasicGoalInline(PortalInline):
    model = BasicGoal
    fields = ["number", "title", "formula"]


@admin.register(Plan)
class PlanAdmin(PortalAdmin):
    list_display = ["name", "code", "start_year", "end_year", "status", "predecessor"]
    list_select_related = ["predecessor"]
    list_filter = ["status"]
    search_fields = ["name", "code"]
    inlines = [BasicGoalInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "status", ("start_year", "end_year"), "ended_on", "predecessor"]}),
        ("位置付け", {"fields": ["parent_plan", "legal_basis", "purpose", "stance", "revision_policy"]}),
        ("評価", {"fields": ["grading_rate"]}),
    ]


@admin.register(BasicGoal)
class BasicGoalAdmin(PortalAdmin):
    list_display = ["number", "title", "formula", "plan"]
    list_select_related = ["plan"]
    list_filter = ["plan"]
    search_fields = ["title"]


@admin.register(PlanRevision)
class PlanRevisionAdmin(PortalAdmin):
    list_display = ["effective_year", "kind", "revised_on", "plan", "summary", "created_by"]
    list_select_related = ["plan", "created_by"]
    list_filter = ["plan", "kind", "effective_year"]
    search_fields = ["summary", "reason"]
    readonly_fields = ["created_by", "created_at"]
    date_hierarchy = "revised_on"

    # An append-only log: revisions are filed by the services, or added by hand for other kinds.
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class ValidityFilter(admin.SimpleListFilter):
    title = "存続状況"
    parameter_name = "valid"

    def lookups(self, request, model_admin):
        return [("current", "現存の組織"), ("past", "廃止・改組済み")]

    def queryset(self, request, queryset):
        if self.value() == "current":
            return queryset.filter(valid_to__isnull=True)
        if self.value() == "past":
            return queryset.filter(valid_to__isnull=False)
        return queryset


@admin.register(Department)
class DepartmentAdmin(PortalAdmin):
    list_display = ["code", "name", "kind", "parent", "valid_from", "valid_to"]
    list_select_related = ["parent"]
    list_filter = [ValidityFilter, "kind"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    filter_horizontal = ["predecessors"]


@admin.register(Membership)
class MembershipAdmin(PortalAdmin):
    list_display = ["user", "department"]
    list_select_related = ["user", "department"]
    list_filter = ["department"]
    search_fields = ["user__username", "user__first_name", "department__name"]
    autocomplete_fields = ["user", "department"]


class MembershipInline(PortalInline):
    model = Membership
    autocomplete_fields = ["department"]
    verbose_name_plural = "所属（所管課）"


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    inlines = [MembershipInline]
    list_filter = ["groups", "is_staff", "is_active"]
