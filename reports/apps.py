from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """What the portal shows or hands out from evaluated figures; it reads them and never writes evaluation data."""

    name = "reports"
    verbose_name = "報告・ダッシュボード"
