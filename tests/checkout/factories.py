"""Factories and helpers for cart and checkout tests."""

from __future__ import annotations

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from apps.cart.models import Cart, CartLine
from apps.cart.selectors import cart_summary
from apps.catalog.models import Variant
from apps.checkout.models import Coupon
from apps.checkout.payments import TestGateway
from apps.checkout.services import quote_summary
from tests.factories import VariantFactory, variant_of

APPROVE = "4242 4242 4242 4242"
DECLINE = "4000 0000 0000 0002"

ADDRESS = {
    "email": "ada@example.com",
    "full_name": "Ada Lovelace",
    "phone": "",
    "address_line1": "1 Analytical Way",
    "address_line2": "",
    "postal_code": "10115",
    "city": "Berlin",
    "country": "DE",
}


class CartFactory(DjangoModelFactory):
    class Meta:
        model = Cart


class CartLineFactory(DjangoModelFactory):
    class Meta:
        model = CartLine

    cart = factory.SubFactory(CartFactory)
    variant = factory.SubFactory(VariantFactory)
    quantity = 1


class CouponFactory(DjangoModelFactory):
    class Meta:
        model = Coupon
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"SAVE{n}")
    kind = Coupon.Kind.PERCENT
    value = Decimal("10")


def cart_with(*items: tuple, user=None, coupon_code: str = "") -> Cart:
    """cart_with((product, 2), (other, 1)): a product without options, or a Variant."""
    cart = Cart.objects.create(user=user, coupon_code=coupon_code)
    for item, quantity in items:
        variant = item if isinstance(item, Variant) else variant_of(item)
        CartLine.objects.create(cart=cart, variant=variant, quantity=quantity)
    return cart


def reviewed(cart: Cart, shipping: str = "standard", user=None) -> str:
    """The fingerprint the review step records for this cart right now."""
    return quote_summary(cart_summary(cart, user), shipping).fingerprint


def card_token(number: str = APPROVE) -> str:
    return TestGateway().tokenize(number, "12/40", "123").token


ASYNC = "4000 0000 0000 3220"  # confirmed later by webhook
TIMEOUT_CHARGED = "4000 0000 0000 0119"  # the gateway times out, the charge went through
TIMEOUT_NOT_CHARGED = "4000 0000 0000 0127"  # the gateway times out, nothing charged


def staff_with_order_group(**kwargs):
    """A staff user in the "Order staff" group (created by post_migrate)."""
    from django.contrib.auth.models import Group

    from apps.checkout.permissions import ORDER_STAFF
    from tests.factories import StaffFactory

    user = StaffFactory(**kwargs)
    user.groups.add(Group.objects.get(name=ORDER_STAFF))
    return user
