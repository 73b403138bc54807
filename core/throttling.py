"""Login throttling that an outsider cannot turn against the city's staff.

django-axes counts failed logins per (username, client address), so a lock holds only for the
address the failures came from: nobody can lock the DX office out from elsewhere. On top of it an
address that fails too often across usernames (password spraying) is refused for every username.
Both need the real client address, which behind a proxy is not REMOTE_ADDR (see client_address).
"""

import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def client_address(request) -> str:
    """The client's address, trusting X-Forwarded-For only as far as settings.TRUSTED_PROXY_COUNT.

    Each proxy appends the address it received the request from, so with N trusted proxies the
    client is the Nth address from the right; everything left of it came from the client and may be
    forged. With no trusted proxy (the default), or when the header holds fewer addresses than
    proxies (the request did not come through them) or no valid address there, it is REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < count:
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


class PortalAxesHandler(AxesDatabaseHandler):
    """axes' database handler, also refusing an address once it has failed
    settings.AXES_ADDRESS_FAILURE_LIMIT times within the cool-off period, whatever the usernames.

    axes has one failure limit for all its lockout parameters, and a successful login clears every
    count it matches; adding the address as a parameter would lock an office's shared address after
    five typing mistakes, and let a sprayer clear the address's count by logging in to an account
    of their own. This count is of the (username, address) rows axes keeps, so a success clears
    only that username's failures from that address.
    """

    def get_failures(self, request, credentials=None) -> int:
        failures = super().get_failures(request, credentials)
        if address_failures(request) >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            return max(failures, get_failure_limit(request, credentials))
        return failures


def address_failures(request) -> int:
    """Failed logins from the request's client address within the cool-off period, all usernames."""
    attempts = AccessAttempt.objects.filter(
        ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
    )
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
