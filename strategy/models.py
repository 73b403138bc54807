"""The plan, its basic goals and revisions, and the city's organisation over time."""

import datetime

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, router
from django.db.models import Q
from simple_history.models import HistoricalRecords

from core.fiscal import fiscal_year_label, fiscal_year_of
from core.models import CleanTextMixin
from core.validators import validate_year_in_period
from strategy.achievement import ATTAINMENT, PROGRESS

# Fiscal years are stored as Western start years; this range only catches typos like 224.
YEAR_MIN, YEAR_MAX = 2000, 2100


def year_in_range(field: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": YEAR_MIN, f"{field}__lte": YEAR_MAX}),
        name=f"%(app_label)s_%(class)s_{field}_range",
        violation_error_message=f"年度は{YEAR_MIN}〜{YEAR_MAX}の西暦で入力してください。",
    )


class PortalModel(CleanTextMixin, models.Model):
    """Base of every model here: text is clean (see `CleanTextMixin`), and a broken unique
    constraint is reported on the field it is about.

    Django puts multi-field constraint errors at the top of a form; staff look next to the field
    they typed, so a unique constraint's error goes to its last field (the code or the year).
    """

    class Meta:
        abstract = True

    def validate_constraints(self, exclude=None):
        errors = {}
        using = router.db_for_write(self.__class__, instance=self)
        for model_class, constraints in self.get_constraints():
            for constraint in constraints:
                try:
                    constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as error:
                    fields = getattr(constraint, "fields", ())
                    key = fields[-1] if fields and fields[-1] not in (exclude or ()) else NON_FIELD_ERRORS
                    errors.setdefault(key, []).append(error)
        if errors:
            raise ValidationError(errors)


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "策定中"
    ACTIVE = "active", "推進中"
    COMPLETED = "completed", "計画期間終了"
    ENDED_EARLY = "ended_early", "途中終了"


class GradingRate(models.TextChoices):
    """Which of an indicator's two figures grades it and is averaged upwards."""

    PROGRESS = PROGRESS, "進捗率（基準値からの進捗）"
    ATTAINMENT = ATTAINMENT, "達成率（実績÷目標、減らす指標は目標÷実績）"


class PlanManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Plan(PortalModel):
    code = models.SlugField("計画コード", max_length=30, unique=True)
    name = models.CharField("計画名", max_length=200)
    start_year = models.PositiveSmallIntegerField(
        "計画期間（開始年度）", help_text="西暦の開始年度。例: 2024"
    )
    end_year = models.PositiveSmallIntegerField("計画期間（終了年度）", help_text="西暦の終了年度。例: 2027")
    status = models.CharField("状態", max_length=20, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    ended_on = models.DateField("終了日", null=True, blank=True, help_text="途中終了した場合の終了日")
    predecessor = models.ForeignKey(
        "self",
        verbose_name="前計画",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="successors",
    )
    parent_plan = models.CharField("上位計画", max_length=200, blank=True)
    legal_basis = models.TextField("法的位置付け", blank=True)
    purpose = models.TextField("趣旨", blank=True)
    stance = models.TextField("取組姿勢", blank=True)
    revision_policy = models.TextField("見直しの方針", blank=True)
    grading_rate = models.CharField(
        "評価に使う率",
        max_length=20,
        choices=GradingRate.choices,
        default=GradingRate.PROGRESS,
        help_text="指標の評価と上位への集計に使う率。どちらを選んでも、計算根拠の画面には両方を表示します。",
    )

    history = HistoricalRecords()
    objects = PlanManager()

    class Meta:
        verbose_name = verbose_name_plural = "計画"
        ordering = ["start_year"]
        constraints = [
            year_in_range("start_year"),
            year_in_range("end_year"),
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")),
                name="plan_period_ordered",
                violation_error_message="終了年度は開始年度以降にしてください。",
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)

    @property
    def years(self) -> range:
        return range(self.start_year, self.end_year + 1)

    @property
    def has_started(self) -> bool:
        """Whether the plan period has begun; from then on targets and the catalogue change only by revision."""
        return fiscal_year_of(datetime.date.today()) >= self.start_year

    def validate_year(self, year, *, field: str) -> None:
        validate_year_in_period(year, self.start_year, self.end_year, field=field)

    def clean(self):
        if self.status == PlanStatus.ENDED_EARLY and not self.ended_on:
            raise ValidationError(
                {"ended_on": "途中終了した計画には終了日を入力してください。"}, code="required"
            )


class BasicGoalManager(models.Manager):
    def get_by_natural_key(self, plan_code, number):
        return self.get(plan__code=plan_code, number=number)


class BasicGoal(PortalModel):
    plan = models.ForeignKey(Plan, verbose_name="計画", on_delete=models.PROTECT, related_name="goals")
    number = models.PositiveSmallIntegerField("番号")
    title = models.CharField("基本目標", max_length=200)
    formula = models.CharField(
        "目指す姿",
        max_length=200,
        blank=True,
        help_text="例: ＩＣＴ・データ × 行政サービス ＝ 利用者満足度向上",
    )

    history = HistoricalRecords()
    objects = BasicGoalManager()

    class Meta:
        verbose_name = verbose_name_plural = "基本目標"
        ordering = ["plan__start_year", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"],
                name="goal_number_unique_in_plan",
                violation_error_message="この計画には同じ番号の基本目標が既にあります。",
            ),
        ]

    def __str__(self):
        return f"基本目標{self.number} {self.title}"

    def natural_key(self):
        return (*self.plan.natural_key(), self.number)

    natural_key.dependencies = ["strategy.plan"]


class RevisionKind(models.TextChoices):
    TARGET_RESET = "target_reset", "目標値の再設定"
    PROJECT_ADDED = "project_added", "事業の追加"
    PROJECT_MERGED = "project_merged", "事業の統合"
    PROJECT_ENDED = "project_ended", "事業の終了・廃止"
    PROJECT_MOVED = "project_moved", "所管課の変更"
    ORGANISATION = "organisation", "組織改正"
    OTHER = "other", "その他"


class PlanRevision(PortalModel):
    """A mid-plan revision (見直し): what changed, from which fiscal year, and why."""

    plan = models.ForeignKey(Plan, verbose_name="計画", on_delete=models.PROTECT, related_name="revisions")
    kind = models.CharField("種別", max_length=20, choices=RevisionKind.choices)
    revised_on = models.DateField("見直し日", default=datetime.date.today)
    effective_year = models.PositiveSmallIntegerField(
        "適用年度", help_text="この見直しが適用される最初の年度（西暦）"
    )
    reason = models.TextField("理由", help_text="見直しの理由。議会報告に載ります。")
    summary = models.TextField("変更内容", help_text="変更前と変更後が分かるように書いてください。")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登録者", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "計画の見直し"
        ordering = ["-effective_year", "-revised_on", "-id"]
        constraints = [year_in_range("effective_year")]

    def __str__(self):
        return f"{fiscal_year_label(self.effective_year)} {self.get_kind_display()}"

    def clean(self):
        if self.plan_id:
            self.plan.validate_year(self.effective_year, field="effective_year")


class DepartmentKind(models.TextChoices):
    BUREAU = "bureau", "局"
    DIVISION = "division", "部"
    SECTION = "section", "課"


class DepartmentManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Department(PortalModel):
    """One organisational unit for the period it existed under this name.

    A rename or merger creates a new unit whose `predecessors` point back; the old unit keeps its
    name and its end date, so old years still show the name they were reported under.
    """

    code = models.CharField("組織コード", max_length=20, unique=True)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField(
        "種別", max_length=10, choices=DepartmentKind.choices, default=DepartmentKind.SECTION
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上位組織",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.DateField("設置日", default=datetime.date(2020, 4, 1))
    valid_to = models.DateField(
        "廃止日", null=True, blank=True, help_text="名称変更・統合・廃止の前日。存続中は空欄"
    )
    predecessors = models.ManyToManyField(
        "self", verbose_name="前身の組織", symmetrical=False, blank=True, related_name="successors"
    )

    history = HistoricalRecords(m2m_fields=[predecessors])
    objects = DepartmentManager()

    class Meta:
        verbose_name = verbose_name_plural = "組織（所管課）"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="department_validity_ordered",
                violation_error_message="廃止日は設置日以降にしてください。",
            ),
        ]

    def __str__(self):
        if self.valid_to:
            return f"{self.name}（〜{self.valid_to:%Y-%m-%d}）"
        return self.name

    def natural_key(self):
        return (self.code,)

    def lineage_ids(self) -> set[int]:
        """This unit and every unit it succeeded, transitively (one query per generation)."""
        seen, frontier = {self.pk}, {self.pk}
        while frontier:
            frontier = set(
                Department.predecessors.through.objects.filter(from_department__in=frontier)
                .exclude(to_department__in=seen)
                .values_list("to_department", flat=True)
            )
            seen |= frontier
        return seen


class Membership(PortalModel):
    """A staff member's place in a department; the scoping rule reads it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="ユーザー",
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    department = models.ForeignKey(
        Department, verbose_name="所属", on_delete=models.PROTECT, related_name="memberships"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "所属"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "department"],
                name="membership_unique",
                violation_error_message="このユーザーは既にこの組織に所属しています。",
            )
        ]

    def __str__(self):
        return f"{self.user} / {self.department.name}"
