"""Customer e-mails about an order: enqueued in the transaction of the change they announce,
sent by the worker (apps.checkout.tasks.send_order_email, retried), HTML and plain text.

Links are absolute on `settings.SITE_URL` (never the host of whatever request or worker sent
them) and carry a signed key, so a guest can open their order from the e-mail on any device.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

if TYPE_CHECKING:
    from .models import Order, OrderEvent

RECEIVED = "received"
PAID = "paid"
SHIPPED = "shipped"
CANCELLED = "cancelled"
REFUNDED = "refunded"

SUBJECTS = {
    RECEIVED: "We received your order {number}",
    PAID: "Your {shop} order {number}",
    SHIPPED: "Your order {number} is on its way",
    CANCELLED: "Your order {number} was cancelled",
    REFUNDED: "A refund for your order {number}",
}
LINK_SALT = "checkout.order-link"


def order_key(order: Order) -> str:
    return signing.dumps(order.number, salt=LINK_SALT)


def key_opens(key: str, number: str) -> bool:
    try:
        return signing.loads(key, salt=LINK_SALT, max_age=60 * 60 * 24 * 365) == number
    except signing.BadSignature:
        return False


def order_link(order: Order) -> str:
    return f"{settings.SITE_URL}{order.get_absolute_url()}?key={order_key(order)}"


def notify(order: Order, kind: str, event: OrderEvent | None = None) -> None:
    """Enqueue the e-mail inside the caller's transaction (the task row commits with it)."""
    from .tasks import send_order_email

    send_order_email.enqueue(order.pk, kind, event.pk if event else None)


def build(order: Order, kind: str, event: OrderEvent | None = None) -> EmailMultiAlternatives:
    context = {
        "order": order,
        "lines": list(order.lines.all()),
        "kind": kind,
        "event": event,
        "order_url": order_link(order),
        "site_url": settings.SITE_URL,
        "shop_name": settings.SHOP_NAME,
        "SHOP_CURRENCY": settings.SHOP_CURRENCY,
    }
    text = render_to_string(f"checkout/email/{kind}.txt", context)
    html = render_to_string("checkout/email/order.html", context)
    subject = SUBJECTS[kind].format(number=order.number, shop=settings.SHOP_NAME)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [order.email])
    message.attach_alternative(html, "text/html")
    return message
