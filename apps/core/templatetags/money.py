"""Money formatting: one filter, so every price on the site reads the same way.

Registered as a template builtin (settings `TEMPLATES.OPTIONS.builtins`): templates write
`{{ price|money }}`, never `{{ price }} {{ SHOP_CURRENCY }}`.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.conf import settings

register = template.Library()
CENT = Decimal("0.01")


@register.filter
def money(value: object, currency: str | None = None) -> str:
    """`Decimal("12.5")` -> "12.50 EUR"; an empty or unreadable value renders as nothing."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, ValueError):
        return ""
    return f"{amount} {currency or settings.SHOP_CURRENCY}"
