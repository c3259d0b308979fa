"""Reconciliation: orders left awaiting payment are settled by asking the gateway, never by
the clock alone.

A charge can succeed after the gateway timed out on us, and an asynchronous payment is
confirmed by a webhook that may be late or lost. So for each order awaiting payment for longer
than PAYMENT_RECONCILE_AFTER_MINUTES the gateway's `status` decides:

- succeeded -> paid (stock stays allocated, "payment confirmed" e-mailed once);
- failed -> cancelled, stock and coupon returned, "cancelled" e-mailed once;
- never seen (the process died before charging) -> cancelled the same way once the order is
  older than PAYMENT_EXPIRY_MINUTES;
- pending, or the gateway does not answer -> left alone until the next run.

Each transition takes the order's row lock and checks the status first, so a webhook racing
with this makes one transition, not two.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from . import lifecycle
from .models import Order, OrderEvent
from .payments import get_gateway

logger = logging.getLogger(__name__)


@dataclass
class Reconciled:
    paid: int = 0
    cancelled: int = 0
    waiting: int = 0
    unreachable: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def reconcile(
    *,
    now: datetime | None = None,
    after_minutes: int | None = None,
    expiry_minutes: int | None = None,
) -> Reconciled:
    now = now or timezone.now()
    after = settings.PAYMENT_RECONCILE_AFTER_MINUTES if after_minutes is None else after_minutes
    expiry = settings.PAYMENT_EXPIRY_MINUTES if expiry_minutes is None else expiry_minutes
    expired_before = now - timedelta(minutes=expiry)
    outcome = Reconciled()
    gateway = get_gateway()
    waiting = Order.objects.filter(
        status=Order.Status.PENDING_PAYMENT, created_at__lt=now - timedelta(minutes=after)
    ).only("pk", "number", "created_at", "total")
    for order in waiting.order_by("pk").iterator():
        try:
            status = gateway.status(order.number)
        except Exception:  # noqa: BLE001 - an unreachable gateway decides nothing
            logger.warning("payment status of %s unavailable", order.number, exc_info=True)
            outcome.unreachable += 1
            continue
        if status.state == "succeeded":
            outcome.paid += lifecycle.mark_paid(
                order.pk,
                reference=status.reference,
                amount=status.amount,
                actor=OrderEvent.Actor.SYSTEM,
                message="Payment confirmed by reconciliation.",
            )
        elif status.state == "failed" or (
            status.state == "none" and order.created_at < expired_before
        ):
            outcome.cancelled += lifecycle.cancel_unpaid(
                order.pk,
                "The payment did not go through, so the order was cancelled."
                if status.state == "failed"
                else "Payment was not completed in time.",
                actor=OrderEvent.Actor.SYSTEM,
                notify=True,
            )
        else:
            outcome.waiting += 1
    return outcome
