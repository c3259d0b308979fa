"""The cold-path measurement for one catalog size, run inside Django on that size's bench
database (a subprocess of `python -m bench scale`, with bench_env):

    python -m bench.coldpath --targets '<JSON from bench.prepare catalog>' [--requests 30]

Server time is taken around Django's test Client (middleware, view, SQL, templates; no HTTP
server or network), with the Redis cache cleared before every cold request so each one
recounts facets and re-renders everything from PostgreSQL. PostgreSQL's own buffers stay warm:
"cold" means no application cache, not a cold disk. Queries are counted by the bench settings'
QueryCountMiddleware (`X-Query-Count`). Prints one BENCHJSON line.

A second cold series ("vocabulary cached") deletes every cached key except the catalog version
and its vocabulary (categories and every attribute and option value, cached per catalog
version, so rebuilt once after each catalog write, not per shopper query): it separates the
cost of a first-time filter or page from the cost of that once-per-write scan.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
import urllib.parse

PER_PAGE = 24
GIVE_UP_AFTER = 3
VOCABULARY_KEY = "catalog:meta:"  # apps.catalog.selectors.catalog_meta, one per catalog version


def scenarios(targets: dict) -> list[tuple[str, str]]:
    """(label, path) for every path the issue's targets name, on seed_demo's vocabulary."""
    last_page = max(1, math.ceil(targets["active"] / PER_PAGE))
    three = urllib.parse.urlencode(
        {
            "brand": "Acme",
            "colour": "Red",
            "size": "M",
            "price_min": "20",
            "price_max": "150",
            "in_stock": "on",
        }
    )
    return [
        ("unfiltered listing", "/catalog/"),
        ("two facets", "/catalog/?brand=Acme&colour=Red"),
        ("three facets + price + in stock", f"/catalog/?{three}"),
        ("search", "/catalog/?q=rain+jacket"),
        ("top category", f"/catalog/{targets['category']}/"),
        (f"last page ({last_page:,})", f"/catalog/?page={last_page}"),
        ("product page", f"/products/{targets['variant_product_slug']}/"),
    ]


def percentile(samples: list[float], pct: float) -> float:
    from bench.common import percentile as pick

    return pick(samples, pct)


def prime_catalog_meta() -> None:
    """Build the per-catalog-version vocabulary (categories, attribute and option values) once,
    the way the first request after a catalog write does, without the shop's statement timeout
    (at a million products it takes longer)."""
    from django.db import connection

    from apps.catalog import selectors

    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")
    try:
        selectors.catalog_meta()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET statement_timeout")


def prime_facet_index() -> None:
    """Load (or build) this process's facet index before anything is timed, as a shop process
    does in a background thread when it starts (apps.catalog.facetindex). Clearing the cache
    between requests drops only the shared copy in Redis, not the process's own: the index is
    the engine's state, like a search server's, not a cached answer."""
    from django.db import connection

    from apps.catalog import facetindex

    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")
    try:
        started = time.perf_counter()
        index = facetindex.ensure()
        if index is not None:
            print(
                f"  facet index ready in {time.perf_counter() - started:.1f} s",
                file=sys.stderr,
                flush=True,
            )
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET statement_timeout")


def clear_all_but_vocabulary() -> None:
    """Every cached key goes except the catalog version and its vocabulary (if the shop renames
    them, nothing is kept and this series equals the cold one)."""
    from django.core.cache import cache

    from apps.catalog.selectors import CATALOG_VERSION

    keep = (CATALOG_VERSION.key, VOCABULARY_KEY)
    cache.delete_many([key for key in cache.keys("*") if not key.startswith(keep)])


def _last_sync() -> float:
    """When this process's facet index last read the change log (apps.catalog.facetindex)."""
    from apps.catalog import facetindex

    return facetindex._process.checked


def timed(client, path: str, requests: int, before) -> tuple[list, list, list, list]:
    """(ms, queries, status, synced) per request: `requests` requests, each after `before()`
    (untimed); a path whose first GIVE_UP_AFTER requests all fail (a statement timeout, say)
    is reported as failing, not retried. `synced`: the facet index made its periodic sync
    during the request (one query reading the change log, at most once per
    CATALOG_FACET_INDEX_LAG per process, whatever the request), so the request's own queries
    can be told from the clock's."""
    samples, queries, statuses, synced = [], [], [], []
    for _ in range(requests):
        before()
        last_sync = _last_sync()
        started = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        queries.append(int(response.get("X-Query-Count", -1)))
        statuses.append(response.status_code)
        synced.append(_last_sync() != last_sync)
        if len(statuses) == GIVE_UP_AFTER and all(s != 200 for s in statuses):
            break
    return samples, queries, statuses, synced


def query_figures(queries: list[int], synced: list[bool]) -> dict:
    """min/max queries over all requests, how many requests included the index's periodic
    sync, and min/max of the path's own queries (the sync's one taken off)."""
    own = [count - 1 if sync else count for count, sync in zip(queries, synced, strict=True)]
    return {
        "cold_queries_min": min(queries),
        "cold_queries_max": max(queries),
        "cold_syncs": sum(synced),
        "cold_own_queries_min": min(own),
        "cold_own_queries_max": max(own),
    }


def measure(targets: dict, requests: int) -> list[dict]:
    from django.core.cache import cache
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    prime_facet_index()
    rows = []
    for label, path in scenarios(targets):
        client.get(path)  # templates compiled and modules imported before anything is timed
        cold, cold_queries, cold_statuses, cold_synced = timed(client, path, requests, cache.clear)
        prime_catalog_meta()
        body = len(client.get(path).content)
        primed = timed(client, path, requests, clear_all_but_vocabulary)
        primed_ms, primed_queries, primed_statuses, _ = primed
        for _ in range(3):
            client.get(path)
        warm, warm_queries, warm_statuses, _ = timed(client, path, requests, lambda: None)
        rows.append(
            {
                "scenario": label,
                "path": path,
                "requests": len(cold),
                "cold_p50_ms": round(percentile(cold, 50), 1),
                "cold_p95_ms": round(percentile(cold, 95), 1),
                **query_figures(cold_queries, cold_synced),
                "cold_errors": sum(1 for status in cold_statuses if status != 200),
                "primed_p50_ms": round(percentile(primed_ms, 50), 1),
                "primed_p95_ms": round(percentile(primed_ms, 95), 1),
                "primed_queries_max": max(primed_queries),
                "warm_p50_ms": round(percentile(warm, 50), 1),
                "warm_p95_ms": round(percentile(warm, 95), 1),
                "warm_queries_max": max(warm_queries),
                "errors": sum(
                    1
                    for status in (*cold_statuses, *primed_statuses, *warm_statuses)
                    if status != 200
                ),
                "bytes": body,
            }
        )
        row = rows[-1]
        print(
            f"  {label}: cold p95 {row['cold_p95_ms']} ms ({row['cold_queries_max']} queries, "
            f"{row['cold_errors']} errors), vocabulary cached p95 {row['primed_p95_ms']} ms, "
            f"warm p95 {row['warm_p95_ms']} ms",
            file=sys.stderr,
            flush=True,
        )
    return rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.coldpath")
    parser.add_argument("--targets", required=True, help="JSON from bench.prepare catalog")
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args(argv)
    import django

    django.setup()
    rows = measure(json.loads(args.targets), args.requests)
    print("BENCHJSON " + json.dumps(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
