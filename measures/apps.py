from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "measures"
    verbose_name = "施策・施策目標値"
