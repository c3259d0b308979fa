"""Facet index benchmark: cold facet counts from the bitmap index against the SQL oracle.

`python -m bench facetindex [--database-url URL]` on a seeded catalog (seed_demo, 100,000
products by default; seeded if the database has fewer). In-process, no HTTP: the time of
`facetindex.facet_summary` (no change-log sync: that is one query, timed on its own) and of
`facets.facet_summary` (one SQL query), for the same filter states, checked equal. Also the
build (three queries), the shared copy's size, a sync with nothing to apply, and pages at
deep offsets from the index's orders.
"""

from __future__ import annotations

import argparse
import pickle
import time
from dataclasses import replace
from decimal import Decimal

from bench.catalog import setup_django
from bench.common import database_url, percentile


def _timed(fn, rounds: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(rounds):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return times, result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench facetindex")
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=50, help="index rounds per scenario")
    parser.add_argument("--sql-rounds", type=int, default=5, help="SQL rounds per scenario")
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--orders-only",
        action="store_true",
        help="only the listing orders' upkeep, read-only (no migrate, seed or write)",
    )
    args = parser.parse_args(argv)
    if args.orders_only:
        return orders_upkeep(args)

    url = setup_django(args.database_url or database_url(args.products))
    from django.conf import settings
    from django.core.management import call_command

    from apps.catalog import facetindex
    from apps.catalog.facetindex import source
    from apps.catalog.facets import facet_summary
    from apps.catalog.filters import CatalogFilters
    from apps.catalog.models import Product, Variant
    from apps.catalog.selectors import catalog_meta

    print(f"database: {url}")
    call_command("migrate", verbosity=0)
    if Product.objects.count() < args.products:
        call_command("seed_demo", products=args.products, verbosity=1)
    print(f"products: {Product.objects.count():,}, variants: {Variant.objects.count():,}")

    times, index = _timed(source.build, 1)
    blob = pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL)
    size = len(blob) / 1e6
    print(f"build: {times[0] / 1000:.1f} s, {len(index.slots)} slots, shared copy {size:.1f} MB")
    load_times, _ = _timed(lambda: pickle.loads(blob), 3)
    print(f"load of the shared copy (unpickle): p50 {percentile(load_times, 50):.0f} ms")
    facetindex.reset(shared=False)
    facetindex._process.index = index
    facetindex._process.synced_at = time.time()
    sync_times, _ = _timed(lambda: source.sync(index), 20)
    print(f"sync with nothing to apply (one query): p50 {percentile(sync_times, 50):.1f} ms")
    from django.db.models import F

    from apps.catalog.models import Stock

    stock_ids = list(Stock.objects.order_by("?").values_list("pk", flat=True)[:20])

    def one_write_then_sync():
        Stock.objects.filter(pk=stock_ids.pop()).update(quantity=F("quantity"))
        source.sync(index)

    write_times, _ = _timed(one_write_then_sync, 20)
    print(
        f"a stock write + the sync applying it: p50 {percentile(write_times, 50):.1f} ms, "
        f"p95 {percentile(write_times, 95):.1f} ms"
    )
    settings.CATALOG_FACET_INDEX_LAG = 10**9  # time the bitmaps alone below
    facetindex._process.checked = time.monotonic()

    meta = catalog_meta()
    attrs = [d for d in meta.definitions if not d.is_option and len(d.values) > 1]
    opts = [d for d in meta.definitions if d.is_option and len(d.values) > 1]
    definition_ids = [d.id for d in meta.definitions if not d.is_option]
    options = {d.id: d.slug for d in meta.definitions if d.is_option}
    top = [c for c in meta.categories if c.parent_id is None][0]
    two = CatalogFilters(
        attributes=((attrs[0].id, (attrs[0].values[0],)),),
        options=((opts[0].id, opts[0].slug, (opts[0].values[1],)),),
    )
    scenarios = {
        "unfiltered": CatalogFilters(),
        "two facets": two,
        "three facets + price + in stock": replace(
            two,
            attributes=tuple(
                sorted(
                    [
                        *two.attributes,
                        (attrs[1].id, attrs[1].values[:2]),
                    ]
                )
            ),
            price_min=Decimal("20"),
            price_max=Decimal("80"),
            in_stock=True,
        ),
        f"a category ({top.name}, subtree)": CatalogFilters(category_ids=meta.subtree_ids(top)),
    }
    print()
    print("| cold facet summary | index p50 | index p95 | SQL p50 | SQL p95 | total |")
    print("|---|---|---|---|---|---|")
    for name, filters in scenarios.items():
        fast, got = _timed(
            lambda f=filters: facetindex.facet_summary(f, definition_ids, options), args.rounds
        )
        slow, want = _timed(
            lambda f=filters: facet_summary(f, definition_ids, options), args.sql_rounds
        )
        same = (got.total, got.price_low, got.price_high, got.in_stock_count, got.counts) == (
            want.total,
            want.price_low,
            want.price_high,
            want.in_stock_count,
            want.counts,
        )
        assert same, name
        print(
            f"| {name} | {percentile(fast, 50):.1f} ms | {percentile(fast, 95):.1f} ms "
            f"| {percentile(slow, 50):.0f} ms | {percentile(slow, 95):.0f} ms | {got.total:,} |"
        )
    print()
    for sort in ("price_asc", "newest", "name"):
        facetindex.refresh_orders(index)  # builds the orders (ensure() does, in the loader)
        for name, offset in (("unfiltered", 0), ("unfiltered", 60_000), ("two facets", 600)):
            page_times, _ = _timed(
                lambda s=sort, o=offset, f=scenarios[name]: facetindex.ordered_ids(
                    f, s, offset=o, limit=24
                ),
                args.rounds,
            )
            print(
                f"ordered_ids {sort} offset {offset:,} ({name}): "
                f"p50 {percentile(page_times, 50):.2f} ms, p95 {percentile(page_times, 95):.2f} ms"
            )
    return 0


def orders_upkeep(args) -> int:
    """The listing orders after a sync: `apply` + moving the changed products in place
    (`orders.update`) for 1 to 5,000 changed products, against sorting the order again. The
    changes are replayed in memory (the products' current rows, renamed and repriced), so the
    database is only read: safe on a shared benchmark database."""
    import random

    url = setup_django(args.database_url or database_url(args.products))
    from django.db import connection

    from apps.catalog import facetindex
    from apps.catalog.facetindex import orders, source

    with connection.cursor() as cursor:
        cursor.execute("SET default_transaction_read_only = on")
    print(f"database: {url} (read-only)")
    times, index = _timed(source.build, 1)
    print(f"build: {times[0] / 1000:.1f} s, {len(index.active):,} listable products")
    for key in orders.KEYS:
        full, order = _timed(lambda k=key: orders.build_order(index, k), 3)
        index.orders[key] = order
        print(f"full sort of the {key} order: p50 {percentile(full, 50):.0f} ms")
    rng = random.Random(1)
    listed = list(index.active)
    names = list(index.names.values())
    print()
    print("| changed products | apply | update name | update price | update created | total |")
    print("|---|---|---|---|---|---|")
    for count in (1, 10, 100, 1000, 5000):
        rounds = max(1, min(args.rounds, 20_000 // count // 4))
        applied, moved = [], {key: [] for key in orders.KEYS}
        for _ in range(rounds):
            rows = source.product_rows(rng.sample(listed, count))
            for row in rows:  # a rename and a new price for each
                row.name = rng.choice(names) + " (new)"
                row.price = max(0, row.price + rng.randint(-500, 500))
                row.created += rng.randint(-(10**9), 10**9)
            changed = [row.id for row in rows]
            started = time.perf_counter()
            index.apply(changed, rows)
            applied.append((time.perf_counter() - started) * 1000)
            for key in orders.KEYS:
                started = time.perf_counter()
                order = facetindex._fresh_order(index, key)
                moved[key].append((time.perf_counter() - started) * 1000)
                assert order is not None, (key, count)
        spent = [percentile(applied, 50), *(percentile(moved[k], 50) for k in ("name", "price"))]
        spent.append(percentile(moved["created"], 50))
        print(
            f"| {count:,} | {spent[0]:.1f} ms | {spent[1]:.1f} ms | {spent[2]:.1f} ms "
            f"| {spent[3]:.1f} ms | {sum(spent):.1f} ms |"
        )
    for key in orders.KEYS:  # the orders moved in place equal a sort from scratch
        fresh = orders.build_order(index, key)
        assert (fresh.ids == index.orders[key].ids).all(), key
    print("orders moved in place == full sort: ok")
    return 0
