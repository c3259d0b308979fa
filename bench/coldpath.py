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


def clear_all_but_vocabulary() -> None:
    """Every cached key goes except the catalog version and its vocabulary (if the shop renames
    them, nothing is kept and this series equals the cold one)."""
    from django.core.cache import cache

    from apps.catalog.selectors import CATALOG_VERSION

    keep = (CATALOG_VERSION.key, VOCABULARY_KEY)
    cache.delete_many([key for key in cache.keys("*") if not key.startswith(keep)])


def timed(client, path: str, requests: int, before) -> tuple[list[float], list[int], list[int]]:
    """`requests` requests, each after `before()` (untimed); a path whose first GIVE_UP_AFTER
    requests all fail (a statement timeout, say) is reported as failing, not retried."""
    samples, queries, statuses = [], [], []
    for _ in range(requests):
        before()
        started = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        queries.append(int(response.get("X-Query-Count", -1)))
        statuses.append(response.status_code)
        if len(statuses) == GIVE_UP_AFTER and all(s != 200 for s in statuses):
            break
    return samples, queries, statuses


def measure(targets: dict, requests: int) -> list[dict]:
    from django.core.cache import cache
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    rows = []
    for label, path in scenarios(targets):
        client.get(path)  # templates compiled and modules imported before anything is timed
        cold, cold_queries, cold_statuses = timed(client, path, requests, cache.clear)
        prime_catalog_meta()
        body = len(client.get(path).content)
        primed = timed(client, path, requests, clear_all_but_vocabulary)
        primed_ms, primed_queries, primed_statuses = primed
        for _ in range(3):
            client.get(path)
        warm, warm_queries, warm_statuses = timed(client, path, requests, lambda: None)
        rows.append(
            {
                "scenario": label,
                "path": path,
                "requests": len(cold),
                "cold_p50_ms": round(percentile(cold, 50), 1),
                "cold_p95_ms": round(percentile(cold, 95), 1),
                "cold_queries_min": min(cold_queries),
                "cold_queries_max": max(cold_queries),
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
