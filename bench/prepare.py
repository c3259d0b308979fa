"""Data the HTTP benchmarks need, made inside Django on the bench database (run as a subprocess
with bench_env, so the driver itself never holds a database connection):

    python -m bench.prepare catalog --products N   migrate, seed_demo if the size differs, home
                                                   layout, static files; prints the targets as JSON
    python -m bench.prepare flash --units 20       a fresh hot product with that many units
    python -m bench.prepare flash-result --sku S   orders, units sold and stock left for it
    python -m bench.prepare price --slug S         raise a product's price by a variant save
"""

from __future__ import annotations

import argparse
import json
import sys
import time


def _setup() -> None:
    import django

    django.setup()


def catalog(products: int, seed: int) -> dict:
    from django.core.management import call_command

    from apps.catalog.models import (
        AttributeDefinition,
        Category,
        Product,
        ProductAttribute,
        Variant,
    )

    call_command("migrate", verbosity=0)
    demo = Product.objects.filter(sku__startswith="DEMO-").count()
    seeded = None
    if demo != products:
        started = time.perf_counter()
        call_command("seed_demo", products=products, seed=seed, reset=True, verbosity=0)
        seeded = round(time.perf_counter() - started, 1)
    call_command("seed_layout", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)

    active = Product.objects.filter(status=Product.Status.ACTIVE)
    facet_values = {}
    for slug in ("brand",):
        definition = AttributeDefinition.objects.get(slug=slug)
        facet_values[slug] = (
            ProductAttribute.objects.filter(definition=definition, product__status="active")
            .order_by("value")
            .values_list("value", flat=True)
            .distinct()[:1][0]
        )
    # An option facet too: a colour some active variant comes in (filtered over variants).
    in_options = Variant.objects.filter(status="active", product__status="active")
    facet_values["colour"] = (
        in_options.exclude(options={}).order_by("pk").values_list("options__colour", flat=True)[0]
    )
    # A product in options (boots: 11 sizes x 1-2 colours) for the product page and its swap.
    boot = in_options.filter(product__has_options=True).order_by("product_id", "sort_order")
    boot = boot.select_related("product")[1]
    busiest = Category.objects.filter(parent__isnull=True).order_by("sort_order", "pk").first().path
    in_stock = list(
        active.filter(has_options=False, variants__stock__quantity__gt=0)
        .order_by("pk")
        .values_list("pk", "slug")
        .distinct()[:200]
    )
    return {
        "products": products,
        "active": active.count(),
        "seed_seconds": seeded,
        "facets": facet_values,
        "category": busiest,
        "product_slug": in_stock[0][1],
        "product_ids": [pk for pk, _ in in_stock[::10]][:16],
        "variant_product_slug": boot.product.slug,
        "option_query": boot.options,
        "per_page": 24,
    }


def flash(units: int) -> dict:
    """A new product (so earlier runs' orders never count) with `units` in one warehouse."""
    from django.db import transaction

    from apps.catalog.models import Category, Product, Stock, Variant, Warehouse

    sku = f"FLASH-{time.strftime('%Y%m%d%H%M%S')}"
    with transaction.atomic():
        warehouse = Warehouse.objects.order_by("pk").first()
        product = Product.objects.create(
            sku=sku,
            slug=sku.lower(),
            name=f"Flash sale {sku}",
            category=Category.objects.order_by("pk").first(),
            primary_warehouse=warehouse,
            status=Product.Status.ACTIVE,
        )
        variant = Variant.objects.create(product=product, sku=sku, price="19.00")
        Stock.objects.create(variant=variant, warehouse=warehouse, quantity=units)
    return {"sku": sku, "product_id": product.pk, "slug": product.slug, "units": units}


def flash_result(sku: str) -> dict:
    from django.db.models import Sum

    from apps.catalog.models import Stock
    from apps.checkout.models import Order, OrderLine

    lines = OrderLine.objects.filter(sku=sku)
    paid = lines.filter(order__status=Order.Status.PAID)
    return {
        "orders": paid.values("order").distinct().count(),
        "units_sold": paid.aggregate(n=Sum("quantity"))["n"] or 0,
        "orders_not_paid": lines.exclude(order__status=Order.Status.PAID).count(),
        "stock_left": Stock.objects.filter(variant__sku=sku).aggregate(n=Sum("quantity"))["n"],
        "negative_stock_rows": Stock.objects.filter(variant__sku=sku, quantity__lt=0).count(),
    }


def price(slug: str, delta: str) -> dict:
    """Change a product's price the way the admin does since variants hold prices: its first
    active variant saved (signals refresh the product's summary columns and bump versions).
    Changing `Product.current_price`, a summary the product page does not show, made the stall
    benchmark count every page after the resume as stale."""
    from decimal import Decimal

    from apps.catalog.models import Variant

    variant = (
        Variant.objects.filter(product__slug=slug, status=Variant.Status.ACTIVE)
        .order_by("sort_order", "pk")
        .first()
    )
    variant.price += Decimal(delta)
    started = time.perf_counter()
    variant.save()
    return {"price": str(variant.price), "save_ms": (time.perf_counter() - started) * 1000}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.prepare")
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("catalog")
    c.add_argument("--products", type=int, required=True)
    c.add_argument("--seed", type=int, default=42)
    f = sub.add_parser("flash")
    f.add_argument("--units", type=int, default=20)
    r = sub.add_parser("flash-result")
    r.add_argument("--sku", required=True)
    p = sub.add_parser("price")
    p.add_argument("--slug", required=True)
    p.add_argument("--delta", default="1.00")
    args = parser.parse_args(argv)
    _setup()
    if args.command == "catalog":
        result = catalog(args.products, args.seed)
    elif args.command == "flash":
        result = flash(args.units)
    elif args.command == "price":
        result = price(args.slug, args.delta)
    else:
        result = flash_result(args.sku)
    print("BENCHJSON " + json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
