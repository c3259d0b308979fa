"""Deployment checks (`manage.py check --deploy`) for settings only this shop has."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Tags, Warning, register

LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1", "0.0.0.0"}


@register(Tags.security, deploy=True)
def check_site_url(app_configs, **kwargs) -> list[Warning]:
    """Links in e-mails are built on SITE_URL: a local or plain-HTTP address would break them."""
    parts = urlsplit(getattr(settings, "SITE_URL", ""))
    if parts.scheme != "https" or not parts.hostname or parts.hostname in LOCAL_HOSTS:
        return [
            Warning(
                "SITE_URL must be the shop's public https:// address: e-mails link to it.",
                id="shop.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_webhook_secret(app_configs, **kwargs) -> list[Warning]:
    secret = getattr(settings, "PAYMENT_WEBHOOK_SECRET", "")
    if len(secret) < 32 or secret.startswith("dev-"):
        return [
            Warning(
                "Set PAYMENT_WEBHOOK_SECRET to the payment provider's webhook signing secret.",
                id="shop.W002",
            )
        ]
    return []


@register()
def check_front_door(app_configs, **kwargs) -> list[Warning]:
    """The page cache's front door passes everything down below a middleware it does not know."""
    from .frontdoor import unknown_below

    unknown = unknown_below()
    if unknown:
        return [
            Warning(
                "The page cache's front door is closed: it does not know what "
                f"{', '.join(unknown)} would add to a cached page.",
                hint="Add the middleware above the front door, or to frontdoor.THROUGH/PASSED "
                "once you know what it does to a cached page.",
                id="shop.W003",
            )
        ]
    return []
