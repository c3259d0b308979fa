"""Prepared statements against per-request planning on the catalog's cold paths, with varied
parameters: the check that PostgreSQL's generic plans (used after a prepared statement's fifth
run when they look no worse) do not slow a skewed query down.

    python -m bench plans [--products 100000] [--rounds 3]

Each mode runs in its own process on the size's bench database (seeded by `bench.prepare` when
missing): 40 categories, 60 random facet/price/stock/sort combinations, 12 searches and their
suggestions, pages 1 to 4,000 and 40 product pages, shuffled, in `--rounds` rounds, the Redis
cache cleared before every request (Django's test Client, in process). Round 1 (warm-up: the
facet index loads, the first statements are planned) is left out of the figures. Prints p50,
p95 and max per mode, and which prepared statements went generic (PostgreSQL's own counters).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
import urllib.parse

from bench.common import ROOT, bench_env, database_url, ensure_database, percentile, prepare

WORDS = ["rain jacket", "lamp", "boot", "acme", "wool", "zzqx", "jackt", "a", "blue", "mug"]


def paths(seed: int) -> list[str]:
    from apps.catalog.models import Category, Product, ProductAttribute

    rng = random.Random(seed)
    categories = list(Category.objects.values_list("path", flat=True))
    pairs = ProductAttribute.objects.values_list("definition__slug", "value").distinct()
    values = list(pairs[:200])
    slugs = list(
        Product.objects.filter(status="active").order_by("?").values_list("slug", flat=True)[:40]
    )
    out = [f"/catalog/{path}/" for path in rng.sample(categories, min(40, len(categories)))]
    for _ in range(60):
        query = dict(rng.sample(values, rng.randint(1, 3)))
        if rng.random() < 0.5:
            query["price_max"] = str(rng.choice([5, 20, 80, 300, 2000]))
        if rng.random() < 0.3:
            query["in_stock"] = "on"
        if rng.random() < 0.3:
            query["sort"] = rng.choice(["price", "-price", "new", "name"])
        out.append("/catalog/?" + urllib.parse.urlencode(query))
    for word in WORDS:
        out.append("/catalog/?q=" + urllib.parse.quote_plus(word))
        out.append("/search/suggest/?q=" + urllib.parse.quote_plus(word))
    out += [f"/catalog/?page={page}" for page in (1, 2, 50, 400, 4000)]
    return out + [f"/products/{slug}/" for slug in slugs]


def child(rounds: int, seed: int) -> None:
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    todo = paths(seed)
    rng = random.Random(seed)
    timings: list[float] = []
    errors = 0
    for number in range(rounds):
        rng.shuffle(todo)
        for path in todo:
            cache.clear()
            started = time.perf_counter()
            status = client.get(path).status_code
            elapsed = (time.perf_counter() - started) * 1000
            if number:
                timings.append(elapsed)
                errors += status not in (200, 301, 302, 404)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans, "
            "right(regexp_replace(statement, '\\s+', ' ', 'g'), 160) FROM pg_prepared_statements "
            "ORDER BY generic_plans DESC"
        )
        statements = cursor.fetchall()
    result = {"timings": timings, "statements": statements, "errors": errors}
    print("BENCHJSON " + json.dumps(result))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench plans")
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.rounds, args.seed)
        return 0
    db = database_url(args.products)
    ensure_database(db)
    prepare(db, "catalog", "--products", str(args.products), STATEMENT_TIMEOUT_MS="0")
    print(f"catalog cold paths, {args.products:,} products, varied parameters")
    for mode in ("true", "false"):
        output = subprocess.run(
            [sys.executable, "-m", "bench", "plans", "--child", "--rounds", str(args.rounds)],
            env=bench_env(db, DB_PREPARED_STATEMENTS=mode, STATEMENT_TIMEOUT_MS="0"),
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if output.returncode:
            print(output.stderr[-3000:], file=sys.stderr)
            return 1
        output = output.stdout
        line = next(line for line in output.splitlines() if line.startswith("BENCHJSON "))
        result = json.loads(line.removeprefix("BENCHJSON "))
        timings = result["timings"]
        label = "prepared statements" if mode == "true" else "planned per request"
        print(
            f"  {label}: {len(timings)} requests, p50 {percentile(timings, 50):.1f} ms, "
            f"p95 {percentile(timings, 95):.1f} ms, max {max(timings):.1f} ms, "
            f"{result['errors']} errors"
        )
        generic = [row for row in result["statements"] if row[0]]
        if mode == "true":
            print(f"  {len(result['statements'])} statements prepared, {len(generic)} generic:")
            for generic_plans, custom_plans, text in generic:
                print(f"    generic {generic_plans}, custom {custom_plans}: ...{text}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.bench")
    sys.exit(main(sys.argv[1:]))
