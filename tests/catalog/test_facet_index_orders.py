"""The facet index's listing orders kept up to date in place (orders.update) after random
writes, against SQL's ORDER BY; full rebuilds sorted outside the lock, never by a request."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import numpy as np
import pytest

from apps.catalog import facetindex
from apps.catalog.facetindex import orders
from apps.catalog.facetindex.index import FacetIndex, ProductRow
from apps.catalog.filters import CatalogFilters
from apps.catalog.models import Product, Stock, Variant
from apps.catalog.selectors import catalog_meta
from apps.catalog.services import refresh_variant_summary

from .test_facet_index import (
    WORDS,
    check_pages,
    expected_order,
    random_catalog,
    random_filters,
)

SORTS = ("name", "price_asc", "price_desc", "newest")


@pytest.fixture
def synced_by_pages(settings, monkeypatch):
    """Every page syncs (lag 0), so the moves are applied by `ordered_ids` itself; CHUNK 16
    gives many chunks; `builds` counts the full sorts."""
    settings.CATALOG_FACET_INDEX_LAG = 0
    monkeypatch.setattr(orders, "CHUNK", 16)
    builds: list[str] = []
    build_order = orders.build_order

    def counted(index, key, *args):
        builds.append(key)
        return build_order(index, key, *args)

    monkeypatch.setattr(orders, "build_order", counted)
    facetindex.reset()
    yield builds
    facetindex.wait_for_rebuilds(10)
    facetindex.reset()


def random_writes(rng: random.Random, count: int) -> None:
    """`count` writes of the kinds that move products in orders, or not (stock)."""
    pks = list(Product.objects.values_list("pk", flat=True))
    for _ in range(count):
        kind = rng.choice(["rename", "price", "new", "archive", "publish", "stock", "created"])
        pk = rng.choice(pks)
        if kind == "rename":
            # Ties (the id decides), prefixes, and code points beyond ASCII.
            name = rng.choice([f"{rng.choice(WORDS).title()} item {rng.randint(1, 60)}", "Zé", "é"])
            Product.objects.filter(pk=pk).update(name=name)
        elif kind == "price":
            variant = Variant.objects.filter(product_id=pk).order_by("?").first()
            if variant is not None:
                variant.price = Decimal(rng.randint(100, 9000)) / 100
                variant.save()
        elif kind == "new":
            n = Product.objects.count()
            product = Product.objects.create(
                sku=f"N{n}-{rng.random()}",
                slug=f"n{n}-{rng.randint(0, 10**9)}",
                name=f"{rng.choice(WORDS).title()} item {rng.randint(1, 60)}",
                category_id=Product.objects.values_list("category_id", flat=True).first(),
                status="active",
            )
            Variant.objects.create(
                product=product,
                sku=f"{product.sku}-0",
                options={},
                price=Decimal(rng.randint(100, 9000)) / 100,
            )
            refresh_variant_summary([product.pk])
            pks.append(product.pk)
        elif kind == "archive":
            Product.objects.filter(pk=pk).update(status="archived")
        elif kind == "publish":
            Product.objects.filter(pk=pk).update(status="active")
        elif kind == "stock":
            Stock.objects.filter(variant__product_id=pk).update(quantity=rng.choice([0, 3]))
        else:
            Product.objects.filter(pk=pk).update(
                created_at=Product.objects.get(pk=pk).created_at
                + timedelta(seconds=rng.choice([-1, 1]) * rng.randint(0, 10**6))
            )


def check_orders(rng: random.Random, shop: dict, meta, rounds: int) -> None:
    for _ in range(rounds):
        filters = replace(random_filters(rng, shop, meta), q="")
        for sort in SORTS:
            check_pages(rng, filters, sort)


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2])
def test_random_writes_then_syncs_keep_every_order_equal_to_sql(synced_by_pages, seed):
    shop = random_catalog(seed=seed, products=150)
    assert facetindex.ensure() is not None
    assert sorted(synced_by_pages) == ["created", "name", "price"]
    synced_by_pages.clear()
    rng = random.Random(seed)
    meta = catalog_meta()
    check_orders(rng, shop, meta, 5)
    for _ in range(8):
        random_writes(rng, rng.randint(1, 12))
        check_orders(rng, shop, meta, 4)
    # Every change set was small: each was moved in place, none sorted again.
    assert synced_by_pages == []


@pytest.mark.django_db
def test_a_rename_moves_one_product_without_a_full_sort(synced_by_pages):
    random_catalog(seed=4, products=120)
    index = facetindex.ensure()
    synced_by_pages.clear()
    first = expected_order(CatalogFilters(), "name")[0]
    Product.objects.filter(pk=first).update(name="~ last by code point")
    everything = expected_order(CatalogFilters(), "name")
    assert everything[-1] == first
    assert facetindex.ordered_ids(CatalogFilters(), "name", limit=500) == everything
    assert index.orders["name"].ids[-1] == first
    assert index.moved["name"] == set() and not index.dirty
    # The price and created orders were not touched by a rename.
    assert facetindex.ordered_ids(CatalogFilters(), "newest", limit=3) is not None
    assert synced_by_pages == []


@pytest.mark.django_db
def test_an_order_needing_a_full_sort_never_blocks_a_page(synced_by_pages, monkeypatch):
    random_catalog(seed=5, products=120)
    index = facetindex.ensure()
    synced_by_pages.clear()
    monkeypatch.setattr("apps.catalog.facetindex.index.MAX_MOVES", 3)
    release, started = threading.Event(), threading.Event()
    build_order = orders.build_order

    def slow(index, key, *args):
        synced_by_pages.append(key)
        started.set()
        assert release.wait(30)
        return build_order(index, key, *args)

    monkeypatch.setattr(orders, "build_order", slow)
    pks = list(Product.objects.filter(status="active").values_list("pk", flat=True)[:6])
    for n, pk in enumerate(pks):
        Product.objects.filter(pk=pk).update(name=f"Renamed {n}")
    began = time.monotonic()
    assert facetindex.ordered_ids(CatalogFilters(), "name", limit=10) is None  # SQL answers
    assert started.wait(10)
    assert facetindex.ordered_ids(CatalogFilters(), "name", limit=10) is None  # still sorting
    # Meanwhile a write lands: recorded from the snapshot on, moved once the sort is installed.
    Product.objects.filter(pk=pks[0]).update(name="Aaa first")
    assert facetindex.ordered_ids(CatalogFilters(), "price_asc", limit=5) is not None
    assert time.monotonic() - began < 5  # no page waited for the sort (it is still blocked)
    assert synced_by_pages == ["name"]  # one rebuild, not one per page
    release.set()
    facetindex.wait_for_rebuilds(10)
    everything = expected_order(CatalogFilters(), "name")
    assert everything[0] == pks[0]
    assert facetindex.ordered_ids(CatalogFilters(), "name", limit=500) == everything
    assert not index.building


def _row(rng: random.Random, pid: int) -> ProductRow:
    return ProductRow(
        id=pid,
        category_id=1,
        price=rng.randint(0, 30) * 100,
        created=rng.randint(0, 20),
        name=rng.choice(["a", "ab", "b", "B", "é", "Zé", "", "a b", "aé"])
        + rng.choice(["", "x", "é"]),
        attributes=[],
        variants=[(100, {}, True)],
    )


@pytest.mark.parametrize("seed", range(6))
def test_update_equals_a_full_build_for_random_change_sets(seed, monkeypatch):
    """In memory: many ties, chunk edges, growing ids, emptied and refilled orders; names
    longer than the sort's byte prefix (NAME_BYTES 1 or 2: runs of equal prefixes)."""
    monkeypatch.setattr(orders, "CHUNK", rng_chunk := random.Random(seed).choice([1, 3, 8]))
    monkeypatch.setattr(orders, "NAME_BYTES", [1, 2, 32][seed % 3])
    rng = random.Random(seed)
    index = FacetIndex()
    index.add([_row(rng, pid) for pid in rng.sample(range(1, 80), 40)])
    built = {key: orders.build_order(index, key) for key in orders.KEYS}
    for _ in range(40):
        changed = set(rng.sample(range(1, 120), rng.choice([1, 2, 5, 30])))
        rows = [_row(rng, pid) for pid in changed if rng.random() < 0.7]
        index.apply(changed, rows)
        names = [index.names[p] for p in sorted(index.names)]
        assert orders.name_order(names).tolist() == sorted(
            range(len(names)), key=lambda i: (names[i], i)
        )
        for key, order in built.items():
            orders.update(order, index, key, index.moved.pop(key, set()) or set())
            fresh = orders.build_order(index, key)
            assert order.ids.tolist() == fresh.ids.tolist(), (key, rng_chunk)
            listed = order.ids
            assert (order.pos[listed] == np.arange(len(listed))).all()
            assert (np.delete(order.pos, listed) == -1).all()
            assert [list(c) for c in order.chunks] == [list(c) for c in fresh.chunks]
