from django.urls import path

from evaluation.views import public as views

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
]
