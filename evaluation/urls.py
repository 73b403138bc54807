from django.urls import path

from evaluation import views

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
]
