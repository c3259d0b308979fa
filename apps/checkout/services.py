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
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q

from apps.cart import selectors as cart_selectors
from apps.cart import services as cart_services
from apps.cart.discounts import Line
from apps.cart.selectors import CartSummary
from apps.catalog import inventory as stock
from apps.catalog import products as catalog

from . import coupons, lifecycle
from .models import Coupon, CouponRedemption, Order, OrderEvent, OrderLine
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


class CartAlreadyOrdered(CheckoutError):
    step = "cart"


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


def _split_discount(
    line_totals: list[Decimal], discount: Decimal, eligible: list[bool] | None = None
) -> list[Decimal]:
    """Spread the order discount over the (eligible) lines in proportion, to the cent, summing
    exactly; a line outside a scoped coupon's scope gets nothing."""
    eligible = eligible if eligible is not None else [True] * len(line_totals)
    subtotal = sum((t for t, ok in zip(line_totals, eligible, strict=True) if ok), Decimal("0.00"))
    shares = [Decimal("0.00")] * len(line_totals)
    if not discount or not subtotal:
        return shares
    last = None
    for i, (total, ok) in enumerate(zip(line_totals, eligible, strict=True)):
        if ok:
            shares[i] = (discount * total / subtotal).quantize(CENT, ROUND_HALF_UP)
            last = i
    shares[last] += discount - sum(shares, Decimal("0.00"))
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
    """The steps, in the lock order: cart -> stock (pk order) -> coupon."""
    locked = _load_and_lock(cart_id, token)
    if isinstance(locked, Order):
        return locked, False
    applied = _apply_coupon(locked, user, details["email"])
    discount = applied.amount if applied else Decimal("0.00")
    quote = _check_quote(locked, discount, shipping_method, reviewed)
    allocations = _allocate_stock(locked)
    order = _create_order(
        locked, token, quote, applied, details, shipping_method, user, card_last4, allocations
    )
    return order, True


@dataclass
class LockedCart:
    """What place_order holds locked: the cart row and the stock rows of its variants."""

    cart: Any
    lines: list
    products: dict
    stock_rows: list

    @property
    def items(self) -> list[tuple[int, int, Decimal]]:
        """(variant_id, quantity, live unit price) per line."""
        return [
            (line.variant_id, line.quantity, self.products[line.variant_id].price)
            for line in self.lines
        ]

    @property
    def subtotal(self) -> Decimal:
        return sum((price * qty for _, qty, price in self.items), Decimal("0.00"))

    @property
    def discount_lines(self) -> list[Line]:
        return [
            Line(variant_id, self.products[variant_id].product_id, price * qty)
            for variant_id, qty, price in self.items
        ]


def _load_and_lock(cart_id: int, token: uuid.UUID) -> LockedCart | Order:
    """Lock the cart; return this checkout's order if it exists (idempotency); refuse a cart
    whose order awaits payment (one cart, one order); lock the stock rows in pk order."""
    cart = cart_selectors.lock_cart(cart_id)
    earlier = list(
        Order.objects.filter(
            Q(checkout_token=token) | Q(cart_id=cart_id, status=Order.Status.PENDING_PAYMENT)
        )
    )
    existing = next((o for o in earlier if o.checkout_token == token), None)
    if existing is not None:
        return existing
    if cart is None:
        raise EmptyCart("Your cart is empty.")
    if earlier:
        # Another session of this account placed this cart and is paying for it.
        raise CartAlreadyOrdered(
            f"This cart is already order {earlier[0].number}, which is awaiting payment. "
            "We will e-mail you once the payment is settled."
        )
    lines = cart_selectors.cart_lines(cart)
    if not lines:
        raise EmptyCart("Your cart is empty.")
    ids = [line.variant_id for line in lines]
    products = catalog.live_variants(ids)
    stock_rows = stock.lock_stock(ids)
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
    return LockedCart(cart, lines, products, stock_rows)


def _apply_coupon(locked: LockedCart, user: Any, email: str) -> coupons.Applied | None:
    """Lock the cart's coupon and re-check it, its usage counted under the lock (the same
    computation as the cart page and the review: coupons.evaluate)."""
    code = locked.cart.coupon_code
    if not code:
        return None
    coupon = coupons.with_scope(Coupon.objects.select_for_update(of=("self",))).filter(code=code)
    try:
        return coupons.evaluate(coupon.first(), locked.discount_lines, user=user, email=email)
    except coupons.CouponRefused as refused:
        raise CouponNoLongerValid(f"Coupon {code} no longer applies: {refused}") from None


def _check_quote(
    locked: LockedCart, discount: Decimal, shipping_method: str, reviewed: str
) -> Quote:
    """Nothing is charged at a price the shopper did not review."""
    quote = make_quote(locked.items, discount, shipping_method)
    if quote.fingerprint != reviewed:
        raise PriceChanged(
            "Prices or your cart changed since you reviewed it. Please check the new total.", quote
        )
    return quote


def _allocate_stock(locked: LockedCart) -> dict[int, list[list[int]]]:
    wanted = {line.variant_id: line.quantity for line in locked.lines}
    try:
        return stock.allocate(locked.stock_rows, wanted, locked.products)
    except stock.InsufficientStock as short:
        parts = []
        for pid, available in short.shortages.items():
            name = locked.products[pid].name
            parts.append(
                f"{name}: no longer available"
                if available <= 0
                else f"{name}: only {available} left"
            )
        raise OutOfStock("Not enough stock. " + "; ".join(parts) + ".") from None


def _create_order(
    locked: LockedCart,
    token: uuid.UUID,
    quote: Quote,
    applied: coupons.Applied | None,
    details: dict[str, str],
    shipping_method: str,
    user: Any,
    card_last4: str,
    allocations: dict[int, list[list[int]]],
) -> Order:
    """Write the order, its line snapshots, the coupon use and the "placed" event."""
    label, _ = SHIPPING_METHODS[shipping_method]
    coupon = applied.coupon if applied else None
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
        cart_id=locked.cart.pk,
    )
    items = locked.items
    line_totals = [price * qty for _, qty, price in items]
    eligible = None
    if applied is not None and applied.eligible is not None:
        eligible = [variant_id in applied.eligible for variant_id, _, _ in items]
    shares = _split_discount(line_totals, quote.discount, eligible)
    snapshots = catalog.order_snapshot([line.variant_id for line in locked.lines])
    order_lines = []
    for line, line_total, share in zip(locked.lines, line_totals, shares, strict=True):
        variant = locked.products[line.variant_id]
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
            coupon=coupon, order=order, user=user, email=details["email"].strip().lower()
        )
    lifecycle.record(
        order,
        OrderEvent.Kind.PLACED,
        actor=OrderEvent.Actor.CUSTOMER,
        user=user,
        amount=order.total,
    )
    return order


# --- cart writes of checkout (views never write the cart themselves) ---------------------------


def apply_coupon(cart: Any, code: str, user: Any) -> Coupon:
    """Put a coupon on the cart if it applies now; raises coupons.CouponRefused with why."""
    summary = cart_selectors.cart_summary(cart, user)
    coupon = coupons.find_coupon(code)
    coupons.evaluate(coupon, cart_selectors.discount_lines(summary), user=user)
    cart_services.set_coupon_code(cart, coupon.code)
    return coupon


def remove_coupon(cart: Any) -> None:
    """Take the coupon off (the shopper asked, or it no longer applied at placement)."""
    cart_services.set_coupon_code(cart, "")


def cancel_order(order: Order, reason: str) -> None:
    """Cancel an unpaid order (a decline in front of the shopper), giving back its stock and its
    coupon use, atomically. Nothing is e-mailed: the shopper is looking at the answer."""
    lifecycle.cancel_unpaid(order.pk, reason, actor=OrderEvent.Actor.GATEWAY, notify=False)
    order.refresh_from_db(fields=["status", "payment_message"])


class PaymentUnavailable(CheckoutError):
    """The gateway failed to answer (it raised): the order stays awaiting payment, its stock held,
    because a timed-out charge may still have gone through. Reconciliation asks the gateway
    later and then pays or cancels the order, and e-mails the shopper either way."""

    def __init__(self, order: Order) -> None:
        super().__init__(
            f"We could not reach the payment provider, so order {order.number} is not confirmed "
            "and is awaiting payment. We will e-mail you once the payment is settled; if it "
            "fails, nothing is charged and the order is cancelled."
        )
        self.order = order


def pay_order(order: Order, payment_token: str) -> ChargeResult:
    """Charge outside any transaction; then mark paid, wait for confirmation, or cancel and
    restock on a decline."""
    try:
        result = get_gateway().charge(payment_token, order.total, order.currency, order.number)
    except Exception as error:
        logger.exception("payment gateway failed for order %s", order.number)
        lifecycle.record_payment_pending(
            order.pk, reference="", message="The payment provider did not answer in time."
        )
        raise PaymentUnavailable(order) from error
    if result.approved and lifecycle.mark_paid(
        order.pk,
        reference=result.reference,
        amount=order.total,
        actor=OrderEvent.Actor.GATEWAY,
        message=result.message,
        placed=order,
    ):
        order.status = Order.Status.PAID
        order.payment_reference = result.reference
        order.payment_message = result.message
        return result
    if result.pending:
        lifecycle.record_payment_pending(
            order.pk, reference=result.reference, message=result.message
        )
    elif not result.approved:
        cancel_order(order, result.message)
    order.refresh_from_db(fields=["status", "payment_reference", "payment_message"])
    return result


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
    return CheckoutResult(order, True, charge)


ANONYMISED_NAME = "Anonymised customer"
ANONYMISED_EMAIL = "anonymised@invalid.example"


@transaction.atomic
def anonymise_orders(user) -> int:
    """A deleted account's orders stay (the shop's records) without the person: name, contact
    and street are blanked, the country and everything bought are kept. Returns how many."""
    CouponRedemption.objects.filter(user=user).update(user=None, email=ANONYMISED_EMAIL)
    return Order.objects.filter(user=user).update(
        user=None,
        email=ANONYMISED_EMAIL,
        full_name=ANONYMISED_NAME,
        phone="",
        address_line1="",
        address_line2="",
        city="",
        postal_code="",
    )
