"""Wishlist background work: price-drop and back-in-stock alerts, hourly (apps.core.tasks)."""

from __future__ import annotations

from django.conf import settings
from django.tasks import task

from apps.core.tasks import every, retried


class AlertsIncomplete(Exception):
    """Some e-mails failed; nothing was recorded for them, so the retry sends only those."""


@task
def send_wishlist_alerts() -> dict:
    from .alerts import send_alerts

    stats = send_alerts(settings.SITE_URL)
    if stats.failed:
        raise AlertsIncomplete(f"{stats.failed} alert e-mails could not be sent.")
    return {"emails": stats.emails, "price_drops": stats.price_drops}


retried(send_wishlist_alerts, attempts=3)
every(send_wishlist_alerts, minutes=60)
