"""Catalog test data: a hand-computed small catalog and a fast bulk catalog for budgets."""

from __future__ import annotations

from decimal import Decimal

from django.core.cache import cache
from django.db import connection

from apps.catalog.models import (
    AttributeDefinition,
    Category,
    Product,
    ProductAttribute,
    ProductImage,
    Stock,
    Variant,
    Warehouse,
)
from apps.catalog.services import refresh_variant_summary
from tests.factories import (
    AttributeDefinitionFactory,
    CategoryFactory,
    ProductAttributeFactory,
    ProductFactory,
    WarehouseFactory,
)


def small_catalog() -> dict:
    """Four active products and one draft, small enough to count facets by hand.

    P1 red, S, 10.00, 5 in stock      P3 blue, S, 30.00, 2 in stock
    P2 red+blue, M, 20.00, none       P4 green, M, 40.00, 1 in stock
    P5 (draft) red, S, 50.00: never counted.
    """
    colour = AttributeDefinitionFactory(slug="colour", name="Colour", sort_order=0)
    size = AttributeDefinitionFactory(slug="size", name="Size", sort_order=1)
    shoes = CategoryFactory(name="Shoes", slug="shoes")
    rows = [
        ("P1", ["red"], "S", "10.00", 5, Product.Status.ACTIVE),
        ("P2", ["red", "blue"], "M", "20.00", 0, Product.Status.ACTIVE),
        ("P3", ["blue"], "S", "30.00", 2, Product.Status.ACTIVE),
        ("P4", ["green"], "M", "40.00", 1, Product.Status.ACTIVE),
        ("P5", ["red"], "S", "50.00", 9, Product.Status.DRAFT),
    ]
    products = {}
    for name, colours, size_value, price, stock, status in rows:
        product = ProductFactory(
            name=name, category=shoes, current_price=Decimal(price), stock=stock, status=status
        )
        for value in colours:
            ProductAttributeFactory(product=product, definition=colour, value=value)
        ProductAttributeFactory(product=product, definition=size, value=size_value)
        products[name] = product
    return {"colour": colour, "size": size, "category": shoes, "products": products}


def bulk_catalog(count: int, *, start: int = 0) -> None:
    """`count` active products with image and two attributes, in a few bulk inserts. Two
    products in three come in sizes S, M, L (three variants, each with its own price and stock);
    the rest have one default variant."""
    category = Category.objects.first() or CategoryFactory(name="Bulk", slug="bulk")
    warehouse = Warehouse.objects.filter(code="main").first() or WarehouseFactory(code="main")
    definitions = [
        AttributeDefinition.objects.get_or_create(
            slug=slug, defaults={"name": slug.title(), "sort_order": order}
        )[0]
        for order, slug in enumerate(("colour", "brand"))
    ]
    AttributeDefinition.objects.get_or_create(slug="size", defaults={"name": "Size"})
    values = (["red", "blue", "green", "black"], ["Acme", "Borealis"])
    products = Product.objects.bulk_create(
        [
            Product(
                sku=f"BULK-{i:07d}",
                slug=f"bulk-{i}",
                name=f"Bulk product {i}",
                category=category,
                primary_warehouse=warehouse,
                current_price=Decimal(5 + i % 200),
                status=Product.Status.ACTIVE,
            )
            for i in range(start, start + count)
        ],
        batch_size=2000,
    )
    ProductImage.objects.bulk_create(
        [
            ProductImage(
                product=p, image="demo/product-000.jpg", width=64, height=64, is_primary=True
            )
            for p in products
        ],
        batch_size=2000,
    )
    variants = Variant.objects.bulk_create(
        [
            Variant(
                product=p,
                sku=f"{p.sku}-{size}" if size else p.sku,
                options={"size": size} if size else {},
                price=p.current_price + offset,
                sort_order=offset,
            )
            for p in products
            for offset, size in (enumerate(("S", "M", "L")) if p.pk % 3 else [(0, "")])
        ],
        batch_size=5000,
    )
    Stock.objects.bulk_create(
        [Stock(variant=v, warehouse=warehouse, quantity=v.pk % 7) for v in variants],
        batch_size=5000,
    )
    for i in range(0, len(products), 5000):
        refresh_variant_summary(p.pk for p in products[i : i + 5000])
    ProductAttribute.objects.bulk_create(
        [
            ProductAttribute(product=p, definition=d, value=vals[p.pk % len(vals)])
            for p in products
            for d, vals in zip(definitions, values, strict=True)
        ],
        batch_size=5000,
    )
    # What autovacuum would do after a bulk load (seed_demo does it too): without statistics the
    # planner takes the fresh 10,000 rows for a handful and picks nested loops.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE catalog_product, catalog_productattribute, catalog_variant, catalog_stock"
            )
    cache.clear()
