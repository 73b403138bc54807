from django.conf import settings
from django.contrib import admin
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path

from core.admin import ListedLookupsOnly
from core.middleware import session_seconds_left
from core.roles import is_demo_account
from evaluation.selectors import fiscal_year_current
from projects.scoping import department_ids, sees_everything


class PortalAdminSite(admin.AdminSite):
    site_header = "第２次相模原市ＩＣＴ総合戦略 進捗管理"
    site_title = "ICT総合戦略 進捗管理"
    index_title = "管理メニュー"

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every list filters only through its own filters, Django's and other packages' admins too."""
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, ListedLookupsOnly):
            admin_class = type(admin_class.__name__, (ListedLookupsOnly, admin_class), {})
        super().register(model_or_iterable, admin_class, **options)

    def index(self, request, extra_context=None):
        """Department staff land on their own projects for the year; others on the menu."""
        if not sees_everything(request.user) and department_ids(request.user) and "menu" not in request.GET:
            return redirect("records:mine")
        overview = sees_everything(request.user)
        context = {"sees_everything": overview, "current_year": fiscal_year_current() if overview else None}
        return super().index(request, {**context, **(extra_context or {})})

    def each_context(self, request):
        return {
            **super().each_context(request),
            # The idle time-out warning needs the session length (JIS X 8341-3: no silent time-out).
            "session_seconds": settings.SESSION_COOKIE_AGE,
            # ... and the time left before the absolute end, which no request postpones.
            "session_ends_in": session_seconds_left(request),
            # Demo accounts can sign in only with DEBUG on (core.backends), so production pays no query.
            "demo_account": settings.DEBUG and is_demo_account(request.user),
        }

    def get_urls(self):
        return [path("keepalive/", self.admin_view(self.keepalive), name="keepalive"), *super().get_urls()]

    def keepalive(self, request):
        """A request that restarts the idle period (sessions are saved on every request)."""
        return HttpResponse(status=204)
