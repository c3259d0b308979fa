"""Catalog reads the wishlist needs beyond card_queryset(): price, stock and status of any product.

Kept apart from selectors.py (owned by the wishlist app) because the wishlist must also see
archived and draft products: to skip them with a reason when merging, and to stay quiet about
them when sending alerts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import Coalesce

from .models import Product


@dataclass(frozen=True, slots=True)
class ProductState:
    pk: int
    name: str
    slug: str
    current_price: Decimal
    stock_total: int
    is_active: bool
    created_at: datetime

    @property
    def in_stock(self) -> bool:
        return self.stock_total > 0


def product_states(ids: Iterable[int]) -> dict[int, ProductState]:
    """Price, stock and status of the given products (any status), in one query."""
    ids = sorted({int(i) for i in ids})
    if not ids:
        return {}
    rows = (
        Product.objects.filter(pk__in=ids)
        .annotate(stock_sum=Coalesce(Sum("stock__quantity"), 0))
        .order_by()
        .values_list("pk", "name", "slug", "current_price", "stock_sum", "status", "created_at")
    )
    return {
        pk: ProductState(
            pk=pk,
            name=name,
            slug=slug,
            current_price=price,
            stock_total=stock,
            is_active=status == Product.Status.ACTIVE,
            created_at=created_at,
        )
        for pk, name, slug, price, stock, status, created_at in rows
    }
