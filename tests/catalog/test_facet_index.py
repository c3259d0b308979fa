"""The bitmap facet index against the SQL oracle (facets.facet_summary, filtered_products and the
listing's ORDER BY), on a seeded random catalog, for hundreds of random filter states, before
and after price, stock and status changes."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import F, Value
from django.db.models.functions import Concat

from apps.catalog import facetindex
from apps.catalog.facets import facet_summary
from apps.catalog.filters import CatalogFilters, filtered_products, search_rank
from apps.catalog.models import (
    MAX_PRICE,
    AttributeDefinition,
    Category,
    Product,
    ProductAttribute,
    Stock,
    Variant,
    Warehouse,
)
from apps.catalog.selectors import ORDERINGS, catalog_meta, ordering_name
from apps.catalog.services import refresh_variant_summary

pytestmark = pytest.mark.django_db

SIZES = ["XS", "S", "M", "L", "40", "41", "42"]
COLOURS = ["Red", "Blue", "Black", "Green"]
BRANDS = ["Acme", "Borealis", "Cobalt", "Dune"]
MATERIALS = ["cotton", "wool", "leather"]
WORDS = ["trail", "linen", "classic", "storm"]


@pytest.fixture
def index_settings(settings):
    # Synced explicitly after each write (`ensure`); the timed path is in the freshness tests.
    settings.CATALOG_FACET_INDEX_LAG = 3600
    facetindex.reset()
    yield
    facetindex.reset()


def random_catalog(seed: int = 7, products: int = 160) -> dict:
    rng = random.Random(seed)
    root = Category.objects.create(name="Root", slug="root")
    kids = [Category.objects.create(name=f"C{i}", slug=f"c{i}", parent=root) for i in range(3)]
    leaf = Category.objects.create(name="Leaf", slug="leaf", parent=kids[0])
    categories = [root, *kids, leaf]
    w1 = Warehouse.objects.create(code="w1", name="W1")
    w2 = Warehouse.objects.create(code="w2", name="W2")
    brand = AttributeDefinition.objects.create(slug="brand", name="Brand", sort_order=0)
    material = AttributeDefinition.objects.create(slug="material", name="Material", sort_order=1)
    AttributeDefinition.objects.create(slug="size", name="Size", sort_order=2)
    AttributeDefinition.objects.create(slug="colour", name="Colour", sort_order=3)
    rows = Product.objects.bulk_create(
        [
            Product(
                sku=f"R{i}",
                slug=f"r{i}",
                # Repeated names: the id must break ties in the name order.
                name=f"{rng.choice(WORDS).title()} item {rng.randint(1, 60)}",
                description=rng.choice(WORDS),
                category=rng.choice(categories),
                status=rng.choice(["active"] * 8 + ["draft", "archived"]),
            )
            for i in range(products)
        ]
    )
    variants, attributes = [], []
    for product in rows:
        count = rng.choice([0, 1, 1, 2, 3, 4, 6])
        combos = rng.sample([(s, c) for s in SIZES for c in COLOURS], count)
        for n, (size, colour) in enumerate(combos):
            options = {} if count == 1 and rng.random() < 0.5 else {"size": size, "colour": colour}
            variants.append(
                Variant(
                    product=product,
                    sku=f"{product.sku}-{n}",
                    options=options,
                    price=Decimal(rng.randint(500, 9000)) / 100,
                    status="active" if rng.random() < 0.85 else "inactive",
                )
            )
        for value in rng.sample(BRANDS, rng.choice([0, 1, 1, 2])):
            attributes.append(ProductAttribute(product=product, definition=brand, value=value))
        for value in rng.sample(MATERIALS, rng.choice([0, 1])):
            attributes.append(ProductAttribute(product=product, definition=material, value=value))
    variants = Variant.objects.bulk_create(variants)
    Stock.objects.bulk_create(
        [
            Stock(variant=v, warehouse=w, quantity=rng.choice([0, 0, 1, 4]))
            for v in variants
            for w in rng.sample([w1, w2], rng.choice([0, 1, 2]))
        ]
    )
    ProductAttribute.objects.bulk_create(attributes)
    refresh_variant_summary(p.pk for p in rows)
    return {"categories": categories, "brand": brand.pk, "material": material.pk}


def random_filters(rng: random.Random, shop: dict, meta) -> CatalogFilters:
    defs = {d.slug: d for d in meta.definitions}
    kwargs: dict = {}
    if rng.random() < 0.3:
        category = rng.choice(meta.categories)
        kwargs["category_ids"] = meta.subtree_ids(category)
    if rng.random() < 0.15:
        kwargs["q"] = rng.choice(WORDS)
    if rng.random() < 0.35:
        low = Decimal(rng.randint(400, 6000)) / 100
        if rng.random() < 0.7:
            kwargs["price_min"] = low
        if rng.random() < 0.7:
            kwargs["price_max"] = low + Decimal(rng.randint(0, 5000)) / 100
    kwargs["in_stock"] = rng.random() < 0.35
    attributes = []
    for slug, pool in (("brand", BRANDS), ("material", MATERIALS)):
        if rng.random() < 0.3:
            attributes.append((defs[slug].id, tuple(sorted(rng.sample(pool, rng.randint(1, 2))))))
    kwargs["attributes"] = tuple(sorted(attributes))
    options = []
    for slug, pool in (("size", SIZES), ("colour", COLOURS)):
        if rng.random() < 0.35:
            values = tuple(sorted(rng.sample(pool, rng.randint(1, 2))))
            options.append((defs[slug].id, slug, values))
    kwargs["options"] = tuple(sorted(options))
    return CatalogFilters(**kwargs)


def check(filters: CatalogFilters, meta) -> None:
    definition_ids = [d.id for d in meta.definitions if not d.is_option]
    options = {d.id: d.slug for d in meta.definitions if d.is_option}
    expected = facet_summary(filters, definition_ids, options)
    got = facetindex.facet_summary(filters, definition_ids, options)
    assert got is not None
    assert (got.total, got.price_low, got.price_high, got.in_stock_count) == (
        expected.total,
        expected.price_low,
        expected.price_high,
        expected.in_stock_count,
    ), filters
    assert got.counts == expected.counts, filters
    ids = set(filtered_products(filters).values_list("pk", flat=True))
    assert set(facetindex.filtered_ids(filters)) == ids, filters


def check_many(rng: random.Random, shop: dict, rounds: int) -> None:
    meta = catalog_meta()
    for _ in range(rounds):
        check(random_filters(rng, shop, meta), meta)


def test_counts_totals_price_range_and_ids_equal_sql(index_settings):
    shop = random_catalog()
    assert facetindex.ensure() is not None
    rng = random.Random(11)
    meta = catalog_meta()
    check(CatalogFilters(), meta)
    # The largest prices the filter form accepts (beyond the index's 2**31 cents keys).
    check(CatalogFilters(price_min=Decimal("9999999999.99")), meta)
    check(CatalogFilters(price_max=Decimal("9999999999.99"), in_stock=True), meta)
    check(CatalogFilters(price_min=Decimal("30.005"), price_max=Decimal("30.004")), meta)
    check_many(rng, shop, 200)

    # A price change: the cheapest active variant of a listed product triples.
    variant = (
        Variant.objects.filter(status="active", product__status="active").order_by("price").first()
    )
    variant.price = variant.price * 3
    variant.save()
    facetindex.ensure()
    check_many(rng, shop, 100)

    # Stock to 0 and back, for every variant of some products.
    products = list(Product.objects.filter(status="active").values_list("pk", flat=True)[:20])
    before = list(Stock.objects.filter(variant__product__in=products).values("pk", "quantity"))
    Stock.objects.filter(variant__product__in=products).update(quantity=0)
    facetindex.ensure()
    check(replace(CatalogFilters(), in_stock=True), meta)
    check_many(rng, shop, 80)
    for row in before:
        Stock.objects.filter(pk=row["pk"]).update(quantity=row["quantity"])
    facetindex.ensure()
    check_many(rng, shop, 60)

    # The dearest price the catalog takes (models.MAX_PRICE, the index's 2**31 - 1 cents).
    dear = Variant.objects.filter(status="active", product__status="active").last()
    dear.price = MAX_PRICE
    dear.save()
    refresh_variant_summary([dear.product_id])
    facetindex.ensure()
    for low, high in ((MAX_PRICE, None), (None, MAX_PRICE - Decimal("0.01")), (None, MAX_PRICE)):
        check(CatalogFilters(price_min=low, price_max=high), meta)
    check(CatalogFilters(price_max=Decimal("9999999999.99"), in_stock=True), meta)
    check_many(rng, shop, 40)

    # A product archived, another one published, an attribute removed.
    Product.objects.filter(pk=products[0]).update(status="archived")
    Product.objects.filter(status="draft", max_price__isnull=False).update(status="active")
    ProductAttribute.objects.filter(product_id=products[1]).delete()
    facetindex.ensure()
    check_many(rng, shop, 80)


FIELDS = {"name": "name", "price_asc": "current_price", "price_desc": "current_price"}
FIELDS["newest"] = "created_at"


def expected_order(filters: CatalogFilters, sort: str) -> list[int]:
    ordering = ORDERINGS[ordering_name(sort, False)]
    return list(filtered_products(filters).order_by(*ordering).values_list("pk", flat=True))


def check_pages(rng: random.Random, filters: CatalogFilters, sort: str):
    """A random page by offset and one by cursor equal SQL's ORDER BY; returns the cursor's
    (pk, value, limit), or (None, None, limit) when nothing matches."""
    everything = expected_order(filters, sort)
    limit = rng.choice([1, 5, 12])
    offset = rng.randint(0, len(everything))
    got = facetindex.ordered_ids(filters, sort, offset=offset, limit=limit)
    assert got == everything[offset : offset + limit], (filters, sort, offset)
    if not everything:
        return None, None, limit
    after = rng.randrange(len(everything))
    pk = everything[after]
    value = Product.objects.values_list(FIELDS[sort], flat=True).get(pk=pk)
    got = facetindex.ordered_ids(filters, sort, after_pk=pk, after_value=value, limit=limit)
    assert got == everything[after + 1 : after + 1 + limit], (filters, sort, pk)
    return pk, value, limit


def test_ordered_ids_equal_sql_order_by_with_offsets_and_keyset(index_settings, monkeypatch):
    monkeypatch.setattr("apps.catalog.facetindex.orders.CHUNK", 16)  # many chunks at this size
    shop = random_catalog(seed=3, products=220)
    assert facetindex.ensure() is not None
    rng = random.Random(5)
    meta = catalog_meta()
    for round_ in range(60):
        if round_ == 30:  # prices and names move products in their orders
            Product.objects.filter(
                pk__in=rng.sample(list(Product.objects.values_list("pk", flat=True)), 10)
            ).update(name=F("sku"))
            v = Variant.objects.filter(status="active", product__status="active").first()
            v.price = Decimal("1.00")
            v.save()
            facetindex.ensure()
        filters = random_filters(rng, shop, meta)
        filters = replace(filters, q="")
        for sort in ("name", "price_asc", "price_desc", "newest"):
            pk, value, limit = check_pages(rng, filters, sort)
            if pk is None:
                continue
            # A cursor whose product has moved since is left to SQL (it pages by value).
            moved = (
                value + "~"
                if sort == "name"
                else value + timedelta(microseconds=1)
                if sort == "newest"
                else value + 1
            )
            assert (
                facetindex.ordered_ids(filters, sort, after_pk=pk, after_value=moved, limit=limit)
                is None
            )


def expected_ranked(filters: CatalogFilters) -> list[int]:
    return list(
        filtered_products(filters)
        .annotate(rank=search_rank(filters.q))
        .order_by(*ORDERINGS["rank"])
        .values_list("pk", flat=True)
    )


def test_search_pages_by_relevance_equal_sql_order_by_rank(index_settings):
    """A search's relevance order comes from the ranks read with its matches: every page equals
    SQL's ORDER BY ts_rank DESC, id, also after names and descriptions change (ranks move) and
    a product is archived."""
    shop = random_catalog(seed=8, products=180)
    assert facetindex.ensure() is not None
    rng = random.Random(9)
    meta = catalog_meta()
    for round_ in range(80):
        if round_ == 40:
            pks = rng.sample(list(Product.objects.values_list("pk", flat=True)), 12)
            # Repeated words rank higher: these products move up for those words.
            Product.objects.filter(pk__in=pks[:6]).update(
                name=Concat(F("name"), Value(" storm storm trail"))
            )
            Product.objects.filter(pk__in=pks[6:11]).update(description="linen " * 5)
            Product.objects.filter(pk=pks[11]).update(status="archived")
            facetindex.ensure()
        filters = replace(
            random_filters(rng, shop, meta), q=rng.choice([*WORDS, "storm trail", "linen -storm"])
        )
        facetindex.facet_summary(filters, [], {})  # the sync that reads the search's matches
        everything = expected_ranked(filters)
        limit = rng.choice([1, 5, 24])
        offset = rng.randint(0, len(everything))
        got = facetindex.ordered_ids(filters, "relevance", offset=offset, limit=limit)
        assert got == everything[offset : offset + limit], (filters, offset)
        assert facetindex.ordered_ids(
            filters, "relevance", offset=0, limit=len(everything) + 1
        ) == (everything)
    assert any(expected_ranked(replace(CatalogFilters(), q=w)) for w in WORDS)
