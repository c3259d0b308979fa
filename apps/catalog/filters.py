"""The shopper's filter state and the product querysets it selects.

Facet counts need the same filters "minus one" (every facet is counted under the other active
filters), so the queryset builder can leave out one filter by name.

Product attributes (brand, material) filter products. Options (size, colour), the price and
"in stock" filter variants: a product matches when ONE of its active variants matches all of
them at once ("size 42" + "in stock" is the size-42 variant in stock, not any variant).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from .inventory import variant_in_stock
from .models import Product, ProductAttribute, Variant

SEARCH_CONFIG = "english"
MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class CatalogFilters:
    """A normalised, hashable filter state (unknown slugs and values already dropped)."""

    category_ids: tuple[int, ...] | None = None
    q: str = ""
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    in_stock: bool = False
    # Product attributes: ((definition id, (value, ...)), ...), both levels sorted.
    attributes: tuple[tuple[int, tuple[str, ...]], ...] = ()
    # Variant options: ((definition id, slug, (value, ...)), ...), sorted.
    options: tuple[tuple[int, str, tuple[str, ...]], ...] = ()

    def cache_key(self) -> str:
        return hashlib.blake2b(repr(self).encode(), digest_size=16).hexdigest()

    def selected(self, definition_id: int) -> tuple[str, ...]:
        for def_id, values in self.attributes:
            if def_id == definition_id:
                return values
        for def_id, _slug, values in self.options:
            if def_id == definition_id:
                return values
        return ()

    @property
    def active_ids(self) -> set[int]:
        return {d for d, _ in self.attributes} | {d for d, _, _ in self.options}


def uses_postgres_search() -> bool:
    return connection.vendor == "postgresql"


def search_query(q: str) -> SearchQuery:
    return SearchQuery(q, config=SEARCH_CONFIG, search_type="websearch")


def search_rank(q: str) -> SearchRank | F:
    """Relevance of a product for `q`; on SQLite (no ranking) the name keeps the order stable."""
    if uses_postgres_search():
        return SearchRank(F("search_vector"), search_query(q))
    return F("name")


def search_condition(q: str) -> Q:
    if uses_postgres_search():
        return Q(search_vector=search_query(q))
    condition = Q()
    for word in q.split()[:10]:
        condition &= Q(name__icontains=word) | Q(description__icontains=word) | Q(sku__iexact=word)
    return condition


def attribute_filter(definition_id: int, values: tuple[str, ...]) -> Exists:
    return Exists(
        ProductAttribute.objects.filter(
            product=OuterRef("pk"), definition_id=definition_id, value__in=values
        )
    )


def matching_variants(
    filters: CatalogFilters, *, skip: str | int | None = None, outer: bool = True
) -> QuerySet[Variant]:
    """Active variants matching the variant-level filters but `skip`; of the outer product row
    when `outer` (for an Exists), else of any product."""
    qs = Variant.objects.filter(status=Variant.Status.ACTIVE)
    if outer:
        qs = qs.filter(product=OuterRef("pk"))
    if skip != "price":
        if filters.price_min is not None:
            qs = qs.filter(price__gte=filters.price_min)
        if filters.price_max is not None:
            qs = qs.filter(price__lte=filters.price_max)
    if skip != "stock" and filters.in_stock:
        qs = qs.filter(variant_in_stock())
    for definition_id, slug, values in filters.options:
        if definition_id != skip:
            qs = qs.filter(**{f"options__{slug}__in": list(values)})
    return qs


def filtered_products(
    filters: CatalogFilters, *, skip: str | int | None = None, variants: bool = True
) -> QuerySet:
    """Active products matching every filter but `skip` ("price", "stock" or a definition id)
    and, unless `variants` is False, with an active variant matching the variant filters.

    Values within one attribute are alternatives (red OR blue); attributes combine with AND.
    """
    qs = Product.objects.filter(status=Product.Status.ACTIVE)
    if filters.category_ids is not None:
        qs = qs.filter(category_id__in=filters.category_ids)
    if filters.q:
        qs = qs.filter(search_condition(filters.q))
    for definition_id, values in filters.attributes:
        if definition_id != skip:
            qs = qs.filter(attribute_filter(definition_id, values))
    if variants:
        # max_price is set exactly when the product has an active variant (services).
        qs = qs.filter(max_price__isnull=False)
        if _has_variant_filters(filters, skip):
            qs = qs.filter(Exists(matching_variants(filters, skip=skip)))
    return qs.order_by()


def _has_variant_filters(filters: CatalogFilters, skip: str | int | None) -> bool:
    price = skip != "price" and (filters.price_min is not None or filters.price_max is not None)
    stock = skip != "stock" and filters.in_stock
    options = any(d != skip for d, _, _ in filters.options)
    return bool(price or stock or options)
