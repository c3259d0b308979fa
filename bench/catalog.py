"""Catalog benchmark: seed N products in PostgreSQL and time the listing in-process.

Server time is measured around Django's test Client (middleware, view, SQL, template), which
leaves out the HTTP server and network. Warm rows repeat one URL (facets cached in Redis, as
for real traffic on popular filters); the cold column clears the cache first so every request
recounts the facets in PostgreSQL.
"""

from __future__ import annotations

import argparse
import time

from bench.common import database_url, ensure_database, percentile, print_table


def setup_django(url: str) -> str:
    """Point Django (production-like base settings) at the benchmark database and Redis."""
    import os

    ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
    os.environ.setdefault("CACHE_KEY_PREFIX", "hypershop-bench")
    os.environ.setdefault("STATEMENT_TIMEOUT_MS", "120000")
    os.environ["DJANGO_SETTINGS_MODULE"] = "shop.settings.base"
    os.environ["DEBUG"] = "false"
    import django

    django.setup()
    return url


def migrate_and_seed(products: int, seed: int) -> None:
    """Migrate the bench database and seed `products` demo products unless it has them already
    (after setup_django)."""
    from django.core.management import call_command

    from apps.catalog.models import Product

    call_command("migrate", verbosity=0)
    if Product.objects.filter(sku__startswith="DEMO-").count() != products:
        started = time.perf_counter()
        call_command("seed_demo", products=products, seed=seed, reset=True, verbosity=1)
        print(f"seed_demo --products {products}: {time.perf_counter() - started:.1f} s")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench catalog")
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--cold", type=int, default=5, help="cold requests per scenario")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)

    url = setup_django(args.database_url or database_url(args.products))
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from apps.catalog.models import Product

    print(f"database: {url}")
    migrate_and_seed(args.products, args.seed)

    client = Client()
    hx = {"HX-Request": "true"}
    per_page = 24
    active = Product.objects.filter(status=Product.Status.ACTIVE).count()
    deep = max(1, active // per_page - 5)
    scenarios = [
        ("unfiltered page", "/catalog/", {}),
        ("unfiltered (htmx)", "/catalog/", hx),
        ("two facets", "/catalog/?colour=Red&brand=Acme", {}),
        ("two facets (htmx)", "/catalog/?colour=Red&brand=Acme", hx),
        ("search", "/catalog/?q=rain+jacket", {}),
        ("search (htmx)", "/catalog/?q=rain+jacket", hx),
        (f"deep page {deep}", f"/catalog/?page={deep}", {}),
        ("deep page (htmx)", f"/catalog/?page={deep}", hx),
        ("category + sort", "/catalog/outdoors/?sort=price_desc", {}),
    ]
    rows = []
    for label, path, headers in scenarios:
        cold = []
        for _ in range(args.cold):
            cache.clear()
            started = time.perf_counter()
            client.get(path, headers=headers)
            cold.append((time.perf_counter() - started) * 1000)
        for _ in range(5):
            client.get(path, headers=headers)
        samples = []
        for _ in range(args.requests):
            started = time.perf_counter()
            response = client.get(path, headers=headers)
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        with CaptureQueriesContext(connection) as warm_queries:
            client.get(path, headers=headers)
        cache.clear()
        with CaptureQueriesContext(connection) as cold_queries:
            body = client.get(path, headers=headers).content
        rows.append(
            [
                label,
                f"{percentile(samples, 50):.1f}",
                f"{percentile(samples, 95):.1f}",
                f"{len(warm_queries)}",
                f"{percentile(cold, 50):.0f}",
                f"{len(cold_queries)}",
                f"{len(body):,}",
            ]
        )
    print(f"\n{active:,} active products, {args.requests} warm requests per row\n")
    print_table(
        ["scenario", "p50 ms", "p95 ms", "queries", "cold p50 ms", "cold queries", "bytes"],
        rows,
    )
    return 0
