"""Account reads: the address book and the account's order history."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from apps.checkout import selectors as checkout_selectors

from .models import Address

ORDERS_PER_PAGE = 10


def addresses_of(user: Any) -> QuerySet[Address]:
    return Address.objects.filter(user=user)


def address_of(user: Any, pk: int) -> Address | None:
    """The user's own address, or None (another user's id is as missing as a deleted one)."""
    return Address.objects.filter(user=user, pk=pk).first()


def default_shipping(user: Any) -> Address | None:
    return Address.objects.filter(user=user, is_default_shipping=True).first()


def orders_page(user: Any, number: Any) -> Page:
    """One page of the user's orders with their public timelines: three queries (count, page,
    timelines) whatever the page size."""
    paginator = Paginator(checkout_selectors.orders_with_timeline(user), ORDERS_PER_PAGE)
    return paginator.get_page(number)
