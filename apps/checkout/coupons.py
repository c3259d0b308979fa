"""Coupon rules, used for the cart's totals (no lock) and again by place_order (under lock)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format

from apps.cart.discounts import Discount, Line
from apps.catalog import products as catalog

from .models import Coupon, CouponRedemption, Order

CENT = Decimal("0.01")


class CouponRefused(Exception):
    """`str(error)` tells the shopper why the code does not apply."""


def normalise(code: str) -> str:
    return (code or "").strip().upper()[:40]


def with_scope(coupons: QuerySet[Coupon]) -> QuerySet[Coupon]:
    """Annotate whether each coupon has a product or category scope (no extra query)."""
    return coupons.annotate(
        has_product_scope=Exists(Coupon.products.through.objects.filter(coupon_id=OuterRef("pk"))),
        has_category_scope=Exists(
            Coupon.categories.through.objects.filter(coupon_id=OuterRef("pk"))
        ),
    )


def find_coupon(code: str) -> Coupon | None:
    code = normalise(code)
    if not code or "\x00" in code:
        # No code holds a NUL byte, and PostgreSQL refuses one in a query parameter (a 500).
        return None
    return with_scope(Coupon.objects.filter(code=code)).first()


def is_scoped(coupon: Coupon) -> bool:
    if not hasattr(coupon, "has_product_scope"):
        # Not loaded through with_scope(): ask (2 small queries).
        coupon.has_product_scope = coupon.products.exists()
        coupon.has_category_scope = coupon.categories.exists()
    return coupon.has_product_scope or coupon.has_category_scope


def _scope_ids(coupon: Coupon) -> dict[str, QuerySet]:
    return {
        "products": Coupon.products.through.objects.filter(coupon_id=coupon.pk).values(
            "product_id"
        ),
        "categories": Coupon.categories.through.objects.filter(coupon_id=coupon.pk).values(
            "category_id"
        ),
    }


def scope_label(coupon: Coupon) -> str:
    """ "Boots", "Boots or Trail runner": what a scoped coupon applies to (refusals only)."""
    names = catalog.scope_names(**_scope_ids(coupon))
    if len(names) > 1:
        return ", ".join(names[:-1]) + " or " + names[-1]
    return names[0] if names else "selected products"


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


@dataclass(frozen=True)
class Applied:
    """A coupon that applies: its discount, and the cart lines (variant ids) it is spread over
    (None: every line)."""

    coupon: Coupon
    amount: Decimal
    eligible: frozenset[int] | None = None


def evaluate(
    coupon: Coupon | None,
    lines: list[Line],
    *,
    user: Any = None,
    email: str = "",
    now: datetime | None = None,
) -> Applied:
    """The one computation of a coupon, for the cart page, the review and place_order: raise
    CouponRefused with a reason, or return the discount. A scoped coupon counts only the lines
    whose product is in its scope (+1 query), for `min_subtotal` and for the amount."""
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
    eligible: frozenset[int] | None = None
    if is_scoped(coupon):
        products = catalog.in_scope({line.product_id for line in lines}, **_scope_ids(coupon))
        lines = [line for line in lines if line.product_id in products]
        eligible = frozenset(line.variant_id for line in lines)
        if not lines:
            raise CouponRefused(f"{coupon.code} applies to {scope_label(coupon)} only.")
    subtotal = sum((line.total for line in lines), Decimal("0.00"))
    if subtotal < coupon.min_subtotal:
        missing = coupon.min_subtotal - subtotal
        on = f" on {scope_label(coupon)}" if eligible is not None else ""
        raise CouponRefused(
            f"This code needs a subtotal of at least {coupon.min_subtotal}{on} "
            f"(add {missing} more)."
        )
    if coupon.usage_limit is not None and coupon.times_used >= coupon.usage_limit:
        raise CouponRefused("This code has been used up.")
    if coupon.per_customer_limit is not None and (
        customer_uses(coupon, user=user, email=email) >= coupon.per_customer_limit
    ):
        raise CouponRefused("You have already used this code as often as it allows.")
    return Applied(coupon, discount_amount(coupon, subtotal), eligible)


def discount_amount(coupon: Coupon, subtotal: Decimal) -> Decimal:
    """Percent of, or a fixed amount capped at, the (eligible) subtotal."""
    if coupon.kind == Coupon.Kind.PERCENT:
        amount = (subtotal * coupon.value / Decimal(100)).quantize(CENT, ROUND_HALF_UP)
    else:
        amount = coupon.value
    return min(amount, subtotal)


def label(coupon: Coupon) -> str:
    if coupon.kind == Coupon.Kind.PERCENT:
        return f"{coupon.code} ({coupon.value.normalize():f}% off)"
    return f"{coupon.code} ({coupon.value} off)"


def cart_discount(cart: Any, lines: list[Line], user: Any) -> Discount | None:
    """The discount provider registered with the cart (see apps.cart.discounts)."""
    coupon = find_coupon(cart.coupon_code)
    try:
        applied = evaluate(coupon, lines, user=user)
    except CouponRefused as refused:
        return Discount(Decimal("0.00"), cart.coupon_code, str(refused))
    return Discount(applied.amount, label(coupon))
