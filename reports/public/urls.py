from django.urls import path

from reports.public import views

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("plan/", views.plan, name="plan"),
    path("plan/measures/<str:code>/", views.measure, name="measure"),
    path("plan/years/<int:year>/", views.year, name="year"),
    path("open-data/", views.open_data, name="open_data"),
    path("open-data/<str:filename>", views.download, name="download"),
]
