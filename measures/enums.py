from django.db import models


class MeasureLineage(models.TextChoices):
    """How a measure relates to the previous plan (施策の展開)."""

    CONTINUED = "continued", "継続"
    REVISED = "revised", "見直し"
    NEW = "new", "新規"


class Direction(models.TextChoices):
    INCREASE = "increase", "増加を目指す"
    DECREASE = "decrease", "減少を目指す"
    MAINTAIN = "maintain", "維持を目指す"
    ACHIEVE = "achieve", "実施・達成を目指す"


class IndicatorKind(models.TextChoices):
    PER_YEAR = "per_year", "単年度（人/年・件/年）"
    CUMULATIVE = "cumulative", "累計"
    RATE = "rate", "割合（％）"
    STOCK = "stock", "年度末現在"
    MILESTONE = "milestone", "実施・未実施"
    QUALITATIVE = "qualitative", "定性"
