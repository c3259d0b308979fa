from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import csrf as csrf_tokens


def shop(request: HttpRequest) -> dict:
    return {"SHOP_NAME": settings.SHOP_NAME, "SHOP_CURRENCY": settings.SHOP_CURRENCY}


def csrf(request: HttpRequest) -> dict:
    """`csrf_token` for `{% csrf_token %}` and the templates' htmx headers, minted by
    `apps.core.csrf.token`: what Django's built-in processor gives (`get_token`, with the same
    cookie side effects), without its 32 to 64 `secrets.choice` calls (~50 us a rendered form).
    Listed after Django's built-in processor, so this value is the one templates read; context
    data still wins over both (the page cache's hole while it renders)."""
    return {"csrf_token": SimpleLazyObject(lambda: csrf_tokens.token(request))}
