"""Checkout sells variants: snapshots name the options, stock is taken per variant, budgets hold,
and two buyers of one product in different sizes never get in each other's way."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog.models import Stock
from apps.checkout import services
from apps.checkout.models import Order
from tests.checkout.factories import ADDRESS, cart_with, reviewed
from tests.checkout.test_concurrency import buyer, kinds, run_together
from tests.factories import AttributeDefinitionFactory, boot

SIZES = tuple(str(n) for n in range(36, 46))


def place(cart):
    return services.place_order(
        cart_id=cart.pk,
        token=uuid.uuid4(),
        details=ADDRESS,
        shipping_method="standard",
        reviewed=reviewed(cart),
    )


@pytest.mark.django_db
def test_order_lines_snapshot_the_variant_and_its_options():
    AttributeDefinitionFactory(slug="size", name="Size")
    AttributeDefinitionFactory(slug="colour", name="Colour")
    product, variants = boot(sizes=("41", "42"), price="89.00")
    cart = cart_with((variants[("Black", "41")], 1), (variants[("Black", "42")], 2))
    order, created = place(cart)
    lines = list(order.lines.order_by("sku"))
    assert [(line.sku, line.quantity, line.variant_id, line.product_id) for line in lines] == [
        (variants[("Black", "41")].sku, 1, variants[("Black", "41")].pk, product.pk),
        (variants[("Black", "42")].sku, 2, variants[("Black", "42")].pk, product.pk),
    ]
    assert lines[1].name == "Trail boot (Black / 42)"
    assert lines[1].attributes == {"Colour": "Black", "Size": "42"}
    assert Stock.objects.get(variant=variants[("Black", "42")]).quantity == 1
    assert Stock.objects.get(variant=variants[("Black", "41")]).quantity == 2


@pytest.mark.django_db
@pytest.mark.parametrize("extra", [0, 200])
def test_place_order_for_ten_variants_budget(django_assert_max_num_queries, extra):
    _, variants = boot(sizes=SIZES, colours=("Black",))
    for i in range(extra // 10):  # a bigger catalog around it must not cost more
        boot(f"Other {i}", sizes=SIZES)
    cart = cart_with(*((variant, 1) for variant in variants.values()))
    fingerprint = reviewed(cart)
    with django_assert_max_num_queries(25):
        order, created = services.place_order(
            cart_id=cart.pk,
            token=uuid.uuid4(),
            details=ADDRESS,
            shipping_method="standard",
            reviewed=fingerprint,
        )
    assert created and order.lines.count() == 10


@pytest.mark.django_db
def test_place_order_locks_variant_stock_rows_in_primary_key_order():
    _, variants = boot(sizes=("43", "41", "42"))
    cart = cart_with(*((v, 1) for v in reversed(list(variants.values()))))
    with CaptureQueriesContext(connection) as ctx:
        place(cart)
    locks = [q["sql"] for q in ctx.captured_queries if "FOR UPDATE" in q["sql"]]
    stock_lock = next(sql for sql in locks if "catalog_stock" in sql)
    assert 'ORDER BY "catalog_stock"."id" ASC' in stock_lock


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(2))
def test_two_buyers_of_different_sizes_both_get_theirs(round_):
    _, variants = boot(sizes=("41", "42"), stock={("Black", "41"): 1, ("Black", "42"): 1})
    carts = [cart_with((variants[("Black", "41")], 1)), cart_with((variants[("Black", "42")], 1))]
    outcomes = run_together([buyer(cart) for cart in carts])
    assert kinds(outcomes) == {"CheckoutResult": 2}, outcomes
    assert set(Stock.objects.values_list("quantity", flat=True)) == {0}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(2))
def test_buyers_of_the_same_last_size_get_one_order(round_):
    _, variants = boot(sizes=("41", "42"), stock={("Black", "41"): 5, ("Black", "42"): 1})
    last = variants[("Black", "42")]
    carts = [cart_with((last, 1), (variants[("Black", "41")], 1)) for _ in range(4)]
    outcomes = run_together([buyer(cart) for cart in carts])
    assert kinds(outcomes) == {"CheckoutResult": 1, "OutOfStock": 3}, outcomes
    assert Stock.objects.get(variant=last).quantity == 0  # 0 oversold
    assert Stock.objects.get(variant=variants[("Black", "41")]).quantity == 4
    assert Order.objects.filter(status=Order.Status.PAID).count() == 1
