"""The facet index cannot be left stale: writes reach it through the change log written by
database triggers in the writing transaction, not through Redis or signals."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from datetime import timedelta
from io import StringIO

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.catalog import facetindex
from apps.catalog.facets import facet_summary
from apps.catalog.filters import CatalogFilters
from apps.catalog.models import Product, Stock, Variant
from apps.catalog.selectors import catalog_meta
from apps.catalog.services import refresh_variant_summary
from tests.catalog.factories import bulk_catalog
from tests.redis_server import PausableRedis

pytestmark = pytest.mark.django_db

LAG = 0.3


@pytest.fixture
def redis_server(settings):
    server = PausableRedis()
    settings.CATALOG_FACET_INDEX_LAG = LAG
    settings.REDIS_BREAKER_INTERVAL = 0.5
    try:
        with server.as_cache():
            facetindex.reset()
            yield server
            facetindex.reset()
    finally:
        server.stop()


def counts(filters: CatalogFilters, use_index: bool):
    meta = catalog_meta()
    definition_ids = [d.id for d in meta.definitions if not d.is_option]
    options = {d.id: d.slug for d in meta.definitions if d.is_option}
    if use_index:
        return facetindex.facet_summary(filters, definition_ids, options)
    return facet_summary(filters, definition_ids, options)


def same(a, b) -> bool:
    return (a.total, a.price_low, a.price_high, a.in_stock_count, a.counts) == (
        b.total,
        b.price_low,
        b.price_high,
        b.in_stock_count,
        b.counts,
    )


def test_writes_while_redis_is_paused_reach_the_index_within_the_lag(redis_server):
    bulk_catalog(60)
    published_xmin = facetindex.ensure().xmin  # built here, published to this test's Redis
    in_stock = CatalogFilters(in_stock=True)
    before = counts(in_stock, use_index=True)
    assert same(before, counts(in_stock, use_index=False))
    high_before = counts(CatalogFilters(), use_index=True).price_high
    product = Product.objects.filter(status="active").order_by("pk").first()
    sold_out = Stock.objects.filter(variant__product=product, quantity__gt=0)
    assert sold_out.exists()
    with redis_server.paused():
        # Sold out and repriced with Redis hung: every bump and every Redis message is lost.
        sold_out.update(quantity=0)
        Variant.objects.filter(product=product).update(price=F("price") + 1000)
        refresh_variant_summary([product.pk])
    time.sleep(LAG + 0.05)
    after = counts(in_stock, use_index=True)
    assert after.in_stock_count == before.in_stock_count - 1
    assert counts(CatalogFilters(), use_index=True).price_high > high_before
    assert same(after, counts(in_stock, use_index=False))
    assert same(counts(CatalogFilters(), True), counts(CatalogFilters(), False))

    # Another process starting now loads the shared copy published BEFORE the writes, and the
    # change log brings it forward: a stale shared copy is never served as it is.
    facetindex.reset(shared=False)
    deadline = time.monotonic() + 5  # until the breaker lets this process read Redis again
    while cache.get(facetindex.SHARED_KEY) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert facetindex._load_shared().xmin == published_xmin  # the copy from before the writes
    facetindex.ensure()
    assert same(counts(in_stock, use_index=True), counts(in_stock, use_index=False))


def test_within_the_lag_no_query_is_made_and_after_it_one(redis_server):
    bulk_catalog(30)
    facetindex.ensure()
    filters = CatalogFilters()
    time.sleep(LAG + 0.05)
    with CaptureQueriesContext(connection) as first:
        counts(filters, use_index=True)
    with CaptureQueriesContext(connection) as second:
        counts(replace(filters, in_stock=True), use_index=True)
    # catalog_meta is cached after the first call; the sync is one query, then none for LAG.
    assert len([q for q in first if "catalog_facetchange" in q["sql"]]) == 1
    assert not [q for q in second if "catalog_facetchange" in q["sql"]]


def card_ids(body: str) -> list[str]:
    return re.findall(r'id="product-card-(\d+)"', body)


URLS = [
    "/catalog/",
    "/catalog/?colour=red&size=M",
    "/catalog/?per_page=48&page=3",
    "/catalog/?q=bulk+product&per_page=48&sort=price_asc",
    "/catalog/bulk/?sort=price_desc&in_stock=on&price_min=10",
]


def test_listing_with_the_index_keeps_its_budget_and_its_pages(client, settings):
    """Cold listings answered from the index cost the same queries at two sizes (at most 4),
    and show the same cards in the same order as the SQL path."""
    facetindex.reset()
    bulk_catalog(100)

    def measure(lag: float) -> dict[str, tuple[int, list[str]]]:
        # lag 0: every cold summary syncs and pages come from SQL (the worst case for queries);
        # lag 3600: no sync is due, the pages come from the index's orders.
        settings.CATALOG_FACET_INDEX_LAG = lag
        out = {}
        for url in URLS:
            cache.clear()
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            out[url] = (len(ctx), card_ids(response.content.decode()))
        return out

    try:
        sql_small = measure(0)
        facetindex.ensure()
        small, small_paged = measure(0), measure(3600)
        bulk_catalog(1_900, start=100)
        facetindex.ensure()
        large, large_paged = measure(0), measure(3600)
        facetindex.reset()
        sql_large = measure(0)
    finally:
        facetindex.reset()
    assert {u: n for u, (n, _) in small.items()} == {u: n for u, (n, _) in large.items()}
    assert max(n for n, _ in large.values()) <= 4
    assert max(n for n, _ in large_paged.values()) <= 4
    for index_run, sql_run in ((small, sql_small), (small_paged, sql_small)):
        assert {u: ids for u, (_, ids) in index_run.items()} == {
            u: ids for u, (_, ids) in sql_run.items()
        }
    for index_run in (large, large_paged):
        assert {u: ids for u, (_, ids) in index_run.items()} == {
            u: ids for u, (_, ids) in sql_large.items()
        }
    assert all(ids for _, ids in large.values())


def test_the_command_shares_an_index_that_a_new_process_loads_and_prunes_old_changes(
    redis_server,
):
    bulk_catalog(20)
    from django.core.management import call_command

    from apps.catalog.models import FacetChange

    FacetChange.objects.update(created_at=F("created_at") - timedelta(hours=2))
    Product.objects.filter(pk=Product.objects.order_by("pk").first().pk).update(status="draft")
    call_command("facetindex", stdout=StringIO())
    assert not FacetChange.objects.filter(created_at__lt=timezone.now() - timedelta(hours=1))
    assert FacetChange.objects.exists()  # the recent row stays
    facetindex.reset(shared=False)
    with CaptureQueriesContext(connection) as ctx:
        facetindex.ensure()  # loads the shared copy: one sync query, no build
    assert len(ctx) == 1
    assert same(counts(CatalogFilters(), True), counts(CatalogFilters(), False))


def test_the_workers_periodic_refresh_shares_the_index_and_prunes(redis_server, run_tasks):
    """The same as the command, on the worker's 10-minute schedule (apps.catalog.tasks)."""
    from apps.catalog.models import FacetChange
    from apps.catalog.tasks import refresh_facet_index

    bulk_catalog(12)
    FacetChange.objects.update(created_at=F("created_at") - timedelta(hours=2))
    facetindex.reset()
    refresh_facet_index.enqueue()
    run_tasks()
    assert not FacetChange.objects.filter(created_at__lt=timezone.now() - timedelta(hours=1))
    assert cache.get(facetindex.SHARED_KEY) is not None
    facetindex.reset(shared=False)
    with CaptureQueriesContext(connection) as ctx:
        facetindex.ensure()  # loads what the worker shared: one sync query, no build
    assert len(ctx) == 1
    assert same(counts(CatalogFilters(), True), counts(CatalogFilters(), False))


def test_a_sync_reads_only_the_unseen_change_rows_however_many_old_ones_there_are():
    """A bulk seed leaves millions of change rows (pruned after an hour, not yet analyzed).
    The sync must range-scan the rows it has not seen, not walk the old ones: ordered by id,
    the planner walked the primary key and filtered every old row out (2 s per request at a
    million products)."""
    from apps.catalog.facetindex import source

    bulk_catalog(5)
    index = source.build()
    with connection.cursor() as cursor:
        # 200,000 rows older than the index (as a seed leaves them), no ANALYZE since.
        cursor.execute(
            "INSERT INTO catalog_facetchange (product_id, xid, created_at) "
            "SELECT 1, 1, now() FROM generate_series(1, 200000)"
        )
        sql = source._SYNC_SQL.split("), ids AS")[0].removeprefix("\nWITH c AS MATERIALIZED (")
        cursor.execute(
            f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}",
            [index.xmin, list(index.seen), source.MAX_CHANGES + 1],
        )
        plan = cursor.fetchone()[0]
    text = str(plan)
    removed = [int(n) for n in re.findall(r"'Rows Removed by Filter': (\d+)", text)]
    assert sum(removed) < 1_000, plan
    assert "catalog_facetchange_xid" in text, plan


def test_the_shared_copy_is_stored_in_pieces_and_a_missing_piece_means_build(monkeypatch):
    """A million-product index (~200 MB pickled) cannot be one cache entry: one SET of it
    outlasted the cache's socket timeout. It goes in pieces; a piece lost means no shared copy."""
    monkeypatch.setattr(facetindex, "SHARED_PIECE", 1_000)
    bulk_catalog(12)
    facetindex.reset()
    index = facetindex.ensure()  # builds and publishes
    manifest = cache.get(facetindex.SHARED_KEY)
    assert manifest["pieces"] > 3
    loaded = facetindex._load_shared()
    assert loaded is not None and loaded.xmin == index.xmin
    assert same(counts(CatalogFilters(), True), counts(CatalogFilters(), False))
    cache.delete(f"{manifest['name']}:{manifest['pieces'] - 1}")
    assert facetindex._load_shared() is None
    # A copy in the format of the release before pieces (one blob) is no copy: build.
    cache.set(facetindex.SHARED_KEY, {"xmin": index.xmin, "at": time.time(), "blob": b"x"})
    assert facetindex._load_shared() is None


def test_a_shared_copy_from_another_database_is_not_loaded(settings):
    """Two shops on one Redis under one key prefix: a copy built from the other shop's database
    (its transaction ids mean nothing here) is no copy, so this one builds its own."""
    from django.db import connection

    bulk_catalog(12)
    facetindex.reset()
    facetindex.ensure()  # builds and publishes
    manifest = cache.get(facetindex.SHARED_KEY)
    assert facetindex._load_shared() is not None
    here = connection.settings_dict["NAME"]
    assert manifest["database"].endswith("/" + here)
    cache.set(facetindex.SHARED_KEY, {**manifest, "database": manifest["database"] + "-other"})
    assert facetindex._load_shared() is None
    del manifest["database"]  # the release before: no database named
    cache.set(facetindex.SHARED_KEY, manifest)
    assert facetindex._load_shared() is None


def test_a_replaced_index_is_freed_by_reference_counting_alone():
    """ensure() freezes the heap after a load (no full collection walks the index again), so an
    index must hold no reference cycle: replaced, it is freed at once, without the collector."""
    import gc
    import weakref

    bulk_catalog(60)
    facetindex.reset()
    gone = weakref.ref(facetindex.ensure(share=False))
    gc.disable()
    try:
        facetindex.reset()
        assert gone() is None, "the index outlived its last reference: a cycle holds it"
    finally:
        gc.enable()
        gc.unfreeze()  # the suite's other tests keep the collector's default behaviour


def test_a_load_leaves_no_full_collection_to_pay_on_a_request():
    import gc

    bulk_catalog(60)
    facetindex.reset()
    try:
        facetindex.ensure(share=False)
        assert gc.get_freeze_count() > 0
        assert sum(gc.get_count()) < gc.get_freeze_count()
    finally:
        gc.unfreeze()
        facetindex.reset()
