"""Issue 17 in checkout: coupon codes and per-customer limits (items 4, 6), one cart one order
(item 10)."""

from __future__ import annotations

import uuid

import pytest

from apps.checkout import services
from apps.checkout.models import Coupon, Order
from tests.checkout.factories import ADDRESS, CouponFactory, card_token, cart_with, reviewed
from tests.checkout.test_place_order_service import checkout
from tests.factories import ProductFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_adding_a_coupon_whose_code_differs_only_in_case_is_a_form_error(client):
    CouponFactory(code="SUMMER10")
    client.force_login(StaffFactory(is_superuser=True))
    response = client.post(
        "/admin/checkout/coupon/add/",
        {"code": " summer10 ", "kind": "percent", "value": "10", "min_subtotal": "0"},
    )
    assert response.status_code == 200
    assert "Coupon with this Code already exists." in response.content.decode()
    assert list(Coupon.objects.values_list("code", flat=True)) == ["SUMMER10"]
    created = client.post(
        "/admin/checkout/coupon/add/",
        {"code": "winter5", "kind": "percent", "value": "5", "min_subtotal": "0"},
    )
    assert created.status_code == 302 and Coupon.objects.filter(code="WINTER5").exists()


def test_one_per_customer_counts_a_guest_order_with_the_accounts_email():
    CouponFactory(code="ONCE", per_customer_limit=1)
    user = UserFactory(email="ada@example.com")
    product = ProductFactory(stock=5)
    # First as a guest, with the account's address (in other case).
    guest = cart_with((product, 1), coupon_code="ONCE")
    services.complete_checkout(
        cart_id=guest.pk,
        token=uuid.uuid4(),
        details={**ADDRESS, "email": " Ada@Example.com"},
        shipping_method="standard",
        reviewed=reviewed(guest),
        payment_token=card_token(),
    )
    # Then signed in: the code is refused, in the cart and when placing the order.
    with pytest.raises(services.CouponNoLongerValid, match="already used"):
        checkout(cart_with((product, 1), user=user, coupon_code="ONCE"), user=user)


def test_one_per_customer_counts_the_account_when_ordering_as_a_guest():
    CouponFactory(code="ONCE", per_customer_limit=1)
    user = UserFactory(email="ada@example.com")
    product = ProductFactory(stock=5)
    checkout(cart_with((product, 1), user=user, coupon_code="ONCE"), user=user)
    with pytest.raises(services.CouponNoLongerValid, match="already used"):
        checkout(cart_with((product, 1), coupon_code="ONCE"))


def test_one_cart_becomes_at_most_one_order_across_sessions():
    """Issue 17, item 10: the same account in two sessions, one cart: the second checkout is
    refused while the first order awaits payment, and nothing is charged twice."""
    user = UserFactory()
    product = ProductFactory(stock=10)
    cart = cart_with((product, 2), user=user)
    first, created = services.place_order(
        cart_id=cart.pk,
        token=uuid.uuid4(),
        details=ADDRESS,
        shipping_method="standard",
        reviewed=reviewed(cart, user=user),
        user=user,
    )
    assert created
    with pytest.raises(services.CartAlreadyOrdered, match=first.number):
        checkout(cart, user=user)
    assert Order.objects.count() == 1
