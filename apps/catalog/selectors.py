"""Catalog reads. Other apps fetch products through these functions, never through the models.

The listing page is built from at most four queries whatever the catalog size: the category tree
and the attribute vocabulary (both cached per catalog version), one facet query (cached per filter
state) and one query for the page of cards (primary image joined, stock summed in a subquery).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.db.models import FilteredRelation, Prefetch, Q, QuerySet

from apps.core.cache import VersionCounter

from . import inventory
from .facets import FacetSummary, facet_summary
from .filters import CatalogFilters, filtered_products, search_rank
from .models import Category, Product, ProductImage, category_url
from .products import product_display

CACHE_TTL = 300
# Checkout decrements stock without bumping the catalog version: anything cached that shows stock
# (facet counts, rendered fragments) lives at most this long, so shown stock lags at most a minute.
STOCK_LAG = 60
# A lost bump (Redis stalled during a write) is made harmless by core (see apps.core.cache).
CATALOG_VERSION = VersionCounter("catalog:version")


def card_queryset() -> QuerySet[Product]:
    """Active products with everything a product card shows, in a fixed number of queries.

    Each product gets `primary_images` (a list with at most one image, via Prefetch to_attr)
    and `stock_total` (units of its active variants, annotated in the same query); call
    `with_display` on the results for the card's display rules.
    """
    return (
        Product.objects.filter(status=Product.Status.ACTIVE, max_price__isnull=False)
        .select_related("category")
        .annotate(stock_total=inventory.stock_total("product"))
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
    return {product.pk: product for product in with_display(card_queryset().filter(pk__in=ids))}


def with_display(products) -> list[Product]:
    """Card products with `display` (price or "from" price, sale, stock: decided once here)."""
    products = list(products)
    for product in products:
        product.display = product_display(product)
    return products


# --- Catalog version and metadata -----------------------------------------------------------


def catalog_version() -> int:
    """A counter bumped on every catalog write (see services): part of every catalog cache key."""
    return CATALOG_VERSION.current()


@dataclass(frozen=True)
class CategoryNode:
    id: int
    parent_id: int | None
    name: str
    slug: str
    path: str

    def get_absolute_url(self) -> str:
        return category_url(self.path)


@dataclass(frozen=True)
class DefinitionMeta:
    id: int
    slug: str
    name: str
    kind: str
    unit: str
    values: tuple[str, ...]
    is_option: bool = False  # values are variant options (size, colour), not product attributes


@dataclass
class CatalogMeta:
    """The small, rarely changing part of the catalog: categories and the attribute vocabulary."""

    categories: list[CategoryNode]
    definitions: list[DefinitionMeta]
    by_path: dict[str, CategoryNode] = field(init=False)
    by_id: dict[int, CategoryNode] = field(init=False)

    def __post_init__(self) -> None:
        self.by_path = {c.path: c for c in self.categories}
        self.by_id = {c.id: c for c in self.categories}

    def subtree_ids(self, category: CategoryNode) -> tuple[int, ...]:
        prefix = category.path + "/"
        return tuple(
            c.id for c in self.categories if c.id == category.id or c.path.startswith(prefix)
        )

    def children(self, category: CategoryNode | None) -> list[CategoryNode]:
        parent_id = category.id if category else None
        return [c for c in self.categories if c.parent_id == parent_id]

    def ancestors(self, category: CategoryNode | None) -> list[CategoryNode]:
        """The category and its parents, root first (breadcrumbs)."""
        chain: list[CategoryNode] = []
        while category is not None:
            chain.append(category)
            category = self.by_id.get(category.parent_id) if category.parent_id else None
        return chain[::-1]


# Clothing sizes in size order, not alphabetical (L, M, S, XL...).
_SIZE_RANK = {size: rank for rank, size in enumerate(("XXS", "XS", "S", "M", "L", "XL", "XXL"))}


def _value_sort_key(kind: str):
    def key(value: str):
        if value in _SIZE_RANK:
            return (0, float(_SIZE_RANK[value]), value)
        if kind == "number":
            try:
                return (0, float(value), value)
            except ValueError:
                return (1, 0.0, value)
        return (0, 0.0, value.casefold())

    return key


# Distinct (definition, value) pairs by hopping along the (definition, value, product) index: one
# index probe per distinct value ("loose index scan") instead of reading every attribute row.
_VOCABULARY_SQL = """
WITH RECURSIVE t(d, v) AS (
  SELECT (SELECT definition_id FROM catalog_productattribute ORDER BY definition_id, value LIMIT 1),
         (SELECT value FROM catalog_productattribute ORDER BY definition_id, value LIMIT 1)
  UNION ALL
  SELECT (SELECT a.definition_id FROM catalog_productattribute a
          WHERE (a.definition_id, a.value) > (t.d, t.v) ORDER BY a.definition_id, a.value LIMIT 1),
         (SELECT a.value FROM catalog_productattribute a
          WHERE (a.definition_id, a.value) > (t.d, t.v) ORDER BY a.definition_id, a.value LIMIT 1)
  FROM t WHERE t.d IS NOT NULL
)
SELECT t.d, d.slug, d.name, d.kind, d.unit, d.sort_order, t.v, 0
FROM t JOIN catalog_attributedefinition d ON d.id = t.d
WHERE d.filterable
UNION ALL
SELECT DISTINCT d.id, d.slug, d.name, d.kind, d.unit, d.sort_order, o.value, 1
FROM catalog_variant v, {each}(v.options) o
JOIN catalog_attributedefinition d ON d.slug = o.key
WHERE d.filterable AND v.status = 'active'
"""


def catalog_meta(version: int | None = None) -> CatalogMeta:
    """Categories and filterable attribute values: two queries, then cached per catalog version
    (pass the version when the caller has already read it: one Redis round trip less)."""
    key = f"catalog:meta:{catalog_version() if version is None else version}"
    meta = cache.get(key)
    if meta is not None:
        return meta
    categories = [
        CategoryNode(**row)
        for row in Category.objects.filter(is_active=True)
        .order_by("sort_order", "name")
        .values("id", "parent_id", "name", "slug", "path")
    ]
    # Drop categories whose parent is inactive: their path would lead nowhere.
    known = {c.id for c in categories}
    categories = [c for c in categories if c.parent_id is None or c.parent_id in known]
    with connection.cursor() as cursor:
        each = "jsonb_each_text" if connection.vendor == "postgresql" else "json_each"
        cursor.execute(_VOCABULARY_SQL.format(each=each))
        rows = cursor.fetchall()
    grouped: dict[int, tuple[tuple, set[str]]] = {}
    options: set[int] = set()
    for def_id, slug, name, kind, unit, sort_order, value, is_option in rows:
        grouped.setdefault(def_id, ((sort_order, name, slug, kind, unit), set()))[1].add(value)
        if is_option:
            options.add(def_id)
    definitions = [
        DefinitionMeta(
            id=def_id,
            slug=info[2],
            name=info[1],
            kind=info[3],
            unit=info[4],
            values=tuple(sorted(values, key=_value_sort_key(info[3]))),
            is_option=def_id in options,
        )
        for def_id, (info, values) in sorted(grouped.items(), key=lambda item: item[1][0][:2])
    ]
    meta = CatalogMeta(categories=categories, definitions=definitions)
    cache.set(key, meta, CACHE_TTL)
    return meta


def cached_facet_summary(filters: CatalogFilters, meta: CatalogMeta) -> FacetSummary:
    """Facet counts, total and price range for a filter state: one query, cached per version."""
    key = f"catalog:facets:{catalog_version()}:{filters.cache_key()}"
    summary = cache.get(key)
    if summary is None:
        summary = facet_summary(
            filters,
            [d.id for d in meta.definitions if not d.is_option],
            {d.id: d.slug for d in meta.definitions if d.is_option},
        )
        cache.set(key, summary, STOCK_LAG)
    return summary


# --- Listing --------------------------------------------------------------------------------

SORTS: dict[str, str] = {
    "relevance": "Relevance",
    "price_asc": "Price: low to high",
    "price_desc": "Price: high to low",
    "newest": "Newest",
    "name": "Name",
}
DEFAULT_SORT = "relevance"
PAGE_SIZES = (12, 24, 48)
DEFAULT_PAGE_SIZE = 24


def _ordering(sort: str, searching: bool) -> tuple[str, ...]:
    if sort == "price_asc":
        return ("current_price", "pk")
    if sort == "price_desc":
        return ("-current_price", "-pk")
    if sort == "newest":
        return ("-created_at", "-pk")
    if sort == "relevance" and searching:
        return ("-rank", "pk")
    return ("name", "pk")


@dataclass
class CatalogPage:
    products: list[Product]
    summary: FacetSummary
    number: int
    num_pages: int
    per_page: int

    @property
    def total(self) -> int:
        return self.summary.total

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def clamp_page(requested: int, total: int, per_page: int) -> tuple[int, int]:
    """(page number, page count): an out-of-range page is always answered with the last page."""
    num_pages = max(1, math.ceil(total / per_page))
    return min(max(1, requested), num_pages), num_pages


def _card_rows() -> QuerySet[Product]:
    """Like card_queryset() but in ONE query: the primary image is joined instead of prefetched."""
    return (
        Product.objects.filter(status=Product.Status.ACTIVE)
        .annotate(
            stock_total=inventory.stock_total("product"),
            primary_image=FilteredRelation("images", condition=Q(images__is_primary=True)),
        )
        .select_related("category", "primary_image")
        .defer("description", "search_vector")
    )


def _with_primary_images(products: list[Product]) -> list[Product]:
    for product in products:
        image = getattr(product, "primary_image", None)
        product.primary_images = [image] if image is not None and image.pk else []
    return with_display(products)


def catalog_page(
    filters: CatalogFilters,
    meta: CatalogMeta,
    *,
    sort: str = DEFAULT_SORT,
    page: int = 1,
    per_page: int = DEFAULT_PAGE_SIZE,
) -> CatalogPage:
    """One page of cards plus the facet summary: two queries (the summary is often cached)."""
    summary = cached_facet_summary(filters, meta)
    number, num_pages = clamp_page(page, summary.total, per_page)
    ordering = _ordering(sort, bool(filters.q))
    ids = filtered_products(filters)
    rows = _card_rows()
    if "-rank" in ordering:
        ids = ids.annotate(rank=search_rank(filters.q))
        rows = rows.annotate(rank=search_rank(filters.q))
    offset = (number - 1) * per_page
    # Page the narrow id query first so a deep OFFSET never drags joins and subqueries along.
    page_ids = ids.order_by(*ordering).values("pk")[offset : offset + per_page]
    products = list(rows.filter(pk__in=page_ids).order_by(*ordering)) if summary.total else []
    return CatalogPage(
        products=_with_primary_images(products),
        summary=summary,
        number=number,
        num_pages=num_pages,
        per_page=per_page,
    )
