"""Checkout reads: orders for their pages and the address prefill."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest

from . import emails
from .models import Order, OrderEvent


def order_by_token(token: uuid.UUID) -> Order | None:
    return Order.objects.filter(checkout_token=token).first()


def order_with_lines(number: str) -> Order | None:
    """The shopper's order page: the order, its lines and its public timeline, three queries
    whatever their number."""
    if len(number) > 20 or "\x00" in number:
        # Longer than any order number, or a NUL byte PostgreSQL refuses (a 500): no such order.
        return None
    return (
        Order.objects.filter(number=number)
        .prefetch_related(
            "lines",
            Prefetch(
                "events",
                queryset=OrderEvent.objects.filter(internal=False).order_by("created_at", "pk"),
                to_attr="timeline",
            ),
        )
        .first()
    )


def may_see(request: HttpRequest, order: Order) -> bool:
    """The owner, the anonymous session that placed it, or a signed link from its e-mails."""
    if request.user.is_authenticated and order.user_id == request.user.pk:
        return True
    if emails.key_opens(str(request.GET.get("key", ""))[:200], order.number):
        return True
    return order.number in request.session.get("placed_orders", [])


def shipments(order: Order) -> list[OrderEvent]:
    """The shipped events of a prefetched timeline, newest first (tracking numbers)."""
    return [e for e in reversed(order.timeline) if e.kind == OrderEvent.Kind.SHIPPED]


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
