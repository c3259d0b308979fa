"""The cold-path measurement for one catalog size, run inside Django on that size's bench
database (a subprocess of `python -m bench scale`, with bench_env):

    python -m bench.coldpath --targets '<JSON from bench.prepare catalog>' [--requests 30]

Server time is taken around Django's test Client (middleware, view, SQL, templates; no HTTP
server or network), with the Redis cache cleared before every cold request so each one
recounts facets and re-renders everything from PostgreSQL. PostgreSQL's own buffers stay warm:
"cold" means no application cache, not a cold disk. Queries are counted by the bench settings'
QueryCountMiddleware (`X-Query-Count`). Prints one BENCHJSON line.
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


def measure(targets: dict, requests: int) -> list[dict]:
    from django.core.cache import cache
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    rows = []
    for label, path in scenarios(targets):
        client.get(path)  # templates compiled and modules imported before anything is timed
        cold, cold_queries, statuses = [], [], []
        for _ in range(requests):
            cache.clear()
            started = time.perf_counter()
            response = client.get(path)
            cold.append((time.perf_counter() - started) * 1000)
            cold_queries.append(int(response.get("X-Query-Count", -1)))
            statuses.append(response.status_code)
            if len(statuses) == GIVE_UP_AFTER and all(s != 200 for s in statuses):
                break  # a path that fails every time (a statement timeout) fails the row as is
        body = len(response.content)
        for _ in range(3):
            client.get(path)
        warm, warm_queries = [], []
        for _ in range(len(cold)):
            started = time.perf_counter()
            response = client.get(path)
            warm.append((time.perf_counter() - started) * 1000)
            warm_queries.append(int(response.get("X-Query-Count", -1)))
            statuses.append(response.status_code)
        rows.append(
            {
                "scenario": label,
                "path": path,
                "requests": len(cold),
                "cold_p50_ms": round(percentile(cold, 50), 1),
                "cold_p95_ms": round(percentile(cold, 95), 1),
                "cold_queries_min": min(cold_queries),
                "cold_queries_max": max(cold_queries),
                "warm_p50_ms": round(percentile(warm, 50), 1),
                "warm_p95_ms": round(percentile(warm, 95), 1),
                "warm_queries_max": max(warm_queries),
                "errors": sum(1 for status in statuses if status != 200),
                "bytes": body,
            }
        )
        print(
            f"  {label}: cold p95 {rows[-1]['cold_p95_ms']} ms, "
            f"{rows[-1]['cold_queries_max']} queries",
            file=sys.stderr,
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
