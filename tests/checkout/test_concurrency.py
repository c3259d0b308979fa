"""Races on real PostgreSQL with real threads, each on its own connection (transaction=True so
the threads see each other's commits). Every outcome a shopper could get is checked: exactly K
orders, never negative stock, no deadlock or other database error."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection

from apps.catalog.models import Stock
from apps.checkout import services
from apps.checkout.models import Coupon, CouponRedemption, Order
from tests.checkout.factories import ADDRESS, CouponFactory, card_token, cart_with, reviewed
from tests.factories import ProductFactory, UserFactory
from tests.threads import run_together

pytestmark = pytest.mark.django_db(transaction=True)


def buyer(cart, token=None, email=ADDRESS["email"]):
    fingerprint = reviewed(cart)
    payment = card_token()
    token = token or uuid.uuid4()

    def job():
        return services.complete_checkout(
            cart_id=cart.pk,
            token=token,
            details={**ADDRESS, "email": email},
            shipping_method="standard",
            reviewed=fingerprint,
            payment_token=payment,
        )

    return job


def kinds(outcomes: list) -> Counter:
    return Counter(type(outcome).__name__ for outcome in outcomes)


@pytest.mark.parametrize("round_", range(3))
def test_n_buyers_for_k_units_get_exactly_k_orders(round_):
    buyers, units = 8, 3
    product = ProductFactory(stock=units)
    other = ProductFactory(stock=100)  # two stock rows per order: lock ordering matters
    carts = [
        cart_with((product, 1), (other, 1)) if i % 2 else cart_with((other, 1), (product, 1))
        for i in range(buyers)
    ]
    outcomes = run_together([buyer(cart) for cart in carts])
    assert kinds(outcomes) == {"CheckoutResult": units, "OutOfStock": buyers - units}, outcomes
    assert Order.objects.filter(status=Order.Status.PAID).count() == units
    assert Stock.objects.get(variant__product=product).quantity == 0
    assert Stock.objects.get(variant__product=other).quantity == 100 - units


def test_coupon_limited_to_l_is_used_exactly_l_times():
    limit, buyers = 3, 7
    CouponFactory(code="FLASH", value=Decimal("20"), usage_limit=limit)
    product = ProductFactory(current_price=Decimal("50.00"), stock=100)
    carts = [cart_with((product, 1), coupon_code="FLASH") for _ in range(buyers)]
    jobs = [buyer(cart, email=f"buyer{i}@example.com") for i, cart in enumerate(carts)]
    outcomes = run_together(jobs)
    assert kinds(outcomes) == {"CheckoutResult": limit, "CouponNoLongerValid": buyers - limit}
    assert Coupon.objects.get(code="FLASH").times_used == limit
    assert CouponRedemption.objects.count() == limit
    assert Order.objects.filter(discount_total=Decimal("10.00")).count() == limit


def test_same_checkout_token_ten_times_at_once_places_one_order():
    product = ProductFactory(stock=5)
    cart = cart_with((product, 2), user=UserFactory())
    token = uuid.uuid4()
    job = buyer(cart, token=token)
    outcomes = run_together([job] * 10)
    assert kinds(outcomes) == {"CheckoutResult": 10}, outcomes
    assert len({outcome.order.pk for outcome in outcomes}) == 1
    assert sum(outcome.created for outcome in outcomes) == 1
    assert Order.objects.count() == 1
    assert Stock.objects.get(variant__product=product).quantity == 3


def test_flash_sale_through_the_views_never_answers_5xx():
    """The same race through HTTP: every shopper gets an answer, none a server error."""
    from django.test import Client

    from tests.checkout.test_checkout_views import place_form, steps

    buyers, units = 6, 2
    product = ProductFactory(stock=units)
    clients, forms = [], []
    for _ in range(buyers):
        client = Client()
        client.post("/cart/add/", {"product_id": product.pk, "quantity": 1})
        forms.append(place_form(steps(client)))
        clients.append(client)
    outcomes = run_together(
        [
            (lambda c=client, f=form: c.post("/checkout/place/", f))
            for client, form in zip(clients, forms, strict=True)
        ]
    )
    statuses = Counter(
        getattr(outcome, "status_code", type(outcome).__name__) for outcome in outcomes
    )
    assert statuses == {302: buyers}, statuses
    locations = Counter(outcome["Location"].startswith("/checkout/orders/") for outcome in outcomes)
    assert locations == {True: units, False: buyers - units}
    assert Order.objects.count() == units
    assert Stock.objects.get(variant__product=product).quantity == 0


class ProbingGateway:
    """The test gateway, but while charging it looks at the database from another connection:
    is the order already committed, and can the stock rows be locked (NOWAIT) by someone else?"""

    probes: list[dict] = []

    def tokenize(self, number, expiry, cvc):
        from apps.checkout.payments import TestGateway

        return TestGateway().tokenize(number, expiry, cvc)

    def charge(self, token, amount, currency, reference):
        from django.db import DatabaseError, transaction

        from apps.checkout.payments import TestGateway

        probe = {"in_atomic_block": connection.in_atomic_block}

        def look() -> None:
            try:
                probe["order_committed"] = Order.objects.filter(number=reference).exists()
                with transaction.atomic():
                    rows = list(Stock.objects.select_for_update(nowait=True))
                probe["stock_lockable"] = bool(rows)
            except DatabaseError as error:
                probe["stock_lockable"] = f"locked: {error}"
            finally:
                connection.close()

        thread = threading.Thread(target=look)
        thread.start()
        thread.join(timeout=20)
        self.probes.append(probe)
        return TestGateway().charge(token, amount, currency, reference)


@pytest.mark.parametrize("card", ["4242 4242 4242 4242", "4000 0000 0000 0002"])
def test_gateway_is_called_outside_the_stock_locking_transaction(settings, card):
    settings.PAYMENT_GATEWAY = f"{__name__}.ProbingGateway"
    ProbingGateway.probes.clear()
    product = ProductFactory(stock=4)
    cart = cart_with((product, 3))
    result = services.complete_checkout(
        cart_id=cart.pk,
        token=uuid.uuid4(),
        details=ADDRESS,
        shipping_method="standard",
        reviewed=reviewed(cart),
        payment_token=card_token(card),
    )
    assert ProbingGateway.probes == [
        {"in_atomic_block": False, "order_committed": True, "stock_lockable": True}
    ]
    declined = card.startswith("4000")
    assert result.order.status == (Order.Status.CANCELLED if declined else Order.Status.PAID)
    # A decline gives the stock back (and leaves the cart); an approval keeps it taken.
    assert Stock.objects.get(variant__product=product).quantity == (4 if declined else 1)
    assert cart.lines.exists() is declined


def test_double_submit_of_one_checkout_through_the_view_places_one_order():
    """A shopper's impatient clicks: the same session posts the same review form five times at
    once. One order, charged once; every answer leads to it."""
    from http.cookies import SimpleCookie

    from django.test import Client

    from tests.checkout.test_checkout_views import place_form, steps

    product = ProductFactory(stock=5)
    client = Client()
    client.post("/cart/add/", {"product_id": product.pk, "quantity": 1})
    form = place_form(steps(client))
    clicks = []
    for _ in range(5):
        click = Client()
        click.cookies = SimpleCookie(client.cookies)
        clicks.append(click)
    outcomes = run_together([(lambda c=c: c.post("/checkout/place/", form)) for c in clicks])
    order = Order.objects.get()
    assert [getattr(o, "status_code", o) for o in outcomes] == [302] * 5, outcomes
    assert {o["Location"] for o in outcomes} == {order.get_absolute_url()}
    assert order.status == Order.Status.PAID
    assert Stock.objects.get(variant__product=product).quantity == 4
