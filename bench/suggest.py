"""Search suggestions benchmark: the header box's endpoint timed in process at N products.

Like `bench catalog`, server time is measured around Django's test Client (middleware, view, SQL,
template; no HTTP server). Each row is what a shopper types: prefixes as they grow and typos. The
"miss" columns drop the suggestion cache before every request, so each one runs the trigram query
(the catalog's category/attribute vocabulary stays cached, as it is on a live shop); the "hit"
columns repeat the same text, answered from Redis (no SQL: a floor for the machine's load). "SQL"
is the suggestion statement alone, as the client sees it. Target: miss p95 <= 20 ms at 100,000.
"""

from __future__ import annotations

import argparse
import time

from bench.catalog import migrate_and_seed, setup_django
from bench.common import database_url, percentile, print_table

QUERIES = [
    # prefixes, as typed
    "bo",
    "boo",
    "boot",
    "ac",
    "acme",
    "acme cl",
    "rain ja",
    "lant",
    "nordic pa",
    "knife",
    # typos
    "sheos",
    "jakcet",
    "bakpack",
    "lantren",
    "chelsae boot",
    "midnigt parka",
    "wol",
    "borealsi",
]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench suggest")
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per row")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)

    url = setup_django(args.database_url or database_url(args.products))
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from apps.catalog import selectors
    from apps.catalog.models import Product

    print(f"database: {url}")
    migrate_and_seed(args.products, args.seed)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_product")

    client = Client()
    hx = {"HX-Request": "true"}

    def get(q: str) -> tuple[float, bytes]:
        started = time.perf_counter()
        response = client.get("/search/suggest/", {"q": q}, headers=hx)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (q, response.status_code)
        return elapsed, response.content

    selectors.catalog_meta()
    for q in QUERIES:  # warm the connection, the plans and the index pages
        get(q)
    sql_ms: list[float] = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            sql_ms.append((time.perf_counter() - started) * 1000)

    rows, all_miss, all_hit, all_sql = [], [], [], []
    for q in QUERIES:
        misses, hits = [], []
        sql_ms.clear()
        with connection.execute_wrapper(timed):
            for _ in range(args.requests):
                cache.delete_pattern("catalog:suggest:*")
                misses.append(get(q)[0])
        sql = list(sql_ms)
        for _ in range(args.requests):
            hits.append(get(q)[0])
        cache.delete_pattern("catalog:suggest:*")
        with CaptureQueriesContext(connection) as queries:
            _, body = get(q)
        shown = body.count(b'role="option"')
        all_miss += misses
        all_hit += hits
        all_sql += sql
        rows.append(
            [
                q,
                f"{percentile(misses, 50):.1f}",
                f"{percentile(misses, 95):.1f}",
                f"{percentile(sql, 50):.1f}",
                f"{len(queries)}",
                f"{percentile(hits, 50):.1f}",
                f"{percentile(hits, 95):.1f}",
                f"{shown}",
            ]
        )
    rows.append(
        [
            "all rows",
            f"{percentile(all_miss, 50):.1f}",
            f"{percentile(all_miss, 95):.1f}",
            f"{percentile(all_sql, 50):.1f}",
            "",
            f"{percentile(all_hit, 50):.1f}",
            f"{percentile(all_hit, 95):.1f}",
            "",
        ]
    )
    active = Product.objects.filter(status=Product.Status.ACTIVE).count()
    print(f"\n{active:,} active products, {args.requests} requests per row and column\n")
    print_table(
        [
            "typed",
            "miss p50 ms",
            "miss p95 ms",
            "SQL p50 ms",
            "queries",
            "hit p50 ms",
            "hit p95 ms",
            "shown",
        ],
        rows,
    )
    return 0
