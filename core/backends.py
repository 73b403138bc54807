from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from core.roles import is_demo_account


class PortalBackend(ModelBackend):
    """Django's backend, except that demo accounts cannot log in to a production server."""

    def user_can_authenticate(self, user):
        if not settings.DEBUG and is_demo_account(user):
            return False
        return super().user_can_authenticate(user)
