"""Coupon rules, used for the cart's totals (no lock) and again by place_order (under lock)."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from apps.cart.discounts import Discount

from .models import Coupon, CouponRedemption, Order

CENT = Decimal("0.01")


class CouponRefused(Exception):
    """`str(error)` tells the shopper why the code does not apply."""


def normalise(code: str) -> str:
    return (code or "").strip().upper()[:40]


def find_coupon(code: str) -> Coupon | None:
    code = normalise(code)
    if not code or "\x00" in code:
        # No code holds a NUL byte, and PostgreSQL refuses one in a query parameter (a 500).
        return None
    return Coupon.objects.filter(code=code).first()


def customer_uses(coupon: Coupon, *, user: Any = None, email: str = "") -> int:
    """Paid or pending orders of this customer: by account, and by e-mail (normalised), so a
    guest order with the account's address counts for the account and the other way round."""
    redemptions = CouponRedemption.objects.filter(coupon=coupon).exclude(
        order__status=Order.Status.CANCELLED
    )
    who = Q()
    if user is not None and getattr(user, "is_authenticated", False):
        who |= Q(user=user)
        if user.email:
            who |= Q(email__iexact=user.email.strip())
    if email:
        who |= Q(email__iexact=email.strip())
    if not who:
        return 0
    return redemptions.filter(who).count()


def check(
    coupon: Coupon | None,
    subtotal: Decimal,
    *,
    user: Any = None,
    email: str = "",
    now: datetime | None = None,
) -> None:
    """Raise CouponRefused with a reason, or return if the coupon applies."""
    now = now or timezone.now()
    if coupon is None or not coupon.is_active:
        raise CouponRefused("This code does not exist.")
    if coupon.valid_from and now < coupon.valid_from:
        raise CouponRefused(
            f"This code is valid from {date_format(coupon.valid_from, 'DATETIME_FORMAT')}."
        )
    if coupon.valid_until and now >= coupon.valid_until:
        raise CouponRefused(
            f"This code expired on {date_format(coupon.valid_until, 'DATETIME_FORMAT')}."
        )
    if subtotal < coupon.min_subtotal:
        missing = coupon.min_subtotal - subtotal
        raise CouponRefused(
            f"This code needs a subtotal of at least {coupon.min_subtotal} (add {missing} more)."
        )
    if coupon.usage_limit is not None and coupon.times_used >= coupon.usage_limit:
        raise CouponRefused("This code has been used up.")
    if coupon.per_customer_limit is not None and (
        customer_uses(coupon, user=user, email=email) >= coupon.per_customer_limit
    ):
        raise CouponRefused("You have already used this code as often as it allows.")


def discount_amount(coupon: Coupon, subtotal: Decimal) -> Decimal:
    if coupon.kind == Coupon.Kind.PERCENT:
        amount = (subtotal * coupon.value / Decimal(100)).quantize(CENT, ROUND_HALF_UP)
    else:
        amount = coupon.value
    return min(amount, subtotal)


def label(coupon: Coupon) -> str:
    if coupon.kind == Coupon.Kind.PERCENT:
        return f"{coupon.code} ({coupon.value.normalize():f}% off)"
    return f"{coupon.code} ({coupon.value} off)"


def cart_discount(cart: Any, subtotal: Decimal, user: Any) -> Discount | None:
    """The discount provider registered with the cart (see apps.cart.discounts)."""
    coupon = find_coupon(cart.coupon_code)
    try:
        check(coupon, subtotal, user=user)
    except CouponRefused as refused:
        return Discount(Decimal("0.00"), cart.coupon_code, str(refused))
    return Discount(discount_amount(coupon, subtotal), label(coupon))
