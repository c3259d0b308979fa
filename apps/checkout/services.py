"""Placing an order: the one place where the shop can oversell, overcharge or charge twice.

`place_order` runs in one transaction: the cart row locked (one checkout of a cart at a time),
the order looked up by checkout token (idempotency), live prices re-read, the variants' stock
rows locked in primary-key order (catalog.inventory), the coupon locked and re-checked with its
usage counted, snapshots written, stock decremented. Lock order everywhere: cart -> stock (pk
order) -> coupon; cancelling takes order -> stock -> coupon. The payment gateway is called after
that transaction has committed; a decline cancels the order and returns stock and coupon use in
one transaction.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from apps.cart import selectors as cart_selectors
from apps.cart import services as cart_services
from apps.cart.selectors import CartSummary
from apps.catalog import inventory as stock
from apps.catalog import products as catalog

from . import coupons
from .models import Coupon, CouponRedemption, Order, OrderLine
from .payments import ChargeResult, get_gateway

logger = logging.getLogger(__name__)
CENT = Decimal("0.01")

SHIPPING_METHODS: dict[str, tuple[str, Decimal]] = {
    "standard": ("Standard delivery (3–5 days)", Decimal("4.90")),
    "express": ("Express delivery (next day)", Decimal("12.90")),
    "pickup": ("Pick up in store", Decimal("0.00")),
}


class CheckoutError(Exception):
    """`str(error)` is shown to the shopper; `step` is where they can fix it."""

    step = "review"


class EmptyCart(CheckoutError):
    step = "cart"


class OutOfStock(CheckoutError):
    step = "cart"


class CouponNoLongerValid(CheckoutError):
    pass


class PriceChanged(CheckoutError):
    def __init__(self, message: str, quote: Quote) -> None:
        super().__init__(message)
        self.quote = quote


@dataclass(frozen=True)
class Quote:
    """What the shopper is asked to pay, and a fingerprint of everything that decides it."""

    subtotal: Decimal
    discount: Decimal
    shipping: Decimal
    total: Decimal
    fingerprint: str


def make_quote(
    items: list[tuple[int, int, Decimal]], discount: Decimal, shipping_method: str
) -> Quote:
    """`items` are (variant_id, quantity, unit_price)."""
    subtotal = sum((price * qty for _, qty, price in items), Decimal("0.00"))
    shipping = SHIPPING_METHODS.get(shipping_method, ("", Decimal("0.00")))[1]
    total = max(subtotal - discount, Decimal("0.00")) + shipping
    fingerprint = ";".join(f"{pid}x{qty}@{price}" for pid, qty, price in sorted(items))
    fingerprint += f"|d{discount}|s{shipping}|t{total}"
    return Quote(subtotal, discount, shipping, total, fingerprint)


def quote_summary(summary: CartSummary, shipping_method: str) -> Quote:
    items = [(s.line.variant_id, s.quantity, s.unit_price) for s in summary.lines if s.available]
    return make_quote(items, summary.discount, shipping_method)


def _split_discount(line_totals: list[Decimal], discount: Decimal) -> list[Decimal]:
    """Spread the order discount over the lines in proportion, to the cent, summing exactly."""
    subtotal = sum(line_totals, Decimal("0.00"))
    if not discount or not subtotal:
        return [Decimal("0.00")] * len(line_totals)
    shares = [(discount * t / subtotal).quantize(CENT, ROUND_HALF_UP) for t in line_totals]
    shares[-1] += discount - sum(shares, Decimal("0.00"))
    return shares


def place_order(
    *,
    cart_id: int,
    token: uuid.UUID,
    details: dict[str, str],
    shipping_method: str,
    reviewed: str,
    user: Any = None,
    card_last4: str = "",
) -> tuple[Order, bool]:
    """Create the order (status pending payment) or return the one this token already made.

    Returns (order, created). Raises EmptyCart, OutOfStock, CouponNoLongerValid or
    PriceChanged and then writes nothing.
    """
    user = user if user is not None and getattr(user, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            return _place_order_locked(
                cart_id, token, details, shipping_method, reviewed, user, card_last4
            )
    except IntegrityError:
        # The checkout_token is unique: a concurrent submit of this checkout won.
        existing = Order.objects.filter(checkout_token=token).first()
        if existing is None:
            raise
        return existing, False


def _place_order_locked(
    cart_id: int,
    token: uuid.UUID,
    details: dict[str, str],
    shipping_method: str,
    reviewed: str,
    user: Any,
    card_last4: str,
) -> tuple[Order, bool]:
    cart = cart_selectors.lock_cart(cart_id)
    existing = Order.objects.filter(checkout_token=token).first()
    if existing is not None:
        return existing, False
    if cart is None:
        raise EmptyCart("Your cart is empty.")
    lines = cart_selectors.cart_lines(cart)
    if not lines:
        raise EmptyCart("Your cart is empty.")
    ids = [line.variant_id for line in lines]
    products = catalog.live_variants(ids)
    locked_rows = stock.lock_stock(ids)
    gone = [
        line
        for line in lines
        if line.variant_id not in products or not products[line.variant_id].is_active
    ]
    if gone:
        names = ", ".join(products[g.variant_id].name for g in gone if g.variant_id in products)
        raise OutOfStock(
            f"No longer available: {names or 'an item'}. Please remove it from your cart."
        )
    wanted = {line.variant_id: line.quantity for line in lines}
    items = [(line.variant_id, line.quantity, products[line.variant_id].price) for line in lines]
    subtotal = sum((price * qty for _, qty, price in items), Decimal("0.00"))

    coupon: Coupon | None = None
    discount = Decimal("0.00")
    if cart.coupon_code:
        coupon = Coupon.objects.select_for_update().filter(code=cart.coupon_code).first()
        try:
            coupons.check(coupon, subtotal, user=user, email=details["email"])
        except coupons.CouponRefused as refused:
            raise CouponNoLongerValid(
                f"Coupon {cart.coupon_code} no longer applies: {refused}"
            ) from None
        discount = coupons.discount_amount(coupon, subtotal)

    quote = make_quote(items, discount, shipping_method)
    if quote.fingerprint != reviewed:
        raise PriceChanged(
            "Prices or your cart changed since you reviewed it. Please check the new total.", quote
        )

    try:
        allocations = stock.allocate(locked_rows, wanted, products)
    except stock.InsufficientStock as short:
        parts = []
        for pid, available in short.shortages.items():
            name = products[pid].name
            parts.append(
                f"{name}: no longer available"
                if available <= 0
                else f"{name}: only {available} left"
            )
        raise OutOfStock("Not enough stock. " + "; ".join(parts) + ".") from None

    label, shipping_cost = SHIPPING_METHODS[shipping_method]
    order = Order.objects.create(
        checkout_token=token,
        user=user,
        email=details["email"],
        full_name=details["full_name"],
        phone=details.get("phone", ""),
        address_line1=details["address_line1"],
        address_line2=details.get("address_line2", ""),
        city=details["city"],
        postal_code=details["postal_code"],
        country=details["country"],
        shipping_method=shipping_method,
        shipping_method_name=label,
        currency=settings.SHOP_CURRENCY,
        subtotal=quote.subtotal,
        discount_total=quote.discount,
        shipping_total=quote.shipping,
        total=quote.total,
        coupon_code=coupon.code if coupon else "",
        card_last4=card_last4,
    )
    line_totals = [price * qty for _, qty, price in items]
    shares = _split_discount(line_totals, discount)
    snapshots = catalog.order_snapshot(ids)
    order_lines = []
    for line, line_total, share in zip(lines, line_totals, shares, strict=True):
        variant = products[line.variant_id]
        order_lines.append(
            OrderLine(
                order=order,
                product_id=variant.product_id,
                variant_id=variant.pk,
                sku=variant.sku,
                name=variant.name,
                attributes=snapshots.get(variant.pk, {}),
                unit_price=variant.price,
                quantity=line.quantity,
                line_total=line_total,
                discount=share,
                allocations=allocations.get(line.variant_id, []),
            )
        )
    OrderLine.objects.bulk_create(order_lines)
    order.line_list = order_lines
    if coupon is not None:
        Coupon.objects.filter(pk=coupon.pk).update(times_used=F("times_used") + 1)
        CouponRedemption.objects.create(
            coupon=coupon, order=order, user=user, email=details["email"]
        )
    return order, True


def cancel_order(order: Order, reason: str) -> None:
    """Cancel an unpaid order, giving back its stock and its coupon use, atomically."""
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status != Order.Status.PENDING_PAYMENT:
            return
        allocations = [
            allocation
            for line_allocations in OrderLine.objects.filter(order=locked).values_list(
                "allocations", flat=True
            )
            for allocation in line_allocations
        ]
        stock.restock(allocations)
        redemption = CouponRedemption.objects.filter(order=locked).first()
        if redemption is not None:
            Coupon.objects.filter(pk=redemption.coupon_id, times_used__gt=0).update(
                times_used=F("times_used") - 1
            )
            redemption.delete()
        locked.status = Order.Status.CANCELLED
        locked.payment_message = reason[:200]
        locked.save(update_fields=["status", "payment_message", "updated_at"])
    order.status = locked.status
    order.payment_message = locked.payment_message


class PaymentUnavailable(CheckoutError):
    """The gateway failed to answer (it raised): the order stays awaiting payment, its stock held,
    because a timed-out charge may still have gone through; nothing is confirmed to the shopper
    and cancel_unpaid_orders returns the stock if the payment never completes."""

    def __init__(self, order: Order) -> None:
        super().__init__(
            f"We could not reach the payment provider, so order {order.number} is not confirmed "
            "and is awaiting payment. We will e-mail you once the payment is settled; if it "
            "fails, nothing is charged and the order is cancelled."
        )
        self.order = order


def pay_order(order: Order, payment_token: str) -> ChargeResult:
    """Charge outside any transaction; mark paid, or cancel and restock on a decline."""
    try:
        result = get_gateway().charge(payment_token, order.total, order.currency, order.number)
    except Exception as error:
        logger.exception("payment gateway failed for order %s", order.number)
        raise PaymentUnavailable(order) from error
    if result.approved:
        Order.objects.filter(pk=order.pk, status=Order.Status.PENDING_PAYMENT).update(
            status=Order.Status.PAID,
            payment_reference=result.reference,
            payment_message=result.message,
            updated_at=timezone.now(),
        )
        order.status = Order.Status.PAID
        order.payment_reference = result.reference
    else:
        cancel_order(order, result.message)
    return result


def send_confirmation(order: Order) -> None:
    """E-mail the order summary; a mail outage must not undo a paid order."""
    context = {
        "order": order,
        "lines": getattr(order, "line_list", None) or list(order.lines.all()),
    }
    body = render_to_string("checkout/email/confirmation.txt", context)
    try:
        send_mail(
            f"Your {settings.SHOP_NAME} order {order.number}",
            body,
            settings.DEFAULT_FROM_EMAIL,
            [order.email],
        )
    except Exception:  # noqa: BLE001 - logged; the order stands
        logger.exception("confirmation e-mail for %s failed", order.number)


@dataclass(frozen=True)
class CheckoutResult:
    order: Order
    created: bool
    charge: ChargeResult | None


def complete_checkout(
    *,
    cart_id: int,
    token: uuid.UUID,
    details: dict[str, str],
    shipping_method: str,
    reviewed: str,
    payment_token: str,
    card_last4: str = "",
    user: Any = None,
) -> CheckoutResult:
    """place_order, then charge once: only the submit that created the order pays for it."""
    order, created = place_order(
        cart_id=cart_id,
        token=token,
        details=details,
        shipping_method=shipping_method,
        reviewed=reviewed,
        user=user,
        card_last4=card_last4,
    )
    if not created:
        return CheckoutResult(order, False, None)
    charge = pay_order(order, payment_token)
    if charge.approved:
        cart_services.clear_cart(
            cart_id, {line.variant_id: line.quantity for line in order.line_list}
        )
        send_confirmation(order)
    return CheckoutResult(order, True, charge)


def cancel_stale_orders(older_than_minutes: int = 30) -> int:
    """Cancel orders left awaiting payment (a worker died between placing and charging), so
    their stock and coupon uses return to the shop. Run it from cron."""
    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    stale = Order.objects.filter(status=Order.Status.PENDING_PAYMENT, created_at__lt=cutoff)
    count = 0
    for order in stale.order_by("pk").iterator():
        cancel_order(order, "Payment was not completed in time.")
        count += order.status == Order.Status.CANCELLED
    return count
