from django.urls import path

from reports.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("measures/<str:code>/", views.measure, name="measure"),
    path("submissions/", views.submissions, name="submissions"),
    path("risks/", views.risks, name="risks"),
    path("quality/", views.quality, name="quality"),
]
