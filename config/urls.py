from django.contrib import admin
from django.urls import include, path

from core.views import accessibility, healthz

handler500 = "core.views.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accessibility/", accessibility, name="accessibility"),
    path("admin/evaluation/projectrecord/", include("evaluation.records_urls")),
    path("admin/", admin.site.urls),
    path("rollups/", include("evaluation.rollups.urls")),
    path("dashboard/", include("reports.dashboard.urls")),
    path("reports/", include("reports.workbooks.urls")),
    path("", include("reports.public.urls")),
]
