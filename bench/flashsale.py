"""Flash sale: two gunicorn instances on different ports share one PostgreSQL; 200 shoppers, each
with the same hot product in their cart and at the review step, place their orders at once for
20 units. Exactly 20 orders, nothing oversold, no 5xx, no deadlock.

    python -m bench flashsale [--shoppers 200] [--units 20] [--products 10000]

Each shopper walks the checkout through HTTP first (product page, add to cart, address,
shipping, payment, review), alternating between the two instances; then all of them send the
place-order POST released by one barrier. The burst is one request per shopper, so it is sent by
threads rather than by wrk (which repeats requests for a duration).
"""

from __future__ import annotations

import argparse
import threading
from concurrent.futures import ThreadPoolExecutor

from bench import report
from bench.browser import Answer, Shopper
from bench.common import database_url, ensure_database, flush_cache, percentile, prepare
from bench.server import gunicorn

ADDRESS = {
    "email": "flash@example.com",
    "full_name": "Flash Shopper",
    "address_line1": "Hauptstrasse 1",
    "postal_code": "10115",
    "city": "Berlin",
    "country": "DE",
}
CARD = {"card_number": "4242 4242 4242 4242", "expiry": "12/39", "cvc": "123"}


def ready_shopper(base_url: str, product: dict) -> tuple[Shopper, dict]:
    """A shopper at the review step with one unit of the hot product: (shopper, place form)."""
    shopper = Shopper(base_url)
    shopper.get(f"/products/{product['slug']}/")
    added = shopper.post("/cart/add/", {"product_id": product["product_id"], "quantity": 1})
    assert added.status == 200, f"add to cart: {added.status}"
    shopper.get("/checkout/address/")
    shopper.post("/checkout/address/", ADDRESS)
    shopper.post("/checkout/shipping/", {"method": "standard"})
    shopper.post("/checkout/payment/", CARD)
    review = shopper.get("/checkout/review/")
    assert review.status == 200, f"review step: {review.status}"
    form = {
        "checkout_token": review.hidden("checkout_token"),
        "expected_total": review.hidden("expected_total"),
    }
    return shopper, form


def deadlocks(db_url: str) -> int:
    import psycopg

    with psycopg.connect(db_url) as conn:
        return conn.execute(
            "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()[0]


def run_sale(products: int, shoppers: int, units: int) -> dict:
    db = database_url(products)
    ensure_database(db)
    prepare(db, "catalog", "--products", str(products))
    product = prepare(db, "flash", "--units", str(units))
    flush_cache()
    with gunicorn(db, workers=2, threads=4) as first, gunicorn(db, workers=2, threads=4) as second:
        bases = [first, second]
        with ThreadPoolExecutor(max_workers=8) as pool:
            ready = list(pool.map(lambda i: ready_shopper(bases[i % 2], product), range(shoppers)))
        print(f"  {shoppers} shoppers at the review step; placing orders at once")
        before = deadlocks(db)
        barrier = threading.Barrier(shoppers)
        answers: list[Answer | None] = [None] * shoppers

        def place(i: int) -> None:
            shopper, form = ready[i]
            barrier.wait()
            answers[i] = shopper.post("/checkout/place/", form, follow=False)

        threads = [threading.Thread(target=place, args=(i,)) for i in range(shoppers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        after = deadlocks(db)
    result = prepare(db, "flash-result", "--sku", product["sku"])
    times = [a.ms for a in answers]
    statuses = [a.status for a in answers]
    locations = [a.headers.get("Location", "") for a in answers]
    return {
        "products": products,
        "shoppers": shoppers,
        "units": units,
        "orders": result["orders"],
        "units_sold": result["units_sold"],
        "stock_left": result["stock_left"],
        "oversold": max(0, result["units_sold"] - units) + result["negative_stock_rows"],
        "server_errors": sum(s >= 500 for s in statuses),
        "deadlocks": after - before,
        "to_order_page": sum("/checkout/orders/" in loc for loc in locations),
        "sold_out": sum(loc.endswith("/cart/") for loc in locations),
        "statuses": {str(s): statuses.count(s) for s in sorted(set(statuses))},
        "p50_ms": percentile(times, 50),
        "p95_ms": percentile(times, 95),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench flashsale")
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--shoppers", type=int, default=200)
    parser.add_argument("--units", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=8, help="unused; accepted from `all`")
    args = parser.parse_args(argv)
    print(f"flash sale: {args.shoppers} shoppers, {args.units} units, two gunicorn instances")
    section = run_sale(args.products, args.shoppers, args.units)
    report.save("flashsale", section)
    print(report.flash_table(section))
    ok = (
        section["orders"] == args.units
        and section["oversold"] == 0
        and section["server_errors"] == 0
        and section["deadlocks"] == 0
        and section["stock_left"] == 0
    )
    if not ok:
        print("FLASH SALE FAILED: expected exactly the units in stock sold, nothing more.")
    return 0 if ok else 1
