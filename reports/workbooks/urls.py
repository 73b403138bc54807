from django.urls import path

from reports.workbooks import views

app_name = "workbooks"

urlpatterns = [
    path("council/<int:year>.xlsx", views.council, name="council"),
    path("projects/<int:year>.zip", views.evaluation_sheets, name="evaluation_sheets"),
    path("projects/<str:code>/<int:year>.xlsx", views.evaluation_sheet, name="evaluation_sheet"),
]
