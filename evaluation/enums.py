from django.db import models


class CycleStatus(models.TextChoices):
    PLANNED = "planned", "受付前"
    OPEN = "open", "入力受付中"
    REVIEW = "review", "審査中"
    LOCKED = "locked", "確定（報告済み）"


class RecordStatus(models.TextChoices):
    NOT_STARTED = "not_started", "未着手"
    DRAFT = "draft", "入力中"
    SUBMITTED = "submitted", "提出済み"
    RETURNED = "returned", "差戻し"
    RESUBMITTED = "resubmitted", "再提出"
    APPROVED = "approved", "承認済み"

    @classmethod
    def awaiting_review(cls) -> list[str]:
        return [cls.SUBMITTED, cls.RESUBMITTED]

    @classmethod
    def with_department(cls) -> list[str]:
        """States in which the department holds the pen."""
        return [cls.NOT_STARTED, cls.DRAFT, cls.RETURNED]


class ActualStatus(models.TextChoices):
    NOT_ENTERED = "not_entered", "未入力"
    CONFIRMED = "confirmed", "確定値"
    PROVISIONAL = "provisional", "速報値"
    TALLYING = "tallying", "集計中"
    NOT_SURVEYED = "not_surveyed", "調査未実施"

    @classmethod
    def with_value(cls) -> list[str]:
        return [cls.CONFIRMED, cls.PROVISIONAL]


class Completion(models.TextChoices):
    ACHIEVED = "achieved", "達成"
    PARTLY = "partly", "一部達成"
    NOT_ACHIEVED = "not_achieved", "未達成"


class NextDirection(models.TextChoices):
    EXPAND = "expand", "拡充"
    CONTINUE = "continue", "継続"
    IMPROVE = "improve", "改善"
    REDUCE = "reduce", "縮小"
    MERGE = "merge", "統合"
    SUSPEND = "suspend", "休止"
    ABOLISH = "abolish", "廃止"
    COMPLETE = "complete", "完了"
