"""Every shopper path under gunicorn (production settings, Redis cache, 2 sync workers), driven by
wrk; each figure also as a ratio to the floor (a "hello world" view in the same server).

    python -m bench shopper [--products 10000] [--seconds 8]
"""

from __future__ import annotations

import argparse
import urllib.error
import urllib.parse
import urllib.request

from bench import report
from bench.browser import Shopper
from bench.common import database_url, ensure_database, flush_cache, prepare
from bench.server import gunicorn
from bench.wrk import Request, run

WORKERS = 2
CONNECTIONS = 8
HX = {"HX-Request": "true"}
SESSIONS = 16


def distinct_filter_paths(base: str, count: int, offset: int) -> list[str]:
    """Two facets plus a price cap that differs per request, so every request misses every
    cache that is keyed by the filter state (facet counts and rendered fragments)."""
    return [f"{base}&price_max={offset + i}" for i in range(count)]


def sessions(base_url: str, product_ids: list[int], product_slug: str) -> list[Shopper]:
    """Shoppers who browsed a product page (session + CSRF cookies) and have a cart."""
    shoppers = []
    for i in range(SESSIONS):
        shopper = Shopper(base_url)
        shopper.get(f"/products/{product_slug}/")
        answer = shopper.post(
            "/cart/add/", {"product_id": product_ids[i % len(product_ids)], "quantity": 1}
        )
        assert answer.status == 200, f"setting up a cart failed: {answer.status}"
        shoppers.append(shopper)
    return shoppers


def catalog_rows(targets: dict) -> list[tuple[str, list[Request], list[Request]]]:
    """(name, warm-up requests, measured requests) for the catalog paths."""
    two_facets = "/catalog/?" + urllib.parse.urlencode(targets["facets"])
    uncached = [Request(p, headers=HX) for p in distinct_filter_paths(two_facets, 20_000, 10)]
    uncached_warmup = [
        Request(p, headers=HX) for p in distinct_filter_paths(two_facets, 5_000, 100_000)
    ]
    search = "/catalog/?q=" + urllib.parse.quote_plus("rain jacket")
    return [
        ("catalog full page", once("/catalog/"), once("/catalog/")),
        ("catalog filter partial (htmx, warm)", once(two_facets, HX), once(two_facets, HX)),
        ("catalog filter partial (htmx, uncached)", uncached_warmup, uncached),
        ("search partial (htmx)", once(search, HX), once(search, HX)),
    ]


def once(path: str, headers: dict | None = None) -> list[Request]:
    return [Request(path, headers=headers or {})]


def shopper_rows(targets: dict, base_url: str) -> list[tuple[str, list[Request], list[Request]]]:
    """Every shopper path, the floor first."""
    shoppers = sessions(base_url, targets["product_ids"], targets["product_slug"])
    adds = [
        Request(
            "/cart/add/",
            method="POST",
            body=f"product_id={pid}&quantity=1",
            headers={
                "Cookie": shopper.cookie_header(),
                "X-CSRFToken": shopper.cookie("csrftoken"),
                "Content-Type": "application/x-www-form-urlencoded",
                **HX,
            },
        )
        for shopper in shoppers
        for pid in targets["product_ids"][:4]
    ]
    carts = [Request("/cart/", headers={"Cookie": s.cookie_header()}) for s in shoppers]
    # The cached listing with each shopper's own cart badge (their session is read).
    listings = [Request("/catalog/", headers={"Cookie": s.cookie_header()}) for s in shoppers]
    product = once(f"/products/{targets['product_slug']}/")
    in_options = f"/products/{targets['variant_product_slug']}/"
    swap = in_options + "?" + urllib.parse.urlencode(targets["option_query"])
    return [
        ("floor (hello world)", once("/__bench__/floor"), once("/__bench__/floor")),
        ("home page (warm)", once("/"), once("/")),
        *catalog_rows(targets),
        ("product page", product, product),
        ("product page in options (warm)", once(in_options), once(in_options)),
        ("option swap partial (htmx)", once(swap, HX), once(swap, HX)),
        ("catalog full page, shopper with a cart", listings, listings),
        ("add to cart (htmx POST)", adds, adds),
        ("cart page", carts, carts),
    ]


def probe(base_url: str, request: Request) -> tuple[int, int, int]:
    """(status, SQL queries counted in the app, body bytes) of one request like the scenario's."""
    shopper = Shopper(base_url)
    data = request.body.encode() if request.body else None
    http_request = urllib.request.Request(
        base_url + request.path, data=data, headers=request.headers, method=request.method
    )
    try:
        with shopper.opener.open(http_request, timeout=30) as response:
            return response.status, int(response.headers["X-Query-Count"]), len(response.read())
    except urllib.error.HTTPError as error:
        return error.code, int(error.headers.get("X-Query-Count", -1)), len(error.read())


def measure(
    products: int, seconds: float, rows_for=shopper_rows, only: list[str] | None = None
) -> dict:
    db = database_url(products)
    ensure_database(db)
    targets = prepare(db, "catalog", "--products", str(products))
    flush_cache()
    rows = []
    with gunicorn(db, workers=WORKERS) as base_url:
        scenarios = rows_for(targets, base_url)
        if only:
            # The floor always runs first: every ratio is to the floor of the same run.
            scenarios = [
                row
                for row in scenarios
                if row[0].startswith("floor") or any(word in row[0] for word in only)
            ]
        for name, warmup, measured in scenarios:
            run(base_url, warmup, seconds=2, connections=CONNECTIONS)
            figures = run(base_url, measured, seconds=seconds, connections=CONNECTIONS)
            # The probe uses a request wrk did not send (a fresh price cap when uncached).
            sample = measured[-1] if len(measured) > 1 else measured[0]
            if "uncached" in name:
                sample = Request(sample.path.replace("price_max=", "price_max=9"), headers=HX)
            status, queries, size = probe(base_url, sample)
            rows.append(
                {
                    "scenario": name,
                    **figures,
                    "queries": queries,
                    "body_bytes": size,
                    "probe_status": status,
                }
            )
            print(
                f"  {name}: {figures['rps']:.0f} req/s, p95 {figures['p95_ms']:.1f} ms, "
                f"{queries} queries, {figures['errors']} errors"
            )
    if rows[0]["scenario"].startswith("floor"):
        for row in rows:
            row["ratio"] = row["rps"] / rows[0]["rps"]
    return {
        "products": products,
        "active_products": targets["active"],
        "workers": WORKERS,
        "connections": CONNECTIONS,
        "seconds": seconds,
        "rows": rows,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench shopper")
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument(
        "--only",
        action="append",
        help="run only the rows whose name contains this (repeatable; the floor always runs)",
    )
    args = parser.parse_args(argv)
    print(f"shopper paths, {args.products:,} products, gunicorn {WORKERS} workers, wrk")
    section = measure(args.products, args.seconds, only=args.only)
    if args.only:
        print(report.shopper_table(section))
        return 0 if all(r["errors"] == 0 for r in section["rows"]) else 1
    report.save("shopper", section)
    print(report.shopper_table(section))
    return 0 if all(r["errors"] == 0 for r in section["rows"]) else 1
