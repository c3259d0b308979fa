"""Payment webhooks: signed, idempotent, tolerant of repeats and of events out of order.

Each event id is stored once (unique), in the same transaction as what the event does, so a
repeated delivery is acknowledged and changes nothing, and a failure leaves no trace (the
provider delivers again). What an event does goes through the order's guarded transitions:
"payment.failed" after "payment.succeeded" finds the order paid and does nothing; a success
racing with reconciliation makes one paid transition.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from . import lifecycle
from .models import Order, OrderEvent, PaymentWebhookEvent
from .payments import WebhookEvent, get_gateway


def receive(body: bytes, signature: str) -> str:
    """Check and apply one delivery; returns what happened. Raises InvalidWebhook."""
    event = get_gateway().parse_webhook(body, signature)
    try:
        with transaction.atomic():
            PaymentWebhookEvent.objects.create(
                event_id=event.event_id,
                kind=event.kind[:40],
                order_number=event.order_number,
                payload=event.payload,
            )
            return apply(event)
    except IntegrityError:
        return "duplicate"


def apply(event: WebhookEvent) -> str:
    order = Order.objects.filter(number=event.order_number).only("pk", "status").first()
    if order is None:
        return "unknown order"
    if event.kind == "payment.succeeded":
        paid = lifecycle.mark_paid(
            order.pk,
            reference=event.reference,
            amount=event.amount,
            actor=OrderEvent.Actor.GATEWAY,
            message="Payment confirmed by the payment provider.",
        )
        return "paid" if paid else "ignored"
    if event.kind == "payment.failed":
        cancelled = lifecycle.cancel_unpaid(
            order.pk,
            "The payment did not go through, so the order was cancelled.",
            actor=OrderEvent.Actor.GATEWAY,
            notify=True,
        )
        return "cancelled" if cancelled else "ignored"
    return "ignored"
