from django.contrib import admin, messages

from core.admin import PortalAdmin, PortalInline, ReadOnlyMixin, RevisedInline, revision_action
from measures import services
from measures.forms import TargetResetForm
from measures.models import Initiative, Measure, MeasureIndicator, MeasureIndicatorTarget

INDICATOR_FIELDSETS = [
    (
        "指標",
        {"fields": ["code", "name", ("unit", "decimals"), ("kind", "direction"), "tolerance"]},
    ),
    ("基準と目標", {"fields": [("baseline_value", "baseline_year"), ("final_target", "final_target_year")]}),
    ("測定", {"fields": ["method", "source"]}),
]


class InitiativeInline(PortalInline):
    model = Initiative
    fields = ["number", "title"]


@admin.register(Measure)
class MeasureAdmin(PortalAdmin):
    list_display = ["code", "title", "goal", "lineage", "plan"]
    list_display_links = ["code", "title"]
    list_select_related = ["goal", "plan"]
    list_filter = ["plan", "goal__number", "lineage"]
    search_fields = ["code", "title", "aim"]
    inlines = [InitiativeInline]
    filter_horizontal = ["predecessors"]
    fields = ["plan", "goal", "code", "title", "aim", "lineage", "predecessors", "lineage_note"]


@admin.register(Initiative)
class InitiativeAdmin(PortalAdmin):
    list_display = ["measure", "number", "title"]
    list_select_related = ["measure"]
    list_filter = ["measure__plan", "measure__code"]
    search_fields = ["title", "measure__code"]
    autocomplete_fields = ["measure"]


class MeasureIndicatorTargetInline(RevisedInline):
    model = MeasureIndicatorTarget
    fields = ["fiscal_year", "value"]
    verbose_name_plural = (
        "年度目標値（計画に定めのある年度だけ。ほかの年度は基準値と最終目標から直線で補間します）"
    )


@admin.register(MeasureIndicator)
class MeasureIndicatorAdmin(PortalAdmin):
    list_display = ["code", "name", "measure", "unit", "direction", "baseline_value", "final_target"]
    list_select_related = ["measure"]
    list_filter = ["measure__plan", "measure__code", "kind", "direction"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["measure"]
    inlines = [MeasureIndicatorTargetInline]
    fieldsets = [(None, {"fields": ["measure"]}), *INDICATOR_FIELDSETS]
    actions = ["reset_target"]
    revised_fields = services.INDICATOR_REVISED_FIELDS

    @admin.action(description="目標値を再設定する（計画の見直し）", permissions=["change"])
    def reset_target(self, request, queryset):
        return target_reset_action(self, request, queryset)


@admin.register(MeasureIndicatorTarget)
class MeasureIndicatorTargetAdmin(ReadOnlyMixin, PortalAdmin):
    """A list to search; targets are set on their indicator's page, or re-set as a plan revision."""

    list_display = ["indicator", "fiscal_year", "value"]
    list_select_related = ["indicator__measure"]
    list_filter = ["fiscal_year", "indicator__measure__code"]
    search_fields = ["indicator__name", "indicator__code"]
    autocomplete_fields = ["indicator"]


def target_reset_action(model_admin, request, queryset):
    """The target re-set, for measure and outcome indicators alike."""
    plans = {indicator.plan for indicator in queryset}
    if len(plans) != 1:
        model_admin.message_user(request, "同じ計画の指標だけを選んでください。", messages.ERROR)
        return None

    def perform(indicator, data):
        services.indicator_target_reset(
            indicator,
            year=data["year"],
            final_target=data["final_target"],
            reason=data["reason"],
            by=request.user,
        )

    return revision_action(
        model_admin, request, queryset, form_class=TargetResetForm, plan=plans.pop(), perform=perform,
        title="目標値の再設定",
    )  # fmt: skip
