"""The entry pages beside the admin's record form, under its address so staff stay in one place."""

from django.contrib import admin
from django.urls import path

from evaluation.views import records

app_name = "records"
view = admin.site.admin_view

urlpatterns = [
    path("mine/", view(records.mine), name="mine"),
    path("board/", view(records.board), name="board"),
    path("results/export/", view(records.results_export), name="results_export"),
    path("results/import/", view(records.results_upload), name="results_import"),
    path("results/import/confirm/", view(records.results_import_confirm), name="results_import_confirm"),
    path("<str:pk>/workflow/<str:action>/", view(records.workflow), name="workflow"),
]
