from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """Django's admin, served by our site (role-aware landing page). Kept apart from config.admin,
    which imports models and so cannot load while the app registry is being built."""

    default_site = "config.admin.PortalAdminSite"
