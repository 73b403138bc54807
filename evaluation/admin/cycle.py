from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.html import format_html_join

from core.admin import PortalAdmin, PortalInline, ReadOnlyMixin
from core.fiscal import fiscal_year_label
from evaluation import services
from evaluation.enums import CycleStatus
from evaluation.forms import VersionedForm
from evaluation.models import (
    CommitteeOpinion,
    FiscalYear,
    Grade,
    GradeScale,
    MeasureEvaluation,
    MeasureIndicatorResult,
    YearSnapshot,
)
from evaluation.selectors import plan_current
from measures.models import Measure
from projects.models import Project
from projects.scoping import sees_everything


class MeasureEvaluationForm(VersionedForm):
    class Meta:
        model = MeasureEvaluation
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "measure" in self.fields:  # absent when a reported year makes the form read-only
            self.fields["measure"].queryset = self._plan_measures()
            self.fields["measure"].label_from_instance = lambda measure: f"{measure}（{measure.plan}）"

    def _plan_measures(self):
        """The measures of the evaluation's own plan, or for a new one of the plan being worked on:
        both plans number their measures alike, so the other plan's would only mislead."""
        plan = self.instance.measure.plan if self.instance.measure_id else plan_current()
        return Measure.objects.filter(plan=plan).select_related("plan")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("measure") and cleaned.get("fiscal_year"):
            # The service's own check, here so its message stands next to the field instead of failing the save.
            subject = MeasureEvaluation(
                measure=cleaned["measure"], fiscal_year=cleaned["fiscal_year"],
                grade=cleaned.get("grade"), grade_reason=cleaned.get("grade_reason", ""),
            )  # fmt: skip
            services.measure_evaluation_check(subject)
        return cleaned


class LockedYearReadOnly:
    """Measure-level rows of a reported (locked) year can be read, not changed or deleted."""

    def _locked(self, obj) -> bool:
        plan_id = obj.measure.plan_id if hasattr(obj, "measure") else obj.indicator.measure.plan_id
        return FiscalYear.objects.filter(
            plan_id=plan_id, year=obj.fiscal_year, status=CycleStatus.LOCKED
        ).exists()

    def has_change_permission(self, request, obj=None):
        return not (obj is not None and self._locked(obj)) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (obj is not None and self._locked(obj)) and super().has_delete_permission(request, obj)


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
    """The DX office moves a year through its cycle with the actions; the state is never typed in."""

    list_display = ["label", "plan", "status", "deadline", "figures"]
    list_select_related = ["plan"]
    list_filter = ["plan", "status"]
    list_editable = ["deadline"]
    readonly_fields = ["status"]
    actions = ["open_for_entry", "start_review", "lock", "prepare_records"]

    def get_readonly_fields(self, request, obj=None):
        return ["plan", "year", "status"] if obj else ["status"]

    def has_delete_permission(self, request, obj=None):
        return False  # deleting a year would undo its lock and orphan its records

    def get_list_display(self, request):
        # The figures' pages cover every department's projects: staff would get 404.
        columns = super().get_list_display(request)
        return columns if sees_everything(request.user) else [c for c in columns if c != "figures"]

    def get_queryset(self, request):
        latest = YearSnapshot.objects.filter(plan=OuterRef("plan"), fiscal_year=OuterRef("year")).order_by(
            "-taken_at"
        )
        return super().get_queryset(request).annotate(snapshot_id=Subquery(latest.values("pk")[:1]))

    @admin.display(description="数値")
    def figures(self, fiscal_year):
        if fiscal_year.status == CycleStatus.PLANNED:
            return "−"
        links = [
            (
                reverse(
                    "rollups:explain",
                    args=[fiscal_year.plan.code, fiscal_year.year, "plan", fiscal_year.plan.code],
                ),
                "計算根拠",
            )
        ]
        if fiscal_year.snapshot_id:
            links.append(
                (reverse("rollups:snapshot_diff", args=[fiscal_year.snapshot_id]), "報告時点との差分")
            )
        return format_html_join("　", '<a href="{}">{}</a>', links)

    @admin.display(description="年度", ordering="year")
    def label(self, fiscal_year):
        return fiscal_year_label(fiscal_year.year)

    def _each(self, request, queryset, perform, done: str):
        for fiscal_year in queryset:
            try:
                perform(fiscal_year)
                messages.success(request, f"{fiscal_year}：{done}")
            except (ValidationError, PermissionDenied) as error:
                text = (
                    " ".join(error.messages)
                    if isinstance(error, ValidationError)
                    else "DX推進課だけが行えます。"
                )
                messages.error(request, f"{fiscal_year}：{text}")

    @admin.action(description="入力受付を開始する（提出期限を先に入力）", permissions=["change"])
    def open_for_entry(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda year: services.fiscal_year_open(year, deadline=year.deadline, by=request.user),
            "入力受付を開始しました。各事業の評価を準備しました。",
        )

    @admin.action(description="入力受付を終了して審査を開始する", permissions=["change"])
    def start_review(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda year: services.fiscal_year_close(year, by=request.user),
            "審査を開始しました。",
        )

    @admin.action(description="確定する（議会に報告済み。以後は読み取り専用）", permissions=["change"])
    def lock(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda year: services.fiscal_year_lock(year, by=request.user),
            "確定し、報告時点の数値を記録しました。",
        )

    @admin.action(description="追加された事業の評価を準備する", permissions=["change"])
    def prepare_records(self, request, queryset):
        def prepare(year):
            if year.status != CycleStatus.OPEN:
                raise ValidationError("入力受付中の年度だけで準備できます。")
            count = services.records_prepare(
                Project.objects.filter(plan=year.plan).for_year(year.year), year, by=request.user
            )
            messages.info(request, f"{year}：{count}件の評価を新たに準備しました。")

        self._each(request, queryset, prepare, "準備を確認しました。")


@admin.register(MeasureEvaluation)
class MeasureEvaluationAdmin(LockedYearReadOnly, PortalAdmin):
    """The DX office's yearly evaluation of a measure, beside the grade its figures propose."""

    form = MeasureEvaluationForm
    list_display = ["measure", "fiscal_year", "proposed_grade", "grade", "evaluated_by", "updated_at"]
    list_select_related = ["measure", "proposed_grade", "grade", "evaluated_by"]
    list_filter = ["fiscal_year", "grade__code"]
    search_fields = ["measure__code", "measure__title"]
    readonly_fields = ["proposed_grade", "evaluated_by", "updated_at"]
    fields = ["measure", "fiscal_year", "seen_version", "proposed_grade", "grade", "grade_reason", "comment",
              "evaluated_by", "updated_at"]  # fmt: skip

    def save_model(self, request, obj, form, change):
        services.measure_evaluate(obj, by=request.user)


@admin.register(MeasureIndicatorResult)
class MeasureIndicatorResultAdmin(LockedYearReadOnly, PortalAdmin):
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
class YearSnapshotAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Snapshots are written only by locking a year; here they are read."""

    list_display = ["fiscal_year", "plan", "taken_at", "taken_by"]
    list_select_related = ["plan", "taken_by"]
    list_filter = ["plan", "fiscal_year"]
    readonly_fields = ["plan", "fiscal_year", "taken_at", "taken_by", "figures"]
