"""Catalog reads. Other apps fetch products through these functions, never through the models."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Sum
from django.db.models.functions import Coalesce

from .models import Product, ProductImage, Stock


def card_queryset() -> QuerySet[Product]:
    """Active products with everything a product card shows, in a fixed number of queries.

    Each product gets `primary_images` (a list with at most one image, via Prefetch to_attr)
    and `stock_total` (units across warehouses, annotated in the same query).
    """
    return (
        Product.objects.filter(status=Product.Status.ACTIVE)
        .select_related("category")
        .annotate(
            stock_total=Coalesce(
                Stock.objects.filter(product=OuterRef("pk"))
                .values("product")
                .annotate(total=Sum("quantity"))
                .values("total"),
                0,
            )
        )
        .prefetch_related(
            Prefetch(
                "images",
                queryset=ProductImage.objects.filter(is_primary=True),
                to_attr="primary_images",
            )
        )
    )


def products_by_ids(ids: Iterable[int]) -> dict[int, Product]:
    """Active products for cards, keyed by id, in two queries whatever the number of ids."""
    ids = list({int(i) for i in ids})
    if not ids:
        return {}
    return {product.pk: product for product in card_queryset().filter(pk__in=ids)}


def in_stock_filter() -> Exists:
    return Exists(Stock.objects.filter(product=OuterRef("pk"), quantity__gt=0))
