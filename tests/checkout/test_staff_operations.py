"""Staff operations in the admin, behind the "Order staff" group."""

from __future__ import annotations

import re
import threading
from decimal import Decimal

import pytest
from django.db import connection

from apps.checkout import lifecycle
from apps.checkout.models import Order, TestGatewayCharge
from tests.checkout.factories import staff_with_order_group
from tests.checkout.test_lifecycle import paid_order
from tests.factories import StaffFactory


def op_url(order: Order, name: str) -> str:
    return f"/admin/checkout/order/{order.pk}/operation/{name}/"


@pytest.mark.django_db
def test_order_staff_ship_from_the_admin(client, mailoutbox, run_tasks):
    order = paid_order(2, 1)
    first, second = order.lines.all()
    client.force_login(staff_with_order_group())
    change = client.get(f"/admin/checkout/order/{order.pk}/change/").content.decode()
    assert 'data-testid="operation-ship"' in change and "Timeline" in change
    form = client.get(op_url(order, "ship")).content.decode()
    assert f'name="line_{first.pk}"' in form
    response = client.post(
        op_url(order, "ship"),
        {
            "carrier": "dhl",
            "tracking_number": "JD42",
            f"line_{first.pk}": 2,
            f"line_{second.pk}": 0,
        },
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Order.Status.PARTIALLY_SHIPPED
    change = client.get(response["Location"]).content.decode()
    assert "DHL JD42" in change


@pytest.mark.django_db
def test_refusals_are_shown_in_the_form_with_a_400(client):
    order = paid_order(1)
    staff = staff_with_order_group()
    lifecycle.cancel(order.pk, user=staff)
    client.force_login(staff)
    line = order.lines.get()
    response = client.post(
        op_url(order, "ship"), {"carrier": "dhl", "tracking_number": "X", f"line_{line.pk}": 1}
    )
    assert response.status_code == 400
    assert "is cancelled: it cannot be shipped" in response.content.decode()
    assert client.post(op_url(order, "nonsense"), {}).status_code == 404
    assert client.post("/admin/checkout/order/999999/operation/ship/", {}).status_code == 404


@pytest.mark.django_db
def test_a_double_submitted_refund_form_refunds_once(client):
    order = paid_order(2)
    line = order.lines.get()
    client.force_login(staff_with_order_group())
    form = client.get(op_url(order, "refund")).content.decode()
    key = re.search(r'name="key" value="([^"]+)"', form)[1]
    data = {"key": key, f"line_{line.pk}": 1, "reason": "Damaged"}
    assert client.post(op_url(order, "refund"), data).status_code == 302
    assert client.post(op_url(order, "refund"), data).status_code == 302  # the double click
    order.refresh_from_db()
    assert order.refunded_total == Decimal("10.00")
    assert order.events.filter(kind="refunded").count() == 1


@pytest.mark.django_db
def test_other_staff_may_not_operate_on_orders(client):
    """Marketers (staff with layout rights only) neither see nor run the order operations."""
    order = paid_order(1)
    client.force_login(StaffFactory())
    assert client.get(op_url(order, "cancel")).status_code == 403
    assert client.post(op_url(order, "cancel"), {}).status_code == 403
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


@pytest.mark.django_db(transaction=True)
def test_two_staff_refunding_the_same_line_at_once_refund_it_once():
    order = paid_order(1)
    line = order.lines.get()
    ann, bob = staff_with_order_group(), staff_with_order_group()
    barrier = threading.Barrier(2)
    outcomes: dict = {}

    def refund(user, key):
        try:
            barrier.wait()
            outcomes[key] = lifecycle.refund(
                order.pk, lines={line.pk: 1}, shipping=False, key=key, user=user
            )
        except lifecycle.TransitionRefused as refused:
            outcomes[key] = refused
        finally:
            connection.close()

    threads = [
        threading.Thread(target=refund, args=(ann, "ann-form")),
        threading.Thread(target=refund, args=(bob, "bob-form")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    refused = [o for o in outcomes.values() if isinstance(o, lifecycle.TransitionRefused)]
    assert len(refused) == 1 and "already refunded" in str(refused[0])
    order.refresh_from_db()
    assert order.refunded_total == Decimal("10.00")
    assert TestGatewayCharge.objects.get(order_reference=order.number).refunded == Decimal("10.00")
    assert order.events.filter(kind="refunded").count() == 1


class RefundTimesOut:
    """The test gateway, except that refunds and status lookups time out."""

    def __getattr__(self, name):
        from apps.checkout.payments import TestGateway

        return getattr(TestGateway(), name)

    def refund(self, payment_reference, amount, key):
        raise TimeoutError("provider timed out")

    def status(self, reference):
        raise TimeoutError("provider timed out")


@pytest.mark.django_db
def test_a_gateway_that_does_not_answer_refuses_the_operation_and_changes_nothing(client, settings):
    order = paid_order(2)
    line = order.lines.get()
    settings.PAYMENT_GATEWAY = f"{__name__}.RefundTimesOut"
    client.force_login(staff_with_order_group())
    form = client.get(op_url(order, "refund")).content.decode()
    key = re.search(r'name="key" value="([^"]+)"', form)[1]
    response = client.post(op_url(order, "refund"), {"key": key, f"line_{line.pk}": 1})
    assert response.status_code == 400
    assert "did not answer: nothing was recorded" in response.content.decode()
    order.refresh_from_db()
    assert order.refunded_total == 0 and order.lines.get().quantity_refunded == 0
    assert not order.events.filter(kind="refunded").exists()
