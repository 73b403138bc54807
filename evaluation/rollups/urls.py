from django.urls import path

from evaluation.rollups import views

app_name = "rollups"

urlpatterns = [
    path("<slug:plan_code>/<int:year>/<slug:level>/<str:code>/", views.explain, name="explain"),
    path("snapshots/<int:pk>/", views.snapshot_changes, name="snapshot_diff"),
]
