"""Checkout's background work: order e-mails and payment reconciliation (apps.core.tasks)."""

from __future__ import annotations

from django.tasks import task

from apps.core.tasks import every, retried


@task
def send_order_email(order_id: int, kind: str, event_id: int | None = None) -> str:
    from . import emails
    from .models import Order, OrderEvent

    order = Order.objects.get(pk=order_id)
    event = OrderEvent.objects.filter(pk=event_id).first() if event_id else None
    emails.build(order, kind, event).send()
    return f"{kind} e-mail for {order.number}"


@task
def reconcile_payments() -> dict:
    """Ask the gateway about every order left awaiting payment; pay or cancel accordingly."""
    from .reconcile import reconcile

    return reconcile().as_dict()


retried(send_order_email, attempts=5)
retried(reconcile_payments, attempts=3)
every(reconcile_payments, minutes=5)
