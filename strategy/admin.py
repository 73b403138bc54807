import datetime

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from strategy.forms import PortalModelForm
from strategy.models import BasicGoal, Department, Membership, Plan, PlanRevision


class PortalHistoryHelper(HistoricalRecordContextHelper):
    """Shows history values as staff know them: choice labels, and 「（なし）」 for an empty link."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if value is None or (field.is_relation and getattr(value, "pk", "") is None):
            return "（なし）"
        if value == "":
            return "（空欄）"
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, datetime.datetime):
            return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
        return super().prepare_delta_change_value(change, value)


class PortalAdmin(SimpleHistoryAdmin):
    """Base of every admin here: validated forms, and history only for rows the user may see."""

    form = PortalModelForm
    list_per_page = 50

    def get_object(self, request, object_id, from_field=None):
        """Another department's object answers 404, not a redirect that would confirm it exists."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("指定されたデータは見つからないか、閲覧する権限がありません。")
        return obj

    def _require_visible(self, request, object_id):
        if not self.get_queryset(request).filter(pk=unquote(object_id)).exists():
            raise Http404("指定されたデータは見つからないか、閲覧する権限がありません。")

    def get_historical_record_context_helper(self, request, historical_record):
        return PortalHistoryHelper(self.model, historical_record)

    def history_view_title(self, request, obj):
        return f"変更の履歴：{obj}"

    def history_view(self, request, object_id, extra_context=None):
        self._require_visible(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._require_visible(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


class PortalInline(admin.TabularInline):
    form = PortalModelForm
    extra = 0


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


def revision_action(model_admin, request, queryset, *, form_class, plan, perform, title: str):
    """An admin action that asks for a revision's year and reason, then applies `perform` to each row.

    All rows change or none: a refusal on one rolls back the others and is shown on the form,
    next to the field it concerns.
    """
    form = form_class(request.POST if "apply" in request.POST else None, plan=plan)
    if form.is_valid():
        try:
            with transaction.atomic():
                for obj in queryset:
                    perform(obj, form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request, f"{title}：{queryset.count()}件に適用し、計画の見直しとして記録しました。"
            )
            return None
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "objects": queryset,
        "action": request.POST.get("action"),
        "opts": model_admin.model._meta,
    }
    return TemplateResponse(request, "admin/revise.html", context)


def _add_errors(form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages_ in error.error_dict.items():
        form.add_error(field if field in form.fields else None, messages_)
