"""Catalog reads. Other apps fetch products through these functions, never through the models.

The listing page is built from at most four queries whatever the catalog size: the category tree
and the attribute vocabulary (both cached per catalog version), one facet query (cached per filter
state) and one query for the page of cards (primary image joined, stock summed in a subquery).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from django.core.cache import cache
from django.db import connection
from django.db.models import F, FilteredRelation, Prefetch, Q, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan

from apps.core import rows as sqlrows
from apps.core.cache import VersionCounter
from apps.core.lru import LRU

from . import facetindex, inventory
from .cursor import KEYSET_FIELDS, Cursor
from .facets import FacetSummary, facet_summary
from .filters import CatalogFilters, filtered_products, search_rank
from .models import Category, Product, ProductImage, Stock, Variant, category_url
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
{options}
"""

# Option values: PostgreSQL keeps them in a table (models.OptionValue, filled by triggers); on
# SQLite (a few hundred products) every active variant's options are unpacked.
_OPTIONS_SQL = {
    "postgresql": """SELECT d.id, d.slug, d.name, d.kind, d.unit, d.sort_order, o.value, 1
FROM catalog_optionvalue o JOIN catalog_attributedefinition d ON d.slug = o.key
WHERE d.filterable""",
    "sqlite": """SELECT DISTINCT d.id, d.slug, d.name, d.kind, d.unit, d.sort_order, o.value, 1
FROM catalog_variant v, json_each(v.options) o
JOIN catalog_attributedefinition d ON d.slug = o.key
WHERE d.filterable AND v.status = 'active'""",
}


# This process's copies of the vocabulary, by key. A catalog version's vocabulary never changes
# (every catalog write bumps the version, and a counter lost from Redis restarts from the clock,
# above any value it had), so a copy saves the Redis read and the unpickling on every listing
# rendered; a few versions are kept for requests that straddle a write.
_meta_copies = LRU(4)


def catalog_meta(version: int | None = None) -> CatalogMeta:
    """Categories and filterable attribute values: two queries, then cached per catalog version
    in Redis (shared) and in this process (pass the version when the caller has already read
    it). Callers must not change what they get: it is shared by this process's requests."""
    key = f"catalog:meta:{catalog_version() if version is None else version}"
    meta = _meta_copies.get(key)
    if meta is not None:
        return meta
    meta = cache.get(key)
    if isinstance(meta, CatalogMeta):
        _meta_copies.put(key, meta)
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
        options = _OPTIONS_SQL["postgresql" if connection.vendor == "postgresql" else "sqlite"]
        cursor.execute(_VOCABULARY_SQL.format(options=options))
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
    _meta_copies.put(key, meta)
    return meta


def cached_facet_summary(filters: CatalogFilters, meta: CatalogMeta) -> FacetSummary:
    """Facet counts, total and price range for a filter state, cached per version: from the
    process's bitmap index (at most one query: its change-log sync) or one SQL query."""
    key = f"catalog:facets:{catalog_version()}:{filters.cache_key()}"
    summary = cache.get(key)
    if summary is None:
        definition_ids = [d.id for d in meta.definitions if not d.is_option]
        options = {d.id: d.slug for d in meta.definitions if d.is_option}
        summary = facetindex.facet_summary(filters, definition_ids, options)
        if summary is None:
            summary = facet_summary(filters, definition_ids, options)
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


# Every listing order ends on the pk, so it is total: equal prices or names never swap places
# between two requests, and (sort value, pk) is a unique position a cursor can name. Each is
# read along a partial index of listable products (column, id), migrations/0005: ascending
# orders forwards, the all-descending ones backwards, so a page is an index range scan.
ORDERINGS: dict[str, tuple[str, ...]] = {
    "price_asc": ("current_price", "pk"),
    "price_desc": ("-current_price", "-pk"),
    "newest": ("-created_at", "-pk"),
    "name": ("name", "pk"),
    "rank": ("-rank", "pk"),  # relevance of a search: no cursor (see apps.catalog.cursor)
}


def ordering_name(sort: str, searching: bool) -> str:
    """The ORDERINGS entry a sort means (relevance is the name order when nothing is searched)."""
    if sort == "relevance":
        return "rank" if searching else "name"
    return sort if sort in ORDERINGS else "name"


@dataclass
class CatalogPage:
    products: list[Product]
    summary: FacetSummary
    number: int
    num_pages: int
    per_page: int
    # Where "load more" continues: the last card's position, when there are cards after it and
    # the ordering can be paged by cursor (None for a search's relevance order).
    next_cursor: Cursor | None = None
    more: bool = False  # whether cards follow this page (known exactly, not from the total)

    @property
    def total(self) -> int:
        return self.summary.total

    @property
    def has_next(self) -> bool:
        return self.more

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


# Columns no card shows (as _card_rows defers them).
_CARD_SKIP = frozenset({"description", "search_vector"})


@lru_cache(maxsize=64)
def _cards_sql(vendor: str, count: int) -> str:
    """`_card_rows().filter(pk__in=<count ids>)` as one fixed statement (no ORDER BY: the
    caller puts the cards in its own order); `vendor` keys the cache."""
    qn = connection.ops.quote_name
    product, category, image = Product._meta, Category._meta, ProductImage._meta
    stock, variant = Stock._meta, Variant._meta
    units = (
        f"COALESCE((SELECT SUM(s.{qn('quantity')}) FROM {qn(stock.db_table)} s "
        f"JOIN {qn(variant.db_table)} v ON v.{qn('id')} = s.{qn('variant_id')} "
        f"WHERE v.{qn('product_id')} = p.{qn('id')} AND v.{qn('status')} = %s), 0)"
    )
    select = [
        *sqlrows.columns(Product, "p", _CARD_SKIP),
        units,
        *sqlrows.columns(Category, "c"),
        *sqlrows.columns(ProductImage, "i"),
    ]
    return (
        f"SELECT {', '.join(select)} FROM {qn(product.db_table)} p "
        f"JOIN {qn(category.db_table)} c ON c.{qn('id')} = p.{qn('category_id')} "
        f"LEFT JOIN {qn(image.db_table)} i "
        f"ON i.{qn('product_id')} = p.{qn('id')} AND i.{qn('is_primary')} "
        f"WHERE p.{qn('status')} = %s AND p.{qn('id')} IN ({', '.join(['%s'] * count)})"
    )


def _cards_by_ids(ids: list[int]) -> list[Product]:
    """The active products among `ids` as `_card_rows()` makes them (category and primary image
    joined, `stock_total`; description and search vector deferred), in no particular order.

    One fixed statement per number of ids: compiling the ORM query took as long as running it
    (~2.6 ms of a cold listing's). tests/catalog/test_card_rows_sql.py compares both."""
    if not ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            _cards_sql(connection.vendor, len(ids)),
            [Variant.Status.ACTIVE, Product.Status.ACTIVE, *ids],
        )
        found = cursor.fetchall()
    first = len(sqlrows.reader(Product, connection.vendor, _CARD_SKIP))
    last = first + 1 + len(sqlrows.reader(Category, connection.vendor))
    products = []
    for row in found:
        product = sqlrows.instance(Product, row[:first], _CARD_SKIP)
        product.stock_total = row[first]
        product.category = sqlrows.instance(Category, row[first + 1 : last])
        image = row[last:]  # all NULL without a primary image (the LEFT JOIN found none)
        product.primary_image = None if image[0] is None else sqlrows.instance(ProductImage, image)
        products.append(product)
    return products


def _with_primary_images(products: list[Product]) -> list[Product]:
    for product in products:
        image = getattr(product, "primary_image", None)
        product.primary_images = [image] if image is not None and image.pk else []
    return with_display(products)


def _reversed(ordering: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f[1:] if f.startswith("-") else f"-{f}" for f in ordering)


def _page_ids(
    filters: CatalogFilters,
    name: str,
    cursor: Cursor | None,
    offset: int,
    limit: int,
    *,
    total: int,
) -> QuerySet | list[int]:
    """THE step that decides which products are on the page: at most `limit` ids.

    First the bitmap index (`facetindex.ordered_ids`), when this process holds a synced one:
    a list of ids in page order, and the cards follow the list's order. It orders exactly as
    ORDERINGS (ties by pk; it declines name order under a collation it cannot reproduce), so a
    cursor taken from its page's last card resumes at the same place on either source.

    Otherwise from PostgreSQL: a narrow id query, left lazy so that it runs as a subquery of
    the card query (one round trip) and is put in order by the card query's own ORDER BY.
    Three ways to find the page, none with an OFFSET past half the matches:

    - after a cursor: `(sort value, pk) > cursor` in the ordering, an index range scan;
    - a numbered page in the first half: OFFSET from the start;
    - a numbered page in the second half: the ordering reversed, OFFSET from the end (the last
      page costs as little as the first). `total` (the facet summary's) says where the end is;
      under "in stock" it may lag checkout by STOCK_LAG, and such a page shift by the products
      sold out meanwhile (as any OFFSET page shifts when products come and go).

    So a numbered page costs at most an OFFSET over half the matches (index-only, ids only);
    stepping with "Next" or "load more" carries a cursor and costs one page.
    """
    # The bitmap index's order (facetindex.orders) when this process holds one that needs no
    # sync query now: a deep page is then a sum of bitmap cardinalities, not an OFFSET. A search
    # by relevance is ordered by the ranks read with its matches (facetindex.source.Search):
    # ranking every match again here was a second pass over their rows.
    indexed = facetindex.ordered_ids(
        filters,
        name,
        after_pk=cursor.pk if cursor is not None else None,
        # The index honours a cursor only while its product keeps this value (else SQL,
        # which pages from the recorded (value, pk) exactly).
        after_value=cursor.value if cursor is not None else None,
        offset=0 if cursor is not None else offset,
        limit=limit,
        may_sync=False,
    )
    if indexed is not None:
        return indexed
    ordering = ORDERINGS[name]
    ids = filtered_products(filters)
    if "-rank" in ordering:
        ids = ids.annotate(rank=search_rank(filters.q))
    if cursor is not None:
        field = ordering[0].lstrip("-")
        lookup = TupleLessThan if ordering[0].startswith("-") else TupleGreaterThan
        after = lookup(Tuple(F(field), F("pk")), (cursor.value, cursor.pk))
        return ids.filter(after).order_by(*ordering).values("pk")[:limit]
    if offset > total // 2:
        start = max(0, total - offset - limit)
        # The last page can be short: only the rows between `offset` and the end.
        stop = total - offset
        return ids.order_by(*_reversed(ordering)).values("pk")[start:stop]
    return ids.order_by(*ordering).values("pk")[offset : offset + limit]


def catalog_page(
    filters: CatalogFilters,
    meta: CatalogMeta,
    *,
    sort: str = DEFAULT_SORT,
    page: int = 1,
    per_page: int = DEFAULT_PAGE_SIZE,
    after: Cursor | None = None,
) -> CatalogPage:
    """One page of cards plus the facet summary: two queries (the summary is often cached).

    `after` (a cursor for this ordering) picks the cards that follow it; `page` then only
    labels the page (the number the shop's own links put next to the cursor).
    """
    summary = cached_facet_summary(filters, meta)
    number, num_pages = clamp_page(page, summary.total, per_page)
    name = ordering_name(sort, bool(filters.q))
    ordering = ORDERINGS[name]
    if after is not None and after.ordering != name:
        raise ValueError("The cursor belongs to another ordering.")
    # One id more than a page says whether another page follows (load more needs to know when
    # the cursor, not the page number, placed this page).
    page_ids = _page_ids(
        filters,
        name,
        after,
        (number - 1) * per_page,
        per_page + 1 if after is not None else per_page,
        total=summary.total,
    )
    if not summary.total:
        products = []
    elif isinstance(page_ids, list):
        # Ids from the index come in page order (see _page_ids): the cards follow it, with no
        # ORDER BY (nor a relevance computed again for a search) in the card query.
        position = {pk: i for i, pk in enumerate(page_ids)}
        products = sorted(_cards_by_ids(page_ids), key=lambda product: position[product.pk])
    else:
        cards = _card_rows().filter(pk__in=page_ids)
        if "-rank" in ordering:
            cards = cards.annotate(rank=search_rank(filters.q))
        products = list(cards.order_by(*ordering))
    more = len(products) > per_page if after is not None else number < num_pages
    products = products[:per_page]
    next_cursor = None
    if more and products and name in KEYSET_FIELDS:
        last = products[-1]
        next_cursor = Cursor(name, getattr(last, KEYSET_FIELDS[name]), last.pk)
    return CatalogPage(
        products=_with_primary_images(products),
        summary=summary,
        number=number,
        num_pages=num_pages,
        per_page=per_page,
        next_cursor=next_cursor,
        more=more,
    )
