"""The shopper's filter state and the product querysets it selects.

Facet counts need the same filters "minus one" (every facet is counted under the other active
filters), so the queryset builder can leave out one filter by name.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from .models import Product, ProductAttribute, Stock

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
    # ((definition id, (value, ...)), ...), both levels sorted.
    attributes: tuple[tuple[int, tuple[str, ...]], ...] = ()

    def cache_key(self) -> str:
        return hashlib.blake2b(repr(self).encode(), digest_size=16).hexdigest()

    def selected(self, definition_id: int) -> tuple[str, ...]:
        for def_id, values in self.attributes:
            if def_id == definition_id:
                return values
        return ()


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


def in_stock_condition() -> Exists:
    return Exists(Stock.objects.filter(product=OuterRef("pk"), quantity__gt=0))


def filtered_products(filters: CatalogFilters, *, skip: str | int | None = None) -> QuerySet:
    """Active products matching every filter but `skip` ("price", "stock" or a definition id).

    Values within one attribute are alternatives (red OR blue); attributes combine with AND.
    """
    qs = Product.objects.filter(status=Product.Status.ACTIVE)
    if filters.category_ids is not None:
        qs = qs.filter(category_id__in=filters.category_ids)
    if filters.q:
        qs = qs.filter(search_condition(filters.q))
    if skip != "price":
        if filters.price_min is not None:
            qs = qs.filter(current_price__gte=filters.price_min)
        if filters.price_max is not None:
            qs = qs.filter(current_price__lte=filters.price_max)
    if skip != "stock" and filters.in_stock:
        qs = qs.filter(in_stock_condition())
    for definition_id, values in filters.attributes:
        if definition_id != skip:
            qs = qs.filter(attribute_filter(definition_id, values))
    return qs.order_by()
