"""Implementation projects (事業), who is responsible for them in which year, their action goals
(行動目標) and outcome indicators (成果指標)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from core.fiscal import fiscal_year_label
from measures.models import IndicatorBase, Initiative, Measure, MeasureIndicator, YearlyTargetBase
from projects.enums import AssignmentRole, ProjectStatus
from strategy.models import Department, Plan, PortalModel, year_in_range


def covers_year(year, prefix: str = "") -> Q:
    """Rows whose [start_year, end_year] span contains `year` (a number, or an OuterRef to one);
    an empty end year is open-ended. Projects and responsibilities alike are dated this way."""
    return Q(**{f"{prefix}start_year__lte": year}) & (
        Q(**{f"{prefix}end_year__isnull": True}) | Q(**{f"{prefix}end_year__gte": year})
    )


def end_after_start(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(end_year__isnull=True) | Q(end_year__gte=models.F("start_year")),
        name=name,
        violation_error_message="終了年度は開始年度以降にしてください。",
    )


class ProjectQuerySet(models.QuerySet):
    def for_year(self, year: int):
        """Projects that run in fiscal `year`."""
        return self.filter(covers_year(year))


class ProjectManager(models.Manager.from_queryset(ProjectQuerySet)):
    def get_by_natural_key(self, plan_code, code):
        return self.get(plan__code=plan_code, code=code)


class Project(PortalModel):
    plan = models.ForeignKey(Plan, verbose_name="計画", on_delete=models.PROTECT, related_name="projects")
    code = models.CharField("事業番号", max_length=20, help_text="実施事業集の番号。例: 1-1-01")
    name = models.CharField("事業名", max_length=200)
    summary = models.TextField("事業概要", blank=True)
    measure = models.ForeignKey(
        Measure, verbose_name="施策", on_delete=models.PROTECT, related_name="projects"
    )
    initiative = models.ForeignKey(
        Initiative,
        verbose_name="主な取組",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    start_year = models.PositiveSmallIntegerField("開始年度", help_text="西暦。例: 2024")
    end_year = models.PositiveSmallIntegerField("終了年度", null=True, blank=True, help_text="継続中は空欄")
    status = models.CharField(
        "状態", max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.RUNNING
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name="統合先の事業",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )

    history = HistoricalRecords()
    objects = ProjectManager()

    class Meta:
        verbose_name = verbose_name_plural = "事業"
        ordering = ["code"]
        constraints = [
            year_in_range("start_year"),
            end_after_start("project_years_ordered"),
            models.UniqueConstraint(
                fields=["plan", "code"],
                name="project_code_unique_in_plan",
                violation_error_message="この計画には同じ事業番号が既にあります。",
            ),
            models.CheckConstraint(
                condition=Q(status=ProjectStatus.MERGED, merged_into__isnull=False)
                | (~Q(status=ProjectStatus.MERGED) & Q(merged_into__isnull=True)),
                name="project_merged_has_target",
                violation_error_message="「統合」の事業には統合先を、それ以外には統合先を入れないでください。",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def natural_key(self):
        return (*self.plan.natural_key(), self.code)

    natural_key.dependencies = ["strategy.plan", "measures.measure"]

    def runs_in(self, year: int) -> bool:
        return self.start_year <= year and (self.end_year is None or year <= self.end_year)

    def clean(self):
        errors = {}
        if self.plan_id:
            for field in ("start_year", "end_year"):
                try:
                    self.plan.validate_year(getattr(self, field), field=field)
                except ValidationError as error:
                    errors.update(error.message_dict)
        if self.measure_id and self.plan_id and self.measure.plan_id != self.plan_id:
            errors["measure"] = ["事業と同じ計画の施策を選んでください。"]
        if self.initiative_id and self.measure_id and self.initiative.measure_id != self.measure_id:
            errors["initiative"] = [f"主な取組は施策{self.measure.code}のものを選んでください。"]
        if self.status == ProjectStatus.MERGED and not self.merged_into_id:
            errors["merged_into"] = ["「統合」の事業には統合先の事業を選んでください。"]
        if self.merged_into_id and self.status != ProjectStatus.MERGED:
            errors["merged_into"] = ["統合先は状態が「統合」の事業にだけ入力します。"]
        if errors:
            raise ValidationError(errors)


class ProjectAssignment(PortalModel):
    """Which department is responsible for a project from which fiscal year (never overwritten)."""

    project = models.ForeignKey(
        Project, verbose_name="事業", on_delete=models.CASCADE, related_name="assignments"
    )
    department = models.ForeignKey(
        Department, verbose_name="組織", on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.CharField(
        "役割", max_length=10, choices=AssignmentRole.choices, default=AssignmentRole.PRIMARY
    )
    start_year = models.PositiveSmallIntegerField("開始年度", help_text="西暦。例: 2024")
    end_year = models.PositiveSmallIntegerField(
        "終了年度", null=True, blank=True, help_text="現在も担当なら空欄"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "事業の担当組織"
        ordering = ["project__code", "role", "start_year"]
        constraints = [year_in_range("start_year"), end_after_start("assignment_years_ordered")]

    def __str__(self):
        end = fiscal_year_label(self.end_year) if self.end_year else ""
        return f"{self.department.name}（{self.get_role_display()}、{fiscal_year_label(self.start_year)}〜{end}）"

    def clean(self):
        if not (self.project_id and self.department_id and self.start_year):
            return
        if self.role == AssignmentRole.PRIMARY:
            overlapping = ProjectAssignment.objects.filter(
                project=self.project, role=AssignmentRole.PRIMARY
            ).exclude(pk=self.pk)
            end = self.end_year or 9999
            overlapping = overlapping.filter(Q(end_year__isnull=True) | Q(end_year__gte=self.start_year))
            if overlapping.filter(start_year__lte=end).exists():
                raise ValidationError(
                    {
                        "start_year": "この期間には既に所管課が登録されています。前の担当の終了年度を先に入れてください。"
                    },
                    code="overlapping_primary",
                )


class ActionGoal(PortalModel):
    """What a project plans to do in one fiscal year (行動目標)."""

    project = models.ForeignKey(
        Project, verbose_name="事業", on_delete=models.CASCADE, related_name="action_goals"
    )
    fiscal_year = models.PositiveSmallIntegerField("年度", help_text="西暦。例: 2025")
    number = models.PositiveSmallIntegerField("番号", default=1)
    description = models.TextField("行動目標")

    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "行動目標"
        ordering = ["project__code", "fiscal_year", "number"]
        constraints = [
            year_in_range("fiscal_year"),
            models.UniqueConstraint(
                fields=["project", "fiscal_year", "number"],
                name="action_goal_unique",
                violation_error_message="この事業・年度には同じ番号の行動目標が既にあります。",
            ),
        ]

    def __str__(self):
        return f"{fiscal_year_label(self.fiscal_year)} {self.description[:40]}"

    def clean(self):
        if self.project_id:
            self.project.plan.validate_year(self.fiscal_year, field="fiscal_year")


class OutcomeIndicatorManager(models.Manager):
    def get_by_natural_key(self, plan_code, project_code, code):
        return self.get(project__plan__code=plan_code, project__code=project_code, code=code)


class OutcomeIndicator(IndicatorBase):
    """A project's outcome indicator (成果指標)."""

    project = models.ForeignKey(
        Project, verbose_name="事業", on_delete=models.CASCADE, related_name="indicators"
    )
    measure_indicator = models.ForeignKey(
        MeasureIndicator,
        verbose_name="寄与する施策目標値",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contributing_indicators",
    )

    history = HistoricalRecords()
    objects = OutcomeIndicatorManager()

    class Meta(IndicatorBase.Meta):
        verbose_name = verbose_name_plural = "成果指標"
        ordering = ["project__code", "code"]
        constraints = [
            *IndicatorBase.Meta.constraints,
            models.UniqueConstraint(
                fields=["project", "code"],
                name="outcome_indicator_code_unique",
                violation_error_message="この事業には同じ番号の指標が既にあります。",
            ),
        ]

    def natural_key(self):
        return (*self.project.natural_key(), self.code)

    natural_key.dependencies = ["projects.project"]

    @property
    def plan(self) -> Plan:
        return self.project.plan

    def clean(self):
        if not self.project_id:
            return
        self.clean_indicator(self.project.plan)
        if self.measure_indicator_id and self.measure_indicator.measure_id != self.project.measure_id:
            raise ValidationError(
                {"measure_indicator": f"施策{self.project.measure.code}の施策目標値を選んでください。"},
                code="other_measure",
            )


class OutcomeIndicatorTarget(YearlyTargetBase):
    indicator = models.ForeignKey(
        OutcomeIndicator, verbose_name="成果指標", on_delete=models.CASCADE, related_name="targets"
    )

    history = HistoricalRecords()

    class Meta(YearlyTargetBase.Meta):
        verbose_name = verbose_name_plural = "成果指標の年度目標"
        constraints = [
            year_in_range("fiscal_year"),
            models.UniqueConstraint(
                fields=["indicator", "fiscal_year"],
                name="outcome_target_year_unique",
                violation_error_message="この指標にはこの年度の目標値が既にあります。",
            ),
        ]

    def clean(self):
        if self.indicator_id:
            self.indicator.project.plan.validate_year(self.fiscal_year, field="fiscal_year")
