"""The gateway protocol end to end: asynchronous confirmation by webhook, timeouts after which
the charge did or did not go through, and reconciliation that asks before it cancels."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from apps.cart.models import CartLine
from apps.catalog.models import Stock
from apps.checkout.models import Order, PaymentWebhookEvent
from apps.checkout.payments import TestGateway
from apps.checkout.reconcile import reconcile
from apps.checkout.tasks import reconcile_payments
from tests.checkout.factories import ASYNC, TIMEOUT_CHARGED, TIMEOUT_NOT_CHARGED
from tests.checkout.test_checkout_views import fill_cart, place_form, steps
from tests.factories import ProductFactory

WEBHOOK = "/checkout/webhooks/payments/"


def place(client, card: str, quantity: int = 2):
    product = ProductFactory(current_price=Decimal("10.00"), stock=5)
    fill_cart(client, (product, quantity))
    response = client.post("/checkout/place/", place_form(steps(client, card=card)))
    return Order.objects.get(), product, response


def stock(product) -> int:
    return Stock.objects.get(variant__product=product).quantity


def post_webhook(client, body: bytes, signature: str):
    return client.post(WEBHOOK, body, content_type="application/json", HTTP_X_SIGNATURE=signature)


def later(minutes: int = 60):
    return timezone.now() + timedelta(minutes=minutes)


@pytest.mark.django_db
class TestWebhooks:
    def test_async_payment_is_confirmed_by_webhook_once(self, client, mailoutbox, run_tasks):
        order, product, response = place(client, ASYNC)
        assert order.status == Order.Status.PENDING_PAYMENT and stock(product) == 3
        page = client.get(response["Location"]).content.decode()
        assert "awaiting confirmation" in page and "Awaiting payment" in page
        run_tasks()
        assert [m.subject for m in mailoutbox] == [f"We received your order {order.number}"]
        body, signature = TestGateway().settle(order.number)
        assert post_webhook(client, body, signature).content == b"paid"
        assert post_webhook(client, body, signature).content == b"duplicate"  # repeated
        order.refresh_from_db()
        assert order.status == Order.Status.PAID and order.paid_total == Decimal("24.90")
        assert stock(product) == 3 and not CartLine.objects.exists()
        # Out of order: a stale "failed" event after the success changes nothing.
        stale, stale_sig = TestGateway.webhook(
            "payment.failed", order.number, order.payment_reference, Decimal("24.90")
        )
        assert post_webhook(client, stale, stale_sig).content == b"ignored"
        order.refresh_from_db()
        assert order.status == Order.Status.PAID
        assert list(order.events.values_list("kind", flat=True)) == [
            "placed",
            "payment_pending",
            "paid",
        ]
        run_tasks()
        assert [m.subject for m in mailoutbox][1:] == [f"Your Hypershop order {order.number}"]
        assert PaymentWebhookEvent.objects.count() == 2

    def test_a_failed_async_payment_cancels_and_restocks(self, client, mailoutbox, run_tasks):
        order, product, _ = place(client, ASYNC)
        body, signature = TestGateway().settle(order.number, succeeded=False)
        assert post_webhook(client, body, signature).content == b"cancelled"
        order.refresh_from_db()
        assert order.status == Order.Status.CANCELLED and stock(product) == 5
        run_tasks()
        assert [m.subject for m in mailoutbox][-1] == f"Your order {order.number} was cancelled"

    @pytest.mark.parametrize(
        "mangle",
        [
            lambda body, sig: (body, ""),
            lambda body, sig: (body, "0" * 64),
            lambda body, sig: (body.replace(b"succeeded", b"failed"), sig),
            lambda body, sig: (b"not json", TestGateway.webhook("x", "y", "z", 1)[1]),
        ],
    )
    def test_unsigned_or_tampered_webhooks_are_refused(self, client, mangle):
        order, _, _ = place(client, ASYNC)
        body, signature = TestGateway().settle(order.number)
        response = post_webhook(client, *mangle(body, signature))
        assert response.status_code == 400
        order.refresh_from_db()
        assert order.status == Order.Status.PENDING_PAYMENT
        assert not PaymentWebhookEvent.objects.exists()

    def test_malformed_signed_body_is_a_400(self, client):
        body = json.dumps({"type": "payment.succeeded"}).encode()
        from apps.checkout.payments import sign

        assert post_webhook(client, body, sign(body)).status_code == 400


@pytest.mark.django_db
class TestReconciliation:
    def test_timeout_but_charged_becomes_paid_keeps_stock_and_emails_once(
        self, client, mailoutbox, run_tasks
    ):
        order, product, response = place(client, TIMEOUT_CHARGED)
        page = client.get(response["Location"]).content.decode()
        assert "could not reach the payment provider" in page
        assert order.status == Order.Status.PENDING_PAYMENT and stock(product) == 3
        run_tasks()
        assert [m.subject for m in mailoutbox] == [f"We received your order {order.number}"]
        # Before reconciliation the money bug used to cancel this (paid!) order: now the
        # gateway is asked first.
        assert reconcile(now=later()).as_dict() == {
            "paid": 1,
            "cancelled": 0,
            "waiting": 0,
            "unreachable": 0,
        }
        assert reconcile(now=later()).paid == 0  # nothing left to do, nothing twice
        order.refresh_from_db()
        assert order.status == Order.Status.PAID and order.paid_total == order.total
        assert stock(product) == 3  # still allocated to the order
        run_tasks()
        assert [m.subject for m in mailoutbox][1:] == [f"Your Hypershop order {order.number}"]

    def test_timeout_and_not_charged_is_cancelled_restocked_and_emailed_once(
        self, client, mailoutbox, run_tasks
    ):
        order, product, _ = place(client, TIMEOUT_NOT_CHARGED)
        assert stock(product) == 3
        assert reconcile(now=timezone.now() + timedelta(minutes=10)).as_dict()["cancelled"] == 0
        assert reconcile(now=later()).cancelled == 1
        assert reconcile(now=later()).cancelled == 0
        order.refresh_from_db()
        assert order.status == Order.Status.CANCELLED and stock(product) == 5
        run_tasks()
        assert [m.subject for m in mailoutbox] == [
            f"We received your order {order.number}",
            f"Your order {order.number} was cancelled",
        ]
        assert "Nothing was charged" in mailoutbox[1].body

    def test_the_periodic_task_reconciles(self, client, settings, run_tasks):
        settings.PAYMENT_RECONCILE_AFTER_MINUTES = 0
        order, _, _ = place(client, TIMEOUT_CHARGED)
        reconcile_payments.enqueue()
        run_tasks()
        order.refresh_from_db()
        assert order.status == Order.Status.PAID

    def test_an_unreachable_gateway_decides_nothing(self, client, settings):
        order, product, _ = place(client, TIMEOUT_NOT_CHARGED)
        settings.PAYMENT_GATEWAY = "tests.checkout.test_payments.DownGateway"
        assert reconcile(now=later()).unreachable == 1
        order.refresh_from_db()
        assert order.status == Order.Status.PENDING_PAYMENT and stock(product) == 3


class DownGateway(TestGateway):
    def status(self, reference):
        raise TimeoutError("still down")


@pytest.mark.django_db(transaction=True)
def test_webhook_and_reconciliation_racing_make_one_paid_transition(client, mailoutbox):
    from tests.worker import run_pending_tasks

    order, product, _ = place(client, ASYNC)
    body, signature = TestGateway().settle(order.number)
    barrier = threading.Barrier(2)
    outcomes = {}

    def by_webhook():
        try:
            barrier.wait()
            outcomes["webhook"] = post_webhook(client.__class__(), body, signature).content
        finally:
            connection.close()

    def by_reconciliation():
        try:
            barrier.wait()
            outcomes["reconcile"] = reconcile(now=later()).paid
        finally:
            connection.close()

    threads = [threading.Thread(target=by_webhook), threading.Thread(target=by_reconciliation)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted([outcomes["webhook"] == b"paid", outcomes["reconcile"] == 1]) == [False, True]
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.events.filter(kind="paid").count() == 1
    run_pending_tasks()
    paid_mails = [m for m in mailoutbox if m.subject == f"Your Hypershop order {order.number}"]
    assert len(paid_mails) == 1


@pytest.mark.django_db
def test_the_test_gateway_authorises_captures_voids_and_refunds_partially():
    gateway = TestGateway()
    token = gateway.tokenize("4242 4242 4242 4242", "12/40", "123").token
    held = gateway.authorise(token, Decimal("30.00"), "EUR", "HS-AUTH")
    assert held.approved and gateway.status("HS-AUTH").state == "pending"
    assert gateway.refund(held.reference, Decimal("1.00"), "k0").succeeded is False  # not captured
    assert gateway.capture(held.reference, Decimal("30.00")).approved
    assert gateway.status("HS-AUTH").state == "succeeded"
    assert gateway.refund(held.reference, Decimal("10.00"), "k1").succeeded
    assert gateway.refund(held.reference, Decimal("10.00"), "k1").message == "Already refunded."
    assert gateway.refund(held.reference, Decimal("25.00"), "k2").succeeded is False  # too much
    assert gateway.refund(held.reference, Decimal("20.00"), "k3").succeeded
    voided = gateway.authorise(
        gateway.tokenize("4242424242424242", "12/40", "1").token, Decimal("5"), "EUR", "HS-VOID"
    )
    assert gateway.void(voided.reference).approved
    assert gateway.status("HS-VOID").state == "failed"
    assert gateway.status("HS-NEVER").state == "none"
