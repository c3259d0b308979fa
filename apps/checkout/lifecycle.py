"""An order's life after placement: payment, shipping, delivery, cancellation, refunds.

Every transition is one function here, one transaction, guarded by the order's row lock
(`SELECT … FOR UPDATE`) and recorded as an `OrderEvent` (who, when, what, how much). Whatever
it must tell the shopper is enqueued as a task in the same transaction, so a rolled-back
transition sends nothing and a committed one sends exactly once.

Lock order: order -> order lines (pk order) -> cart -> stock (pk order) -> coupon, compatible
with place_order's cart -> stock -> coupon (place_order never locks an order row).

Guards say in words why a transition is impossible (`TransitionRefused`): no shipping a
cancelled or unpaid order, no refunding more than was paid; a repeated refund submit carries
the same idempotency key and finds the first refund instead of making a second.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.cart import services as cart_services
from apps.catalog import inventory as stock

from . import emails
from .models import Coupon, CouponRedemption, Order, OrderEvent, OrderLine
from .payments import get_gateway
from .shipping import CARRIERS, carrier_name

Status = Order.Status
Kind = OrderEvent.Kind
Actor = OrderEvent.Actor


class TransitionRefused(Exception):
    """`str(error)` says why, for staff in the admin or the shopper."""


def _staff(user: Any) -> dict:
    return {"actor": Actor.STAFF, "user": user if getattr(user, "pk", None) else None}


def _lock(order_id: int) -> Order:
    return Order.objects.select_for_update().get(pk=order_id)


def record(
    order: Order,
    kind: str,
    *,
    actor: str = Actor.SYSTEM,
    user: Any = None,
    amount: Decimal | None = None,
    message: str = "",
    data: dict | None = None,
    internal: bool = False,
    key: str | None = None,
) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order,
        kind=kind,
        actor=actor,
        user=user,
        amount=amount,
        message=message[:500],
        data=data or {},
        internal=internal,
        idempotency_key=key,
    )


# --- payment ---------------------------------------------------------------------------------


def mark_paid(
    order_id: int,
    *,
    reference: str,
    amount: Decimal,
    actor: str,
    message: str = "",
    placed: Order | None = None,
) -> bool:
    """Awaiting payment -> paid, once: a webhook, the checkout and reconciliation may all learn
    of one payment, and only the first makes the transition (the others return False). The
    guard is one conditional UPDATE, which takes the row lock and re-checks the status after
    any concurrent transition committed.

    The ordered units leave the cart in the same transaction, so the cart cannot become a
    second order in between. `placed` is the order just placed (with `line_list`), which
    spares reading it again."""
    with transaction.atomic():
        won = Order.objects.filter(pk=order_id, status=Status.PENDING_PAYMENT).update(
            status=Status.PAID,
            paid_total=amount,
            paid_at=timezone.now(),
            payment_reference=reference,
            payment_message=(message or "Approved.")[:200],
            updated_at=timezone.now(),
        )
        if not won:
            order = Order.objects.get(pk=order_id)
            if order.status == Status.CANCELLED and not order.paid_total:
                # Money arrived for an order already given up: staff must refund it by hand.
                record(
                    order,
                    Kind.NOTE,
                    actor=actor,
                    amount=amount,
                    internal=True,
                    message=f"Payment {reference} succeeded after the order was cancelled: "
                    "refund it in the payment provider's dashboard.",
                    data={"reference": reference},
                )
            return False
        if placed is not None and hasattr(placed, "line_list"):
            order, lines = placed, [(line.variant_id, line.quantity) for line in placed.line_list]
        else:
            order = Order.objects.get(pk=order_id)
            lines = list(order.lines.values_list("variant_id", "quantity"))
        record(order, Kind.PAID, actor=actor, amount=amount, data={"reference": reference})
        if order.cart_id is not None:
            ordered: dict[int, int] = {}
            for variant_id, quantity in lines:
                if variant_id is not None:
                    ordered[variant_id] = ordered.get(variant_id, 0) + quantity
            cart_services.clear_cart(order.cart_id, ordered)
        emails.notify(order, emails.PAID)
    return True


def record_payment_pending(order_id: int, *, reference: str, message: str) -> None:
    """The gateway accepted the payment but confirms later, or did not answer at all."""
    with transaction.atomic():
        order = _lock(order_id)
        if order.status != Status.PENDING_PAYMENT:
            return
        if reference:
            order.payment_reference = reference
        order.payment_message = message[:200]
        order.save(update_fields=["payment_reference", "payment_message", "updated_at"])
        record(order, Kind.PAYMENT_PENDING, actor=Actor.GATEWAY, message=message)
        emails.notify(order, emails.RECEIVED)


def _return_stock_and_coupon(order: Order) -> None:
    allocations = [
        allocation
        for line_allocations in OrderLine.objects.filter(order=order).values_list(
            "allocations", flat=True
        )
        for allocation in line_allocations
    ]
    stock.restock(allocations)
    redemption = CouponRedemption.objects.filter(order=order).first()
    if redemption is not None:
        Coupon.objects.filter(pk=redemption.coupon_id, times_used__gt=0).update(
            times_used=F("times_used") - 1
        )
        redemption.delete()


def cancel_unpaid(order_id: int, reason: str, *, actor: str, notify: bool) -> bool:
    """Awaiting payment -> cancelled: stock and coupon use return. False if not awaiting payment.
    Only call it once the gateway has said the payment did not (and will not) succeed."""
    with transaction.atomic():
        order = _lock(order_id)
        if order.status != Status.PENDING_PAYMENT:
            return False
        _return_stock_and_coupon(order)
        order.status = Status.CANCELLED
        order.payment_message = reason[:200]
        order.save(update_fields=["status", "payment_message", "updated_at"])
        record(order, Kind.CANCELLED, actor=actor, message=reason, data={"restocked": True})
        if notify:
            emails.notify(order, emails.CANCELLED)
    return True


# --- staff operations ------------------------------------------------------------------------


def cancel(order_id: int, *, user: Any, reason: str = "") -> Order:
    """Staff cancel an order that has not shipped: stock returns, a paid amount is refunded."""
    with transaction.atomic():
        order = _lock(order_id)
        if order.status == Status.CANCELLED:
            raise TransitionRefused(f"Order {order.number} is already cancelled.")
        if order.status not in (Status.PENDING_PAYMENT, Status.PAID):
            raise TransitionRefused(
                f"Order {order.number} is {order.get_status_display().lower()}: only an order "
                "that has not shipped can be cancelled."
            )
        if order.status == Status.PENDING_PAYMENT:
            try:
                state = get_gateway().status(order.number).state
            except Exception as error:  # noqa: BLE001 - any gateway failure: ask again later
                raise TransitionRefused(
                    "The payment provider did not answer, so we cannot tell whether this order "
                    "was paid: nothing was changed, try again later."
                ) from error
            if state in ("succeeded", "pending"):
                raise TransitionRefused(
                    f"The payment provider reports the payment of {order.number} as {state}: "
                    "wait for it to settle, then cancel (it will be refunded)."
                )
        if order.refundable > 0:
            _refund_locked(
                order,
                lines={},
                shipping=False,
                amount=order.refundable,
                key=f"cancel-{order.pk}",
                user=user,
                reason="Order cancelled.",
                notify=False,
            )
        _return_stock_and_coupon(order)
        order.status = Status.CANCELLED
        order.payment_message = (reason or "Cancelled by the shop.")[:200]
        order.save(update_fields=["status", "payment_message", "updated_at"])
        record(order, Kind.CANCELLED, message=reason, data={"restocked": True}, **_staff(user))
        emails.notify(order, emails.CANCELLED)
    return order


def ship(
    order_id: int, *, lines: dict[int, int], carrier: str, tracking_number: str, user: Any
) -> OrderEvent:
    """Ship `lines` ({order_line_id: quantity}) with a tracking number: paid -> (partially)
    shipped."""
    tracking_number = tracking_number.strip()
    if carrier not in CARRIERS:
        raise TransitionRefused("Choose a carrier.")
    if not tracking_number:
        raise TransitionRefused("Enter the tracking number.")
    with transaction.atomic():
        order = _lock(order_id)
        if order.status == Status.CANCELLED:
            raise TransitionRefused(f"Order {order.number} is cancelled: it cannot be shipped.")
        if order.status == Status.PENDING_PAYMENT:
            raise TransitionRefused(f"Order {order.number} is not paid yet: it cannot be shipped.")
        if order.status not in (Status.PAID, Status.PARTIALLY_SHIPPED):
            raise TransitionRefused(
                f"Order {order.number} is {order.get_status_display().lower()}: "
                "nothing is left to ship."
            )
        order_lines = {
            line.pk: line
            for line in OrderLine.objects.filter(order=order).order_by("pk").select_for_update()
        }
        chosen = {pk: qty for pk, qty in lines.items() if qty}
        if not chosen:
            raise TransitionRefused("Choose at least one line to ship.")
        for pk, quantity in chosen.items():
            line = order_lines.get(pk)
            if line is None:
                raise TransitionRefused("That line is not part of this order.")
            left = line.quantity - line.quantity_shipped - line.quantity_refunded
            if quantity < 0 or quantity > left:
                raise TransitionRefused(f"{line.name}: only {left} left to ship.")
        for pk, quantity in chosen.items():
            order_lines[pk].quantity_shipped += quantity
        OrderLine.objects.bulk_update([order_lines[pk] for pk in chosen], ["quantity_shipped"])
        complete = all(
            line.quantity_shipped + line.quantity_refunded >= line.quantity
            for line in order_lines.values()
        )
        order.status = Status.SHIPPED if complete else Status.PARTIALLY_SHIPPED
        order.save(update_fields=["status", "updated_at"])
        event = record(
            order,
            Kind.SHIPPED,
            message=f"{carrier_name(carrier)} {tracking_number}",
            data={
                "carrier": carrier,
                "carrier_name": carrier_name(carrier),
                "tracking_number": tracking_number,
                "lines": {
                    str(pk): {"name": order_lines[pk].name, "quantity": qty}
                    for pk, qty in chosen.items()
                },
            },
            **_staff(user),
        )
        emails.notify(order, emails.SHIPPED, event)
    return event


def deliver(order_id: int, *, user: Any) -> OrderEvent:
    with transaction.atomic():
        order = _lock(order_id)
        if order.status != Status.SHIPPED:
            raise TransitionRefused(
                f"Order {order.number} is {order.get_status_display().lower()}: only a shipped "
                "order can be marked delivered."
            )
        order.status = Status.DELIVERED
        order.save(update_fields=["status", "updated_at"])
        return record(order, Kind.DELIVERED, **_staff(user))


def refund(
    order_id: int,
    *,
    lines: dict[int, int],
    shipping: bool,
    key: str,
    user: Any,
    reason: str = "",
) -> OrderEvent:
    """Refund line quantities ({order_line_id: quantity}) and/or the shipping through the
    gateway. Idempotent by `key` (the form's, fixed when it was shown): a double click or a
    replayed request returns the first refund's event and moves no money."""
    if not key or len(key) > 64:
        raise TransitionRefused("This refund form is not valid: open the order again.")
    with transaction.atomic():
        order = _lock(order_id)
        done = OrderEvent.objects.filter(idempotency_key=key).first()
        if done is not None:
            return done
        if not order.paid_total:
            raise TransitionRefused(f"Order {order.number} was never paid: nothing to refund.")
        order_lines = {
            line.pk: line
            for line in OrderLine.objects.filter(order=order).order_by("pk").select_for_update()
        }
        chosen = {pk: qty for pk, qty in lines.items() if qty}
        amount = Decimal("0.00")
        for pk, quantity in chosen.items():
            line = order_lines.get(pk)
            if line is None:
                raise TransitionRefused("That line is not part of this order.")
            left = line.quantity - line.quantity_refunded
            if quantity < 0 or quantity > left:
                raise TransitionRefused(
                    f"{line.name}: {line.quantity_refunded} of {line.quantity} already refunded, "
                    f"only {left} left to refund."
                )
            amount += refund_amount(line, quantity)
        if shipping:
            if order.shipping_refunded:
                raise TransitionRefused("The shipping was already refunded.")
            amount += order.shipping_total
        if amount <= 0:
            raise TransitionRefused("Choose lines or the shipping to refund.")
        if amount > order.refundable:
            raise TransitionRefused(
                f"That is {amount} but only {order.refundable} of {order.paid_total} paid is "
                "left to refund."
            )
        restocked: list[list[int]] = []
        for pk, quantity in chosen.items():
            line = order_lines[pk]
            # Refunds take unshipped units first; those go back on the shelf now.
            unshipped = line.quantity - line.quantity_shipped - line.quantity_refunded
            restocked += _release(line, min(quantity, max(unshipped, 0)))
            line.quantity_refunded += quantity
        OrderLine.objects.bulk_update(
            [order_lines[pk] for pk in chosen], ["quantity_refunded", "allocations"]
        )
        stock.restock(restocked)
        return _refund_locked(
            order,
            lines={pk: (order_lines[pk].name, qty) for pk, qty in chosen.items()},
            shipping=shipping,
            amount=amount,
            key=key,
            user=user,
            reason=reason,
            notify=True,
        )


def _refund_locked(
    order: Order,
    *,
    lines: dict[int, tuple[str, int]],
    shipping: bool,
    amount: Decimal,
    key: str,
    user: Any,
    reason: str,
    notify: bool,
) -> OrderEvent:
    """Move the money (the gateway is idempotent by key too) and record it; the order row is
    locked by the caller, so a concurrent refund of the same order waits and then sees this one.
    """
    try:
        result = get_gateway().refund(order.payment_reference, amount, key)
    except Exception as error:  # noqa: BLE001 - any gateway failure: nothing is recorded
        raise TransitionRefused(
            "The payment provider did not answer: nothing was recorded. Submit again; the "
            "same form refunds at most once."
        ) from error
    if not result.succeeded:
        raise TransitionRefused(f"The payment provider refused the refund: {result.message}")
    order.refunded_total += amount
    order.shipping_refunded = order.shipping_refunded or shipping
    fields = ["refunded_total", "shipping_refunded", "updated_at"]
    if order.refunded_total >= order.paid_total and order.status != Status.PENDING_PAYMENT:
        order.status = Status.REFUNDED
        fields.append("status")
    order.save(update_fields=fields)
    event = record(
        order,
        Kind.REFUNDED,
        amount=amount,
        message=reason,
        key=key,
        data={
            "reference": result.reference,
            "shipping": shipping,
            "lines": {
                str(pk): {"name": name, "quantity": qty} for pk, (name, qty) in lines.items()
            },
        },
        **_staff(user),
    )
    if notify:
        emails.notify(order, emails.REFUNDED, event)
    return event


def _release(line: OrderLine, units: int) -> list[list[int]]:
    """Take `units` off the line's allocations ([[stock_id, qty], ...], last first) and return
    them for restocking, so a later cancel returns only what the order still holds."""
    released: list[list[int]] = []
    remaining = [list(a) for a in line.allocations]
    while units and remaining:
        stock_id, held = remaining[-1]
        take = min(units, held)
        released.append([stock_id, take])
        units -= take
        if take == held:
            remaining.pop()
        else:
            remaining[-1][1] = held - take
    line.allocations = remaining
    return released


def refund_amount(line: OrderLine, quantity: int) -> Decimal:
    """What `quantity` more units of `line` give back: its net (after its discount share) pro
    rata, rounded so that refunding every unit, in any steps, returns exactly the net."""
    net = line.line_total - line.discount
    before = line.quantity_refunded

    def share(units: int) -> Decimal:
        return (net * units / line.quantity).quantize(Decimal("0.01"), ROUND_HALF_UP)

    return share(before + quantity) - share(before)


def add_note(order_id: int, *, text: str, user: Any) -> OrderEvent:
    text = text.strip()
    if not text:
        raise TransitionRefused("Write the note first.")
    with transaction.atomic():
        order = _lock(order_id)
        return record(order, Kind.NOTE, message=text, internal=True, **_staff(user))
