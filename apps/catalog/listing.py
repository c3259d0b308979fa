"""Catalog listings beyond the faceted page: the product grids of layout blocks.

Every product grid and category tile on a page is answered by ONE query (a UNION ALL of one
limited sub-select per spec) plus card_queryset()'s image prefetch, so a page with six grids
costs the same as a page with one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import CharField, IntegerField, Q, QuerySet, Subquery, Value
from django.db.models.functions import Concat

from .models import Category, Product
from .selectors import STOCK_LAG, card_queryset, with_display


@dataclass(frozen=True)
class ProductSpec:
    """Which products a block wants: by category (and below), attribute value, or SKUs."""

    kind: str  # "category" | "attribute" | "skus"
    limit: int
    category_id: int | None = None
    attribute: str = ""
    value: str = ""
    skus: tuple[str, ...] = ()


def _category_filter(category_id: int) -> Q:
    path = Subquery(Category.objects.filter(pk=category_id, is_active=True).values("path")[:1])
    return Q(category_id=category_id, category__is_active=True) | Q(
        category__path__startswith=Concat(path, Value("/"), output_field=CharField()),
        category__is_active=True,
    )


def _spec_queryset(index: int, spec: ProductSpec) -> QuerySet[Product]:
    qs = card_queryset()
    label = Value("", output_field=CharField())
    path = Value("", output_field=CharField())
    if spec.kind == "category":
        qs = qs.filter(_category_filter(spec.category_id or 0))
        label = Subquery(
            Category.objects.filter(pk=spec.category_id).values("name")[:1],
            output_field=CharField(),
        )
        path = Subquery(
            Category.objects.filter(pk=spec.category_id).values("path")[:1],
            output_field=CharField(),
        )
        order = ["-created_at", "pk"]
    elif spec.kind == "attribute":
        qs = qs.filter(attributes__definition__slug=spec.attribute, attributes__value=spec.value)
        order = ["-created_at", "pk"]
    else:
        qs = qs.filter(sku__in=list(spec.skus))
        order = ["pk"]
    return qs.annotate(
        block_slot=Value(index, output_field=IntegerField()),
        block_label=label,
        block_category_path=path,
    ).order_by(*order)[: spec.limit]


def products_for_specs(specs: Sequence[ProductSpec]) -> list[list[Product]]:
    """Products for each spec, in spec order, in one query (plus the card image prefetch).

    A product wanted by two specs comes back once per spec. Each product carries
    `block_label` and `block_category_path`: the spec's category ("" for other specs).
    """
    if not specs:
        return [[] for _ in specs]
    parts = [_spec_queryset(i, spec) for i, spec in enumerate(specs)]
    results: list[list[Product]] = [[] for _ in specs]
    if connection.features.supports_slicing_ordering_in_compound:
        batches = [parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]]
    else:
        # SQLite (the embedded default) cannot LIMIT inside a UNION: one query per spec there.
        batches = parts
    for qs in batches:
        for product in with_display(qs):
            results[product.block_slot].append(product)
    for spec, products in zip(specs, results, strict=True):
        if spec.kind == "skus":
            rank = {sku: i for i, sku in enumerate(spec.skus)}
            products.sort(key=lambda p: rank.get(p.sku, len(rank)))
    return results


def category_choices() -> list[tuple[int, str]]:
    """Active categories for block forms (used when a marketer edits, never on the page)."""
    return list(Category.objects.filter(is_active=True).order_by("path").values_list("pk", "path"))


def attribute_choices() -> list[tuple[str, str]]:
    from .models import AttributeDefinition

    return list(
        AttributeDefinition.objects.order_by("sort_order", "name").values_list("slug", "name")
    )


def existing_skus(skus: Sequence[str]) -> set[str]:
    return set(Product.objects.filter(sku__in=list(skus)).values_list("sku", flat=True))


__all__ = [
    "STOCK_LAG",
    "ProductSpec",
    "attribute_choices",
    "category_choices",
    "existing_skus",
    "products_for_specs",
]
