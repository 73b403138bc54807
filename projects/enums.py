from django.db import models


class ProjectStatus(models.TextChoices):
    RUNNING = "running", "実施中"
    COMPLETED = "completed", "完了"
    SUSPENDED = "suspended", "休止"
    ABOLISHED = "abolished", "廃止"
    MERGED = "merged", "統合"


class AssignmentRole(models.TextChoices):
    PRIMARY = "primary", "所管課"
    CO = "co", "関係課（共管）"
