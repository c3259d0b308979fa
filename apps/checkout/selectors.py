"""Checkout reads: orders for their pages and the address prefill."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Count, QuerySet
from django.http import HttpRequest

from .models import Order


def order_by_token(token: uuid.UUID) -> Order | None:
    return Order.objects.filter(checkout_token=token).first()


def order_with_lines(number: str) -> Order | None:
    if len(number) > 20 or "\x00" in number:
        # Longer than any order number, or a NUL byte PostgreSQL refuses (a 500): no such order.
        return None
    return Order.objects.filter(number=number).prefetch_related("lines").first()


def may_see(request: HttpRequest, order: Order) -> bool:
    """The owner, or the anonymous session that placed it."""
    if request.user.is_authenticated and order.user_id == request.user.pk:
        return True
    return order.number in request.session.get("placed_orders", [])


def orders_of(user: Any) -> QuerySet[Order]:
    return Order.objects.filter(user=user).annotate(item_count=Count("lines"))


def address_prefill(user: Any) -> dict[str, str]:
    """A signed-in shopper's name, e-mail and last used address."""
    if user is None:
        return {}
    initial = {"email": user.email, "full_name": user.get_full_name() or user.get_username()}
    last = (
        Order.objects.filter(user=user)
        .values(
            "phone", "address_line1", "address_line2", "city", "postal_code", "country", "full_name"
        )
        .first()
    )
    if last:
        initial.update({k: v for k, v in last.items() if v})
    return initial
