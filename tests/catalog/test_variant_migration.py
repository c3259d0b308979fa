"""The variants migration on real PostgreSQL: a deployed shop upgrades without losing a row.

Migrates back to before variants, writes products, stock, a cart, an order and a wishlist item
with the old schema, migrates forward, and checks every row now points at the right variant.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("catalog", "0003_listing_sort_indexes"),
    ("cart", "0001_initial"),
    ("checkout", "0001_initial"),
    ("wishlist", "0001_initial"),
]
AFTER = [
    ("catalog", "0004_variants"),
    ("cart", "0002_cartline_variant"),
    ("checkout", "0002_orderline_variant"),
    ("wishlist", "0001_initial"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def latest() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_every_product_becomes_a_single_variant_product_keeping_every_row():
    old = migrate(BEFORE)
    try:
        Category = old.get_model("catalog", "Category")
        Product = old.get_model("catalog", "Product")
        Warehouse = old.get_model("catalog", "Warehouse")
        Stock = old.get_model("catalog", "Stock")
        Cart = old.get_model("cart", "Cart")
        CartLine = old.get_model("cart", "CartLine")
        Order = old.get_model("checkout", "Order")
        OrderLine = old.get_model("checkout", "OrderLine")
        User = old.get_model("auth", "User")
        WishlistItem = old.get_model("wishlist", "WishlistItem")

        shoes = Category.objects.create(name="Shoes", slug="shoes", path="shoes")
        main = Warehouse.objects.create(code="main", name="Main")
        east = Warehouse.objects.create(code="east", name="East")
        boot = Product.objects.create(
            sku="BOOT-1",
            slug="boot",
            name="Boot",
            category=shoes,
            current_price=Decimal("89.00"),
            compare_at_price=Decimal("120.00"),
            status="active",
        )
        mug = Product.objects.create(
            sku="MUG-1",
            slug="mug",
            name="Mug",
            category=shoes,
            current_price=Decimal("9.50"),
            status="archived",
        )
        boot_main = Stock.objects.create(product=boot, warehouse=main, quantity=4)
        boot_east = Stock.objects.create(product=boot, warehouse=east, quantity=2)
        mug_main = Stock.objects.create(product=mug, warehouse=main, quantity=0)
        cart = Cart.objects.create()
        line = CartLine.objects.create(cart=cart, product=boot, quantity=2)
        order = Order.objects.create(
            checkout_token=uuid.uuid4(),
            number="HS-OLD-1",
            email="a@example.com",
            full_name="Ada",
            address_line1="1 Way",
            city="Town",
            postal_code="1000",
            country="BE",
            shipping_method="standard",
            shipping_method_name="Standard",
            currency="EUR",
            subtotal=Decimal("9.50"),
            total=Decimal("9.50"),
        )
        order_line = OrderLine.objects.create(
            order=order,
            product=mug,
            sku="MUG-1",
            name="Mug",
            unit_price=Decimal("9.50"),
            quantity=1,
            line_total=Decimal("9.50"),
            allocations=[[mug_main.pk, 1]],
        )
        user = User.objects.create(username="ada")
        WishlistItem.objects.create(user=user, product=boot, price_snapshot=Decimal("89.00"))

        new = migrate(AFTER)
        Variant = new.get_model("catalog", "Variant")
        Stock = new.get_model("catalog", "Stock")
        Product = new.get_model("catalog", "Product")

        boot_variant = Variant.objects.get(product_id=boot.pk)
        mug_variant = Variant.objects.get(product_id=mug.pk)
        assert (boot_variant.sku, boot_variant.options, boot_variant.price) == (
            "BOOT-1",
            {},
            Decimal("89.00"),
        )
        assert boot_variant.compare_at_price == Decimal("120.00")
        assert (boot_variant.status, mug_variant.status) == ("active", "inactive")
        # Stock rows keep their ids (orders name them to restock) and now hold the variant.
        assert dict(Stock.objects.values_list("pk", "variant_id")) == {
            boot_main.pk: boot_variant.pk,
            boot_east.pk: boot_variant.pk,
            mug_main.pk: mug_variant.pk,
        }
        assert dict(Stock.objects.values_list("pk", "quantity")) == {
            boot_main.pk: 4,
            boot_east.pk: 2,
            mug_main.pk: 0,
        }
        CartLine = new.get_model("cart", "CartLine")
        assert list(CartLine.objects.values_list("pk", "variant_id", "quantity")) == [
            (line.pk, boot_variant.pk, 2)
        ]
        OrderLine = new.get_model("checkout", "OrderLine")
        migrated = OrderLine.objects.get()
        assert (migrated.pk, migrated.product_id, migrated.variant_id) == (
            order_line.pk,
            mug.pk,
            mug_variant.pk,
        )
        assert migrated.allocations == [[mug_main.pk, 1]]
        WishlistItem = new.get_model("wishlist", "WishlistItem")
        assert WishlistItem.objects.get().product_id == boot.pk
        summary = Product.objects.get(pk=boot.pk)
        assert (summary.max_price, summary.on_sale) == (Decimal("89.00"), True)
    finally:
        latest()
