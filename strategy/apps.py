from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "strategy"
    verbose_name = "計画・組織"
