"""Discount providers: how the cart shows a coupon without importing the checkout app.

The cart uses only the catalog (DESIGN.md). Checkout registers its coupon rules here from its
AppConfig.ready(), the same way accounts reaches the cart only through login signals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Cart


@dataclass(frozen=True)
class Line:
    """What a discount needs to know of a cart line (a scoped coupon looks at the product)."""

    variant_id: int
    product_id: int
    total: Decimal


@dataclass(frozen=True)
class Discount:
    amount: Decimal
    label: str
    error: str = ""


Provider = Callable[["Cart", list[Line], Any], Discount | None]
_providers: list[Provider] = []


def register(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def compute(cart: Cart, lines: list[Line], user: Any = None) -> Discount | None:
    for provider in _providers:
        discount = provider(cart, lines, user)
        if discount is not None:
            return discount
    return None
