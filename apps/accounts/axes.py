"""django-axes, adapted: a per-IP limit across usernames, and usernames that fit its column.

Axes locks a (username, IP) pair after AXES_FAILURE_LIMIT failures, which does nothing against
password spraying (a few guesses at each of many accounts from one address). The handler below
also locks an IP address once its failures over all usernames reach AXES_IP_FAILURE_LIMIT within
the cool-off period: a higher limit, so a shared office address is not locked by one person.

Axes stores the submitted username in a varchar(255) (jazzband/django-axes#1381): a longer one
made every login form a 500. No account has a username that long (ours are at most 150), so the
stored value is cut to the column; the login form itself refuses it with a message.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone

USERNAME_COLUMN = AccessAttempt._meta.get_field("username").max_length


def username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """AXES_USERNAME_CALLABLE: the submitted username, cut to the column axes stores it in."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        value = credentials.get(field)
    else:
        value = getattr(request, "data", request.POST).get(field)
    return value[:USERNAME_COLUMN] if isinstance(value, str) else value


def ip_failures(request: HttpRequest) -> int:
    address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    if not address:
        return 0
    attempts = AccessAttempt.objects.filter(ip_address=address)
    cool_off = get_cool_off(request)
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class ShopAxesHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials: dict | None = None) -> int:
        """The (username, IP) failures, or the failure limit itself once the address has
        reached its own limit: axes compares this one number with AXES_FAILURE_LIMIT both when it
        refuses a login and when it records a failure, so both see the per-IP lock."""
        failures = super().get_failures(request, credentials)
        if ip_failures(request) >= settings.AXES_IP_FAILURE_LIMIT:
            return max(failures, get_failure_limit(request, credentials))
        return failures
