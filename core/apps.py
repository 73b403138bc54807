from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app shares and no domain owns: admin bases, roles, validators, display filters."""

    name = "core"
    verbose_name = "共通"
