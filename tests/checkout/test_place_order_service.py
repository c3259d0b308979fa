from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from apps.catalog.models import Stock
from apps.checkout import services
from apps.checkout.models import Order
from tests.checkout.factories import (
    ADDRESS,
    DECLINE,
    CouponFactory,
    card_token,
    cart_with,
    reviewed,
)
from tests.factories import (
    ProductFactory,
    WarehouseFactory,
    set_price,
    variant_of,
    variant_of_id,
)

pytestmark = pytest.mark.django_db


def checkout(cart, *, token=None, card=None, user=None, fingerprint=None):
    return services.complete_checkout(
        cart_id=cart.pk,
        token=token or uuid.uuid4(),
        details=ADDRESS,
        shipping_method="standard",
        reviewed=fingerprint or reviewed(cart, user=user),
        payment_token=card or card_token(),
        card_last4="4242",
        user=user,
    )


def stock_of(product) -> int:
    return sum(Stock.objects.filter(variant__product=product).values_list("quantity", flat=True))


def test_order_snapshots_lines_decrements_stock_and_empties_cart(mailoutbox, run_tasks):
    a = ProductFactory(current_price=Decimal("10.00"), stock=5)
    b = ProductFactory(current_price=Decimal("2.50"), stock=5)
    cart = cart_with((a, 2), (b, 4))
    result = checkout(cart)
    order = result.order
    assert result.created and order.status == Order.Status.PAID
    assert order.subtotal == Decimal("30.00")
    assert order.total == Decimal("34.90")  # standard shipping 4.90
    assert [(line.sku, line.quantity, line.line_total) for line in order.lines.all()] == [
        (a.sku, 2, Decimal("20.00")),
        (b.sku, 4, Decimal("10.00")),
    ]
    assert stock_of(a) == 3 and stock_of(b) == 1
    assert not cart.lines.exists()
    run_tasks()
    assert len(mailoutbox) == 1 and order.number in mailoutbox[0].subject
    assert "4 × " in mailoutbox[0].body


def test_stock_taken_from_several_warehouses_and_returned_on_decline():
    product = ProductFactory(stock=2)
    Stock.objects.create(
        variant=variant_of(product), warehouse=WarehouseFactory(code="north"), quantity=3
    )
    cart = cart_with((product, 4))
    result = checkout(cart, card=card_token(DECLINE))
    assert result.order.status == Order.Status.CANCELLED
    assert "declined" in result.order.payment_message
    assert stock_of(product) == 5
    assert cart.lines.get().quantity == 4  # the cart is left intact


def test_same_token_returns_the_first_order_and_charges_once():
    product = ProductFactory(stock=10)
    cart = cart_with((product, 1))
    token = uuid.uuid4()
    fingerprint = reviewed(cart)
    first = checkout(cart, token=token, fingerprint=fingerprint)
    second = checkout(cart, token=token, fingerprint=fingerprint)
    assert second.order.pk == first.order.pk and not second.created and second.charge is None
    assert Order.objects.count() == 1 and stock_of(product) == 9


def test_price_change_after_review_places_nothing():
    product = ProductFactory(current_price=Decimal("10.00"), stock=5)
    cart = cart_with((product, 1))
    fingerprint = reviewed(cart)
    set_price(product, "12.00")
    with pytest.raises(services.PriceChanged) as changed:
        checkout(cart, fingerprint=fingerprint)
    assert changed.value.quote.total == Decimal("16.90")
    assert Order.objects.count() == 0 and stock_of(product) == 5


def test_not_enough_stock_names_the_product():
    product = ProductFactory(name="Lamp", stock=1)
    cart = cart_with((product, 2))
    with pytest.raises(services.OutOfStock, match="Lamp: only 1 left"):
        checkout(cart)
    assert Order.objects.count() == 0 and stock_of(product) == 1


def test_archived_product_blocks_the_order():
    product = ProductFactory(name="Old lamp", stock=5)
    cart = cart_with((product, 1))
    fingerprint = reviewed(cart)
    product.status = product.Status.ARCHIVED
    product.save()
    with pytest.raises(services.OutOfStock, match="Old lamp"):
        checkout(cart, fingerprint=fingerprint)


def test_coupon_counted_and_given_back_on_decline():
    coupon = CouponFactory(code="TEN", value=Decimal("10"), usage_limit=5)
    product = ProductFactory(current_price=Decimal("40.00"), stock=5)
    cart = cart_with((product, 1), coupon_code="TEN")
    result = checkout(cart)
    assert result.order.discount_total == Decimal("4.00")
    assert result.order.total == Decimal("40.90")
    assert result.order.lines.get().discount == Decimal("4.00")
    coupon.refresh_from_db()
    assert coupon.times_used == 1
    cart2 = cart_with((product, 1), coupon_code="TEN")
    declined = checkout(cart2, card=card_token(DECLINE))
    assert declined.order.status == Order.Status.CANCELLED
    coupon.refresh_from_db()
    assert coupon.times_used == 1


def test_per_customer_limit_by_email_is_checked_at_placement():
    CouponFactory(code="ONCE", per_customer_limit=1)
    product = ProductFactory(stock=5)
    checkout(cart_with((product, 1), coupon_code="ONCE"))
    with pytest.raises(services.CouponNoLongerValid, match="already used"):
        checkout(cart_with((product, 1), coupon_code="ONCE"))


def test_discount_split_over_lines_sums_to_the_discount():
    CouponFactory(code="THIRD", kind="fixed", value=Decimal("10.00"))
    products = [ProductFactory(current_price=Decimal("3.33"), stock=5) for _ in range(3)]
    result = checkout(cart_with(*[(p, 1) for p in products], coupon_code="THIRD"))
    shares = [line.discount for line in result.order.lines.all()]
    assert sum(shares) == result.order.discount_total == Decimal("9.99")


class AlwaysDeclines:
    """A stand-in gateway, chosen through settings.PAYMENT_GATEWAY."""

    def tokenize(self, number, expiry, cvc):
        raise NotImplementedError

    def charge(self, token, amount, currency, reference):
        from apps.checkout.payments import ChargeResult

        return ChargeResult(False, "", f"Refused {amount} {currency} for {reference}.")


class AnotherTabAddsWhileCharging:
    """The test gateway; while it charges, the shopper's other tab adds to the same cart."""

    cart_id = 0
    extra_product_id = 0

    def tokenize(self, number, expiry, cvc):
        from apps.checkout.payments import TestGateway

        return TestGateway().tokenize(number, expiry, cvc)

    def charge(self, token, amount, currency, reference):
        from apps.cart.models import CartLine
        from apps.checkout.payments import TestGateway

        CartLine.objects.create(
            cart_id=self.cart_id, variant=variant_of_id(self.extra_product_id), quantity=1
        )
        line = CartLine.objects.get(cart_id=self.cart_id, variant__product__name="Lamp")
        line.quantity += 2
        line.save()
        return TestGateway().charge(token, amount, currency, reference)


def test_paid_order_leaves_what_another_tab_added_during_payment(settings):
    lamp = ProductFactory(name="Lamp", stock=10)
    mug = ProductFactory(name="Mug", stock=10)
    late = ProductFactory(name="Late", stock=10)
    cart = cart_with((lamp, 1), (mug, 3), coupon_code="")
    settings.PAYMENT_GATEWAY = f"{__name__}.AnotherTabAddsWhileCharging"
    AnotherTabAddsWhileCharging.cart_id, AnotherTabAddsWhileCharging.extra_product_id = (
        cart.pk,
        late.pk,
    )
    result = checkout(cart, card="tok_test_approve_x")
    assert result.order.status == Order.Status.PAID
    assert [(line.name, line.quantity) for line in result.order.lines.all()] == [
        ("Lamp", 1),
        ("Mug", 3),
    ]
    # The ordered units left the cart; what the other tab added during payment did not.
    assert {line.variant.product_id: line.quantity for line in cart.lines.all()} == {
        lamp.pk: 2,
        late.pk: 1,
    }


def test_gateway_is_chosen_by_setting(settings):
    settings.PAYMENT_GATEWAY = f"{__name__}.AlwaysDeclines"
    product = ProductFactory(current_price=Decimal("10.00"), stock=3)
    result = checkout(cart_with((product, 1)))
    order = result.order
    assert order.status == Order.Status.CANCELLED
    assert order.payment_message == f"Refused 14.90 EUR for {order.number}."
    assert stock_of(product) == 3


def test_test_gateway_rejects_invalid_numbers():
    from apps.checkout.payments import CardRejected, TestGateway

    with pytest.raises(CardRejected):
        TestGateway().tokenize("4242 4242 4242 4241", "12/40", "123")
    assert TestGateway().charge("forged", Decimal("1"), "EUR", "x").approved is False


def test_orders_stuck_awaiting_payment_are_cancelled_and_restocked():
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    product = ProductFactory(stock=4)
    cart = cart_with((product, 3))
    order, _ = services.place_order(
        cart_id=cart.pk,
        token=uuid.uuid4(),
        details=ADDRESS,
        shipping_method="standard",
        reviewed=reviewed(cart),
    )
    assert stock_of(product) == 1
    call_command("cancel_unpaid_orders", minutes=30)
    assert Order.objects.get().status == Order.Status.PENDING_PAYMENT  # too recent
    Order.objects.update(created_at=timezone.now() - timedelta(hours=1))
    call_command("cancel_unpaid_orders", minutes=30)
    assert Order.objects.get().status == Order.Status.CANCELLED
    assert stock_of(product) == 4
