"""Catalog reads for the cart and checkout: live prices and stock, by id, in batch.

Kept apart from `selectors.py` (owned by the catalog pages) so both can grow without conflicts.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import OuterRef, Prefetch, QuerySet, Sum
from django.db.models.functions import Coalesce

from .models import Product, ProductAttribute, Stock


def _with_stock(queryset: QuerySet[Product]) -> QuerySet[Product]:
    return queryset.annotate(
        stock_total=Coalesce(
            Stock.objects.filter(product=OuterRef("pk"))
            .values("product")
            .annotate(total=Sum("quantity"))
            .values("total"),
            0,
        )
    )


def sellable_product(product_id: int) -> Product | None:
    """The active product with `stock_total`, or None if it is unknown, draft or archived."""
    return _with_stock(Product.objects.filter(pk=product_id, status=Product.Status.ACTIVE)).first()


def live_products(ids: Iterable[int]) -> dict[int, Product]:
    """Products by id whatever their status (the cart must say "no longer available"), with
    live `current_price` and `stock_total`, in one query."""
    ids = list({int(i) for i in ids})
    if not ids:
        return {}
    return {p.pk: p for p in _with_stock(Product.objects.filter(pk__in=ids))}


def products_for_order(ids: Iterable[int]) -> dict[int, Product]:
    """Products with their attributes (for the order's snapshot) in two queries."""
    ids = list({int(i) for i in ids})
    if not ids:
        return {}
    queryset = Product.objects.filter(pk__in=ids).prefetch_related(
        Prefetch(
            "attributes",
            queryset=ProductAttribute.objects.select_related("definition"),
            to_attr="attribute_list",
        )
    )
    return {p.pk: p for p in queryset}


def lock_stock(product_ids: Iterable[int]) -> list[Stock]:
    """Lock every stock row of these products in primary-key order (one fixed order for every
    transaction, so two checkouts never wait on each other in a cycle). Call inside atomic()."""
    ids = sorted({int(i) for i in product_ids})
    if not ids:
        return []
    return list(Stock.objects.filter(product_id__in=ids).order_by("pk").select_for_update())


def attribute_snapshot(product: Product) -> dict[str, str]:
    """{"Colour": "red, blue", ...} for a product from products_for_order()."""
    values: dict[str, list[str]] = {}
    for attribute in getattr(product, "attribute_list", []):
        label = attribute.definition.name
        unit = f" {attribute.definition.unit}" if attribute.definition.unit else ""
        values.setdefault(label, []).append(f"{attribute.value}{unit}")
    return {label: ", ".join(items) for label, items in values.items()}
