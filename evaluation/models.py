"""The yearly cycle: fiscal years, the grade scale, and what is reported and evaluated each year."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from core.fiscal import fiscal_year_label
from evaluation.enums import ActualStatus, Completion, CycleStatus, NextDirection, RecordStatus
from measures.enums import IndicatorKind
from measures.models import VALUE, Measure, MeasureIndicator
from projects.models import ActionGoal, OutcomeIndicator, Project
from strategy.models import Plan, PortalModel, year_in_range


class GradeScaleManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class GradeScale(PortalModel):
    """A plan's grading scale; the levels are data so another city's bands need no code."""

    code = models.SlugField("コード", max_length=30, unique=True)
    name = models.CharField("名称", max_length=100)
    plan = models.OneToOneField(
        Plan, verbose_name="計画", null=True, blank=True, on_delete=models.PROTECT, related_name="grade_scale"
    )

    history = HistoricalRecords()
    objects = GradeScaleManager()

    class Meta:
        verbose_name = verbose_name_plural = "評価区分の体系"

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)


class GradeManager(models.Manager):
    def get_by_natural_key(self, scale_code, code):
        return self.get(scale__code=scale_code, code=code)


class Grade(PortalModel):
    scale = models.ForeignKey(
        GradeScale, verbose_name="体系", on_delete=models.CASCADE, related_name="grades"
    )
    code = models.CharField("区分", max_length=5)
    label = models.CharField("名称", max_length=50, help_text="例: 予定どおり進んでいる")
    short_label = models.CharField(
        "略称", max_length=20, help_text="例: 若干の遅れ。表では「B（若干の遅れ）」と表示"
    )
    description = models.CharField("説明", max_length=200, blank=True, help_text="読み上げ・凡例に使う説明")
    colour = models.CharField(
        "色", max_length=7, default="#666666", help_text="#RRGGBB。色だけで意味を伝えません"
    )
    min_achievement = models.DecimalField(
        "達成率の下限",
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="達成率（1.000＝100%）がこの値以上なら、この区分を提案します。評価不能の区分は空欄",
    )
    order = models.PositiveSmallIntegerField("並び順", default=0)

    history = HistoricalRecords()
    objects = GradeManager()

    class Meta:
        verbose_name = verbose_name_plural = "評価区分"
        ordering = ["scale", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["scale", "code"],
                name="grade_code_unique",
                violation_error_message="この体系には同じ区分が既にあります。",
            )
        ]

    def __str__(self):
        return self.display

    def natural_key(self):
        return (*self.scale.natural_key(), self.code)

    natural_key.dependencies = ["evaluation.gradescale"]

    @property
    def display(self) -> str:
        """Always the code with its text, never a colour or symbol alone: 「B（若干の遅れ）」."""
        return f"{self.code}（{self.short_label}）"

    @property
    def is_unrated(self) -> bool:
        return self.min_achievement is None


class FiscalYearManager(models.Manager):
    def get_by_natural_key(self, plan_code, year):
        return self.get(plan__code=plan_code, year=year)


class FiscalYear(PortalModel):
    """One turn of the PDCA cycle for a plan: opened for entry, reviewed, then locked."""

    plan = models.ForeignKey(Plan, verbose_name="計画", on_delete=models.PROTECT, related_name="fiscal_years")
    year = models.PositiveSmallIntegerField("年度", help_text="西暦の年度。例: 2024（令和6年度）")
    status = models.CharField("状態", max_length=10, choices=CycleStatus.choices, default=CycleStatus.PLANNED)
    deadline = models.DateField("提出期限", null=True, blank=True)

    history = HistoricalRecords()
    objects = FiscalYearManager()

    class Meta:
        verbose_name = verbose_name_plural = "評価年度"
        ordering = ["plan__start_year", "year"]
        constraints = [
            year_in_range("year"),
            models.UniqueConstraint(
                fields=["plan", "year"],
                name="fiscal_year_unique_in_plan",
                violation_error_message="この計画にはこの年度が既にあります。",
            ),
        ]

    def __str__(self):
        return fiscal_year_label(self.year)

    def natural_key(self):
        return (*self.plan.natural_key(), self.year)

    natural_key.dependencies = ["strategy.plan"]

    def clean(self):
        if self.plan_id:
            self.plan.validate_year(self.year, field="year")


class ActualBase(PortalModel):
    """An actual value (実績値) and why it may be missing: missing is never zero."""

    actual = models.DecimalField("実績値", **VALUE, null=True, blank=True)
    actual_status = models.CharField(
        "実績の状態",
        max_length=15,
        choices=ActualStatus.choices,
        default=ActualStatus.NOT_ENTERED,
        help_text="決算前の数値は「速報値」。まだ数値がないときは「集計中」か「調査未実施」を選び、実績値は空欄にします。",
    )
    note = models.TextField("補足", blank=True, help_text="定性指標の実績や、数値の注記")

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(actual_status__in=ActualStatus.with_value(), actual__isnull=False)
                | (~Q(actual_status__in=ActualStatus.with_value()) & Q(actual__isnull=True)),
                name="%(app_label)s_%(class)s_actual_matches_status",
                violation_error_message="確定値・速報値には実績値を入れ、集計中・調査未実施のときは実績値を空欄にしてください。",
            ),
        ]

    def clean_actual(self):
        # Typing a number is saying it is the figure: spare staff choosing 確定値 by hand.
        if self.actual is not None and self.actual_status == ActualStatus.NOT_ENTERED:
            self.actual_status = ActualStatus.CONFIRMED
        has_value = self.actual is not None
        if self.actual_status in ActualStatus.with_value() and not has_value:
            raise ValidationError(
                {
                    "actual": "実績値を入力してください。まだ数値がないときは、実績の状態で「集計中」か「調査未実施」を選びます。"
                },
                code="actual_missing",
            )
        if self.actual_status not in ActualStatus.with_value() and has_value:
            raise ValidationError(
                {"actual_status": "実績値を入れたときは、状態を「確定値」か「速報値」にしてください。"},
                code="actual_with_missing_status",
            )


class ProjectRecordQuerySet(models.QuerySet):
    def with_results(self):
        """Prefetch the result rows with their action goals and indicators (for `missing_items`)."""
        return self.prefetch_related(
            models.Prefetch("action_results", queryset=ActionResult.objects.select_related("action_goal")),
            models.Prefetch(
                "indicator_results", queryset=IndicatorResult.objects.select_related("indicator")
            ),
        )


class ProjectRecord(PortalModel):
    """A project's report for one fiscal year: results, self-evaluation and the DX office's review."""

    project = models.ForeignKey(
        Project, verbose_name="事業", on_delete=models.PROTECT, related_name="records"
    )
    cycle = models.ForeignKey(
        FiscalYear,
        verbose_name="評価年度",
        on_delete=models.PROTECT,
        related_name="records",
        help_text="この評価が属する計画の年度。受付・審査・確定の状態はここから読みます。",
    )
    # The cycle's year, kept on the row so that lists and scoping filter by year without a join.
    fiscal_year = models.PositiveSmallIntegerField("年度", help_text="西暦の年度。例: 2024")
    status = models.CharField(
        "進捗状況", max_length=15, choices=RecordStatus.choices, default=RecordStatus.NOT_STARTED
    )
    proposed_grade = models.ForeignKey(
        Grade,
        verbose_name="評価案（自動計算）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="成果指標と行動目標の達成状況から計算した評価。選んだ評価と異なるときは理由が必要です。",
    )
    self_grade = models.ForeignKey(
        Grade,
        verbose_name="自己評価",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="所管課としての評価（A/B/C）",
    )
    self_grade_reason = models.TextField(
        "評価の理由", blank=True, help_text="評価区分を選んだ根拠を、実績に触れて書いてください。"
    )
    results_summary = models.TextField(
        "主な実績", blank=True, help_text="この年度に実施したことの要約。議会報告に載ります。"
    )
    issues = models.TextField("課題", blank=True)
    next_direction = models.CharField(
        "今後の方向性", max_length=10, choices=NextDirection.choices, blank=True
    )
    next_steps = models.TextField("今後の取組", blank=True, help_text="課題への対応や次年度の予定")
    review_comment = models.TextField(
        "DX推進課のコメント", blank=True, help_text="差戻しの理由や審査の所見。所管課に表示されます。"
    )
    final_grade = models.ForeignKey(
        Grade, verbose_name="最終評価", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    final_grade_reason = models.TextField(
        "最終評価の理由", blank=True, help_text="自己評価と異なる場合は必須"
    )
    internal_note = models.TextField(
        "内部メモ", blank=True, help_text="庁内限り。公開ページ・議会報告には出ません。"
    )
    reopened = models.BooleanField(
        "確定後の訂正中", default=False, help_text="確定した年度でも、この事業だけ訂正できる状態"
    )
    version = models.PositiveIntegerField("版", default=0, help_text="同時編集の検出に使います")
    submitted_at = models.DateTimeField("提出日時", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提出者",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField("承認日時", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="承認者",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    history = HistoricalRecords()
    objects = ProjectRecordQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "事業の年度評価"
        ordering = ["-fiscal_year", "project__code"]
        constraints = [
            year_in_range("fiscal_year"),
            models.UniqueConstraint(
                fields=["project", "fiscal_year"],
                name="project_record_unique_per_year",
                violation_error_message="この事業のこの年度の評価は既に登録されています。",
            ),
        ]

    def __str__(self):
        return f"{fiscal_year_label(self.fiscal_year)} {self.project}"

    def missing_items(self) -> list[str]:
        """What must still be filled before submitting, in the words staff see on the form.

        Reads `action_results` and `indicator_results`; prefetch them (with their goal and indicator)
        when checking many records.
        """
        missing = []
        for result in self.action_results.all():
            if not result.completion:
                missing.append(f"行動目標「{result.action_goal.description}」の達成状況")
        for result in self.indicator_results.all():
            if result.actual_status == ActualStatus.NOT_ENTERED:
                missing.append(f"成果指標「{result.indicator.name}」の実績値（数値がないときはその理由）")
        if not self.self_grade_id:
            missing.append("自己評価")
        if not self.self_grade_reason.strip():
            missing.append("評価の理由")
        if not self.next_direction:
            missing.append("今後の方向性")
        return missing

    def clean(self):
        if not self.project_id or self.fiscal_year is None:
            return
        if self.cycle_id and (self.cycle.plan_id, self.cycle.year) != (
            self.project.plan_id,
            self.fiscal_year,
        ):
            raise ValidationError(
                {"cycle": "評価年度は、事業の計画とこの評価の年度に合うものを選んでください。"},
                code="cycle_mismatch",
            )
        self.project.plan.validate_year(self.fiscal_year, field="fiscal_year")
        if not self.project.runs_in(self.fiscal_year):
            raise ValidationError(
                {"fiscal_year": f"この事業は{fiscal_year_label(self.fiscal_year)}には実施されていません。"},
                code="project_not_running",
            )


class ActionResult(PortalModel):
    """What was done against one action goal in the record's year."""

    record = models.ForeignKey(
        ProjectRecord, verbose_name="年度評価", on_delete=models.CASCADE, related_name="action_results"
    )
    action_goal = models.ForeignKey(
        ActionGoal, verbose_name="行動目標", on_delete=models.PROTECT, related_name="results"
    )
    done = models.TextField("取組実績", blank=True, help_text="行動目標に対して実施したこと")
    completion = models.CharField("達成状況", max_length=15, choices=Completion.choices, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "行動目標の実績"
        ordering = ["action_goal__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "action_goal"],
                name="action_result_unique",
                violation_error_message="この行動目標の実績は既に登録されています。",
            )
        ]

    def __str__(self):
        return f"{self.action_goal}: {self.get_completion_display() or '未入力'}"


class IndicatorResult(ActualBase):
    """The actual value of one outcome indicator in the record's year."""

    record = models.ForeignKey(
        ProjectRecord, verbose_name="年度評価", on_delete=models.CASCADE, related_name="indicator_results"
    )
    indicator = models.ForeignKey(
        OutcomeIndicator, verbose_name="成果指標", on_delete=models.PROTECT, related_name="results"
    )

    history = HistoricalRecords()

    class Meta(ActualBase.Meta):
        verbose_name = verbose_name_plural = "成果指標の実績"
        ordering = ["indicator__code"]
        constraints = [
            *ActualBase.Meta.constraints,
            models.UniqueConstraint(
                fields=["record", "indicator"],
                name="indicator_result_unique",
                violation_error_message="この成果指標の実績は既に登録されています。",
            ),
        ]

    def __str__(self):
        return f"{self.indicator}: {self.actual if self.actual is not None else self.get_actual_status_display()}"

    def clean(self):
        self.clean_actual()
        counted = self.indicator_id and self.indicator.kind in COUNTED_KINDS
        if counted and self.actual is not None and self.actual < 0:
            raise ValidationError(
                {
                    "actual": f"実績値がマイナスです（{format(self.actual.normalize(), 'f')}）。この指標は種類が"
                    f"「{self.indicator.get_kind_display()}」で件数や人数を数えるため、0以上の数値を入力してください。"
                },
                code="negative_count",
            )


# Indicators that count things (people, cases, systems, events): their actual is never below zero.
# A rate may fall below zero (a change against the year before), so it is not among them.
COUNTED_KINDS = (
    IndicatorKind.PER_YEAR,
    IndicatorKind.CUMULATIVE,
    IndicatorKind.STOCK,
    IndicatorKind.MILESTONE,
)


class MeasureEvaluation(PortalModel):
    """The DX office's evaluation of one measure for one fiscal year."""

    measure = models.ForeignKey(
        Measure, verbose_name="施策", on_delete=models.PROTECT, related_name="evaluations"
    )
    fiscal_year = models.PositiveSmallIntegerField("年度", help_text="西暦の年度。例: 2024")
    proposed_grade = models.ForeignKey(
        Grade,
        verbose_name="評価案（自動計算）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="施策目標値の達成状況から計算した評価",
    )
    grade = models.ForeignKey(
        Grade, verbose_name="評価", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    grade_reason = models.TextField("評価の理由", blank=True, help_text="評価案と異なる評価を選ぶときは必須")
    comment = models.TextField("総評", blank=True, help_text="施策全体の進捗と課題。議会報告に載ります。")
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="評価者",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    version = models.PositiveIntegerField("版", default=0, help_text="同時編集の検出に使います")

    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "施策の年度評価"
        ordering = ["-fiscal_year", "measure__code"]
        constraints = [
            year_in_range("fiscal_year"),
            models.UniqueConstraint(
                fields=["measure", "fiscal_year"],
                name="measure_evaluation_unique_per_year",
                violation_error_message="この施策のこの年度の評価は既に登録されています。",
            ),
        ]

    def __str__(self):
        return f"{fiscal_year_label(self.fiscal_year)} 施策{self.measure.code}"

    def clean(self):
        if self.measure_id and self.fiscal_year is not None:
            self.measure.plan.validate_year(self.fiscal_year, field="fiscal_year")


class MeasureIndicatorResult(ActualBase):
    """The actual value of a measure's target indicator (施策目標値) in one fiscal year."""

    indicator = models.ForeignKey(
        MeasureIndicator, verbose_name="施策目標値", on_delete=models.PROTECT, related_name="results"
    )
    fiscal_year = models.PositiveSmallIntegerField("年度", help_text="西暦の年度。例: 2024")

    history = HistoricalRecords()

    class Meta(ActualBase.Meta):
        verbose_name = verbose_name_plural = "施策目標値の実績"
        ordering = ["-fiscal_year", "indicator__measure__code", "indicator__code"]
        constraints = [
            *ActualBase.Meta.constraints,
            year_in_range("fiscal_year"),
            models.UniqueConstraint(
                fields=["indicator", "fiscal_year"],
                name="measure_indicator_result_unique",
                violation_error_message="この施策目標値のこの年度の実績は既に登録されています。",
            ),
        ]

    def __str__(self):
        return f"{fiscal_year_label(self.fiscal_year)} {self.indicator}"

    def clean(self):
        if self.indicator_id and self.fiscal_year is not None:
            self.indicator.measure.plan.validate_year(self.fiscal_year, field="fiscal_year")
        self.clean_actual()


class CommitteeOpinion(PortalModel):
    """An outside committee's opinion on a project or a measure for a year, and the city's response."""

    fiscal_year = models.PositiveSmallIntegerField("年度", help_text="意見の対象となった年度（西暦）")
    project = models.ForeignKey(
        Project, verbose_name="事業", null=True, blank=True, on_delete=models.PROTECT, related_name="opinions"
    )
    measure = models.ForeignKey(
        Measure, verbose_name="施策", null=True, blank=True, on_delete=models.PROTECT, related_name="opinions"
    )
    committee = models.CharField("委員会", max_length=100, default="相模原市経営評価委員会")
    opinion = models.TextField("委員会の意見")
    response = models.TextField("市の対応方針", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="記録者",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "外部委員会の意見"
        ordering = ["-fiscal_year", "id"]
        constraints = [
            year_in_range("fiscal_year"),
            models.CheckConstraint(
                condition=Q(project__isnull=False, measure__isnull=True)
                | Q(project__isnull=True, measure__isnull=False),
                name="opinion_on_project_or_measure",
                violation_error_message="意見の対象は、事業か施策のどちらか一つを選んでください。",
            ),
        ]

    def __str__(self):
        subject = self.project or self.measure
        return f"{fiscal_year_label(self.fiscal_year)} {subject}"


class YearSnapshot(PortalModel):
    """The figures of a fiscal year as reported when the DX office locked it; never changed afterwards."""

    plan = models.ForeignKey(Plan, verbose_name="計画", on_delete=models.PROTECT, related_name="snapshots")
    fiscal_year = models.PositiveSmallIntegerField("年度")
    taken_at = models.DateTimeField("確定日時", auto_now_add=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="確定者",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    figures = models.JSONField("報告時の数値", help_text="rollup コマンドと同じ形の JSON")

    class Meta:
        verbose_name = verbose_name_plural = "報告時点の記録（スナップショット）"
        ordering = ["-fiscal_year", "-taken_at"]
        constraints = [year_in_range("fiscal_year")]

    def __str__(self):
        return f"{fiscal_year_label(self.fiscal_year)} 報告時点（{self.taken_at:%Y-%m-%d %H:%M}）"


class FiguresClock(models.Model):
    """How often the roll-up's inputs of a fiscal year changed: `tick` goes up by one in the same
    transaction as every insert, update or delete of an input row, by database triggers (migration
    0006), whatever wrote it. Year 0 counts the inputs of every year (the plan, its measures,
    projects, indicators and targets); a year's figures are current while the ticks of year 0 and of
    every year up to it are unchanged (see `evaluation.rollups.stored`)."""

    fiscal_year = models.PositiveSmallIntegerField("年度（0は全年度）", primary_key=True)
    tick = models.BigIntegerField("変更回数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "年度数値の入力の変更回数"

    def __str__(self):
        return f"{self.fiscal_year}: {self.tick}"


class FiguresChange(models.Model):
    """Which project a tick of `FiguresClock` concerns: written by the same triggers (migration 0007)
    for the rows of one project and one year (a record, its results, the year's action goals). A
    worker holding a year's figures computes again only the projects changed since, when every
    tick since has its row here (see `evaluation.rollups.stored`). Derived data, pruned as figures
    are stored."""

    fiscal_year = models.PositiveSmallIntegerField("年度")
    tick = models.BigIntegerField("変更回数")
    project_id = models.BigIntegerField("事業のID")

    class Meta:
        verbose_name = verbose_name_plural = "年度数値の入力の変更の記録"
        indexes = [models.Index(fields=["fiscal_year", "tick"], name="figures_change_year_tick")]

    def __str__(self):
        return f"{self.fiscal_year}: {self.tick} ({self.project_id})"


class YearFigures(PortalModel):
    """A plan year's computed figures (`rollup_year`'s result), stored so that pages read them
    instead of computing them again; derived data, replaced whenever the inputs' version changes
    (see `evaluation.rollups.stored`). No history: it is never edited, only recomputed."""

    plan = models.ForeignKey(Plan, verbose_name="計画", on_delete=models.CASCADE, related_name="+")
    fiscal_year = models.PositiveSmallIntegerField("年度")
    version = models.TextField("入力データの版")  # a tick per fiscal year: grows with the years
    # Changes on every store, so a worker's in-memory copy is never taken for a later row with the
    # same version (ids and counts repeat after a rollback or a database reset).
    token = models.CharField("保存の識別子", max_length=32)
    data = models.BinaryField("数値（pickle）")
    computed_at = models.DateTimeField("計算日時")

    class Meta:
        verbose_name = verbose_name_plural = "計算済みの年度数値"
        constraints = [
            models.UniqueConstraint(fields=["plan", "fiscal_year"], name="year_figures_unique_plan_year"),
        ]

    def __str__(self):
        return f"{fiscal_year_label(self.fiscal_year)} {self.version}"
