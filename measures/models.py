"""Measures (施策), their main initiatives (主な取組) and target indicators (施策目標値).

`IndicatorBase` and `YearlyTargetBase` are shared with the projects' outcome indicators, so both
kinds of indicator carry the same fields and the same rules.
"""

from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from measures.enums import Direction, IndicatorKind, MeasureLineage
from strategy.achievement import IndicatorSpec, YearTarget, target_for_year
from strategy.models import BasicGoal, Plan, PortalModel, year_in_range

VALUE = {"max_digits": 16, "decimal_places": 4}


class MeasureManager(models.Manager):
    def get_by_natural_key(self, plan_code, code):
        return self.get(plan__code=plan_code, code=code)


class Measure(PortalModel):
    plan = models.ForeignKey(Plan, verbose_name="計画", on_delete=models.PROTECT, related_name="measures")
    goal = models.ForeignKey(
        BasicGoal, verbose_name="基本目標", on_delete=models.PROTECT, related_name="measures"
    )
    code = models.CharField("施策番号", max_length=10, help_text="「基本目標番号-連番」の形。例: 1-1")
    title = models.CharField("施策名", max_length=200)
    aim = models.TextField("施策の方向性", blank=True)
    lineage = models.CharField(
        "前計画との関係", max_length=20, choices=MeasureLineage.choices, default=MeasureLineage.NEW
    )
    predecessors = models.ManyToManyField(
        "self",
        verbose_name="前計画の施策",
        symmetrical=False,
        blank=True,
        related_name="successors",
        help_text="この施策が引き継いだ前計画の施策",
    )
    lineage_note = models.CharField("前計画との関係（補足）", max_length=200, blank=True)

    history = HistoricalRecords(m2m_fields=[predecessors])
    objects = MeasureManager()

    class Meta:
        verbose_name = verbose_name_plural = "施策"
        ordering = ["plan__start_year", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "code"],
                name="measure_code_unique_in_plan",
                violation_error_message="この計画には同じ施策番号が既にあります。",
            ),
        ]

    def __str__(self):
        return f"施策{self.code} {self.title}"

    def natural_key(self):
        return (*self.plan.natural_key(), self.code)

    natural_key.dependencies = ["strategy.plan", "strategy.basicgoal"]

    def clean(self):
        if not self.goal_id:
            return
        if self.plan_id and self.goal.plan_id != self.plan_id:
            raise ValidationError(
                {"goal": "施策と同じ計画の基本目標を選んでください。"}, code="goal_other_plan"
            )
        prefix = f"{self.goal.number}-"
        if not (self.code.startswith(prefix) and self.code[len(prefix) :].isdigit()):
            raise ValidationError(
                {
                    "code": f"施策番号は「{prefix}番号」の形にしてください（基本目標{self.goal.number}の施策）。"
                },
                code="code_goal_mismatch",
            )


class InitiativeManager(models.Manager):
    def get_by_natural_key(self, plan_code, measure_code, number):
        return self.get(measure__plan__code=plan_code, measure__code=measure_code, number=number)


class Initiative(PortalModel):
    measure = models.ForeignKey(
        Measure, verbose_name="施策", on_delete=models.PROTECT, related_name="initiatives"
    )
    number = models.PositiveSmallIntegerField("番号")
    title = models.CharField("主な取組", max_length=200)

    history = HistoricalRecords()
    objects = InitiativeManager()

    class Meta:
        verbose_name = verbose_name_plural = "主な取組"
        ordering = ["measure__plan__start_year", "measure__code", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "number"],
                name="initiative_number_unique",
                violation_error_message="この施策には同じ番号の取組が既にあります。",
            ),
        ]

    def __str__(self):
        return f"{self.measure.code} {self.title}"

    def natural_key(self):
        return (*self.measure.natural_key(), self.number)

    natural_key.dependencies = ["measures.measure"]


class IndicatorBase(PortalModel):
    """The fields every indicator has: unit, direction, kind, baseline and final target."""

    code = models.CharField("指標番号", max_length=20)
    name = models.CharField("指標名", max_length=200)
    unit = models.CharField("単位", max_length=20, blank=True, help_text="例: 件、人、％")
    decimals = models.PositiveSmallIntegerField(
        "小数点以下の桁数", default=0, validators=[MaxValueValidator(4)], help_text="0〜4"
    )
    direction = models.CharField("方向", max_length=10, choices=Direction.choices, default=Direction.INCREASE)
    kind = models.CharField(
        "指標の種類", max_length=20, choices=IndicatorKind.choices, default=IndicatorKind.PER_YEAR
    )
    tolerance = models.DecimalField(
        "許容幅",
        **VALUE,
        default=Decimal(0),
        help_text="「維持」の指標で、目標値からこの幅の中なら達成とみなします（単位は指標と同じ）。",
    )
    baseline_value = models.DecimalField("現状値（基準値）", **VALUE, null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(
        "基準年度", null=True, blank=True, help_text="西暦。例: 2022"
    )
    final_target = models.DecimalField("最終目標値", **VALUE, null=True, blank=True)
    final_target_year = models.PositiveSmallIntegerField(
        "目標年度", null=True, blank=True, help_text="西暦。例: 2027"
    )
    method = models.TextField("測定方法", blank=True)
    source = models.CharField("出典・データの所在", max_length=200, blank=True)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(baseline_year__isnull=True)
                | Q(final_target_year__isnull=True)
                | Q(baseline_year__lte=models.F("final_target_year")),
                name="%(app_label)s_%(class)s_years_ordered",
                violation_error_message="基準年度は目標年度以前にしてください。",
            ),
            models.CheckConstraint(
                condition=Q(tolerance__gte=0),
                name="%(app_label)s_%(class)s_tolerance_positive",
                violation_error_message="許容幅は0以上にしてください。",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def spec(self, yearly_targets: Mapping[int, Decimal] | None = None) -> IndicatorSpec:
        """The indicator as the arithmetic sees it, with the year targets given, else those `targets`
        holds (so prefetch them for lists, or read them all at once and give them)."""
        if yearly_targets is None:
            yearly_targets = {target.fiscal_year: target.value for target in self.targets.all()}
        return IndicatorSpec(
            direction=self.direction,
            kind=self.kind,
            baseline=self.baseline_value,
            baseline_year=self.baseline_year,
            final_target=self.final_target,
            final_year=self.final_target_year,
            tolerance=self.tolerance,
            yearly_targets=yearly_targets,
        )

    def target_for(self, year: int, yearly_targets: Mapping[int, Decimal] | None = None) -> YearTarget:
        return target_for_year(self.spec(yearly_targets), year)

    def clean_indicator(self, plan: Plan) -> None:
        errors = {}
        if (
            self.final_target_year is not None
            and not plan.start_year <= self.final_target_year <= plan.end_year
        ):
            errors["final_target_year"] = (
                f"目標年度は計画期間（{plan.start_year}〜{plan.end_year}年度）の中にしてください。"
            )
        if self.kind != IndicatorKind.QUALITATIVE and self.final_target is None:
            errors["final_target"] = "定性指標以外は最終目標値を入力してください。"
        if self.baseline_value is not None and self.baseline_year is None:
            errors["baseline_year"] = "現状値を入れたときは、その年度も入力してください。"
        if errors:
            raise ValidationError(errors)


class YearlyTargetBase(PortalModel):
    fiscal_year = models.PositiveSmallIntegerField("年度", help_text="西暦の年度。例: 2025")
    value = models.DecimalField("年度目標値", **VALUE)

    class Meta:
        abstract = True
        ordering = ["fiscal_year"]

    def __str__(self):
        return f"{self.fiscal_year}: {self.value}"


class MeasureIndicatorManager(models.Manager):
    def get_by_natural_key(self, plan_code, measure_code, code):
        return self.get(measure__plan__code=plan_code, measure__code=measure_code, code=code)


class MeasureIndicator(IndicatorBase):
    """A measure's target indicator (施策目標値)."""

    measure = models.ForeignKey(
        Measure, verbose_name="施策", on_delete=models.PROTECT, related_name="indicators"
    )

    history = HistoricalRecords()
    objects = MeasureIndicatorManager()

    class Meta(IndicatorBase.Meta):
        verbose_name = verbose_name_plural = "施策目標値"
        ordering = ["measure__code", "code"]
        constraints = [
            *IndicatorBase.Meta.constraints,
            models.UniqueConstraint(
                fields=["measure", "code"],
                name="measure_indicator_code_unique",
                violation_error_message="この施策には同じ番号の指標が既にあります。",
            ),
        ]

    def natural_key(self):
        return (*self.measure.natural_key(), self.code)

    natural_key.dependencies = ["measures.measure"]

    @property
    def plan(self) -> Plan:
        return self.measure.plan

    def clean(self):
        if self.measure_id:
            self.clean_indicator(self.measure.plan)


class MeasureIndicatorTarget(YearlyTargetBase):
    indicator = models.ForeignKey(
        MeasureIndicator, verbose_name="施策目標値", on_delete=models.CASCADE, related_name="targets"
    )

    history = HistoricalRecords()

    class Meta(YearlyTargetBase.Meta):
        verbose_name = verbose_name_plural = "施策目標値の年度目標"
        constraints = [
            year_in_range("fiscal_year"),
            models.UniqueConstraint(
                fields=["indicator", "fiscal_year"],
                name="measure_target_year_unique",
                violation_error_message="この指標にはこの年度の目標値が既にあります。",
            ),
        ]

    def clean(self):
        if self.indicator_id:
            self.indicator.measure.plan.validate_year(self.fiscal_year, field="fiscal_year")
