"""The order's life after placement: guarded transitions, each an event, e-mails after commit."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import pytest
from django.test import Client

from apps.catalog.models import Stock
from apps.checkout import lifecycle, services
from apps.checkout.models import Order, TestGatewayCharge
from tests.checkout.factories import (
    ADDRESS,
    card_token,
    cart_with,
    reviewed,
    staff_with_order_group,
)
from tests.factories import ProductFactory, StaffFactory

pytestmark = pytest.mark.django_db


def paid_order(*quantities: int, price: str = "10.00", user=None) -> Order:
    products = [ProductFactory(current_price=Decimal(price), stock=10) for _ in quantities]
    cart = cart_with(*zip(products, quantities, strict=True))
    result = services.complete_checkout(
        cart_id=cart.pk,
        token=uuid.uuid4(),
        details=ADDRESS,
        shipping_method="standard",
        reviewed=reviewed(cart, user=user),
        payment_token=card_token(),
        user=user,
    )
    assert result.order.status == Order.Status.PAID
    return Order.objects.get(pk=result.order.pk)


def kinds(order: Order) -> list[str]:
    return list(order.events.values_list("kind", flat=True))


def stock_of(line) -> int:
    return Stock.objects.get(variant_id=line.variant_id).quantity


def test_placing_and_paying_are_events_with_amounts():
    order = paid_order(2)
    events = list(order.events.all())
    assert [(e.kind, e.actor, e.amount) for e in events] == [
        ("placed", "customer", Decimal("24.90")),
        ("paid", "gateway", Decimal("24.90")),
    ]
    assert order.paid_total == Decimal("24.90") and order.paid_at is not None


def test_ship_in_two_parcels_then_deliver(mailoutbox, run_tasks, settings):
    settings.SITE_URL = "https://shop.example.com"
    order = paid_order(2, 1)
    first, second = order.lines.all()
    staff = StaffFactory()
    run_tasks()
    mailoutbox.clear()
    lifecycle.ship(
        order.pk, lines={first.pk: 2}, carrier="dhl", tracking_number="JD0001", user=staff
    )
    order.refresh_from_db()
    assert order.status == Order.Status.PARTIALLY_SHIPPED
    assert order.get_status_display() == "Partially fulfilled"
    with pytest.raises(lifecycle.TransitionRefused, match="only 0 left to ship"):
        lifecycle.ship(
            order.pk, lines={first.pk: 1}, carrier="dhl", tracking_number="JD0002", user=staff
        )
    lifecycle.ship(
        order.pk, lines={second.pk: 1}, carrier="ups", tracking_number="1Z999", user=staff
    )
    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED
    event = order.events.filter(kind="shipped").first()
    assert event.user == staff and event.actor == "staff"
    assert event.data["tracking_number"] == "JD0001" and event.data["lines"] == {
        str(first.pk): {"name": first.name, "quantity": 2}
    }
    run_tasks()
    assert [m.subject for m in mailoutbox] == [f"Your order {order.number} is on its way"] * 2
    text = mailoutbox[0].body
    assert "JD0001" in text and "https://www.dhl.com/en/express/tracking.html?AWB=JD0001" in text
    html = mailoutbox[0].alternatives[0][0]
    assert "Track your parcel" in html and "localhost" not in html + text
    link = re.search(r"https://shop\.example\.com(/checkout/orders/[^\s\"]+)", text)[1]
    # The signed link opens the order for a guest on another device, without a session.
    page = Client().get(link.replace("&amp;", "&"))
    assert page.status_code == 200 and "JD0001" in page.content.decode()
    assert Client().get(link.split("?")[0]).status_code == 404
    assert Client().get(link[:-3] + "xyz").status_code == 404
    lifecycle.deliver(order.pk, user=staff)
    order.refresh_from_db()
    assert order.status == Order.Status.DELIVERED
    assert kinds(order)[-3:] == ["shipped", "shipped", "delivered"]


def test_impossible_transitions_are_refused_with_a_reason():
    order = paid_order(1)
    line = order.lines.get()
    staff = StaffFactory()
    lifecycle.cancel(order.pk, user=staff, reason="Customer asked")
    with pytest.raises(lifecycle.TransitionRefused, match="is cancelled: it cannot be shipped"):
        lifecycle.ship(order.pk, lines={line.pk: 1}, carrier="dhl", tracking_number="X", user=staff)
    with pytest.raises(lifecycle.TransitionRefused, match="already cancelled"):
        lifecycle.cancel(order.pk, user=staff)
    with pytest.raises(lifecycle.TransitionRefused, match="only a shipped order"):
        lifecycle.deliver(order.pk, user=staff)
    with pytest.raises(lifecycle.TransitionRefused, match="only 0 left to refund|left to refund"):
        lifecycle.refund(order.pk, lines={line.pk: 1}, shipping=False, key="k1", user=staff)
    unpaid, _ = services.place_order(
        cart_id=(cart := cart_with((ProductFactory(stock=3), 1))).pk,
        token=uuid.uuid4(),
        details=ADDRESS,
        shipping_method="standard",
        reviewed=reviewed(cart),
    )
    with pytest.raises(lifecycle.TransitionRefused, match="not paid yet"):
        lifecycle.ship(
            unpaid.pk,
            lines={unpaid.lines.get().pk: 1},
            carrier="dhl",
            tracking_number="X",
            user=staff,
        )
    with pytest.raises(lifecycle.TransitionRefused, match="never paid"):
        lifecycle.refund(unpaid.pk, lines={}, shipping=True, key="k2", user=staff)


def test_cancel_a_paid_order_refunds_restocks_and_emails_once(mailoutbox, run_tasks):
    order = paid_order(3)
    line = order.lines.get()
    assert stock_of(line) == 7
    run_tasks()
    mailoutbox.clear()
    lifecycle.cancel(order.pk, user=StaffFactory(), reason="Out of paper")
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED and stock_of(line) == 10
    assert order.refunded_total == order.paid_total == Decimal("34.90")
    assert TestGatewayCharge.objects.get(order_reference=order.number).refunded == Decimal("34.90")
    assert kinds(order)[-2:] == ["refunded", "cancelled"]
    run_tasks()
    assert [m.subject for m in mailoutbox] == [f"Your order {order.number} was cancelled"]
    assert "We refunded 34.90 EUR" in mailoutbox[0].body


def test_partial_refunds_never_exceed_what_was_paid(mailoutbox, run_tasks):
    order = paid_order(2, 1)
    first, second = order.lines.all()
    staff = StaffFactory()
    event = lifecycle.refund(order.pk, lines={first.pk: 1}, shipping=False, key="r1", user=staff)
    assert event.amount == Decimal("10.00")
    order.refresh_from_db()
    assert order.payment_state == "Partially refunded" and order.status == Order.Status.PAID
    with pytest.raises(lifecycle.TransitionRefused, match="1 of 2 already refunded"):
        lifecycle.refund(order.pk, lines={first.pk: 2}, shipping=False, key="r2", user=staff)
    lifecycle.refund(order.pk, lines={}, shipping=True, key="r3", user=staff)
    with pytest.raises(lifecycle.TransitionRefused, match="shipping was already refunded"):
        lifecycle.refund(order.pk, lines={}, shipping=True, key="r4", user=staff)
    lifecycle.refund(
        order.pk, lines={first.pk: 1, second.pk: 1}, shipping=False, key="r5", user=staff
    )
    order.refresh_from_db()
    assert order.refunded_total == order.paid_total == Decimal("34.90")
    assert order.status == Order.Status.REFUNDED and order.payment_state == "Refunded"
    with pytest.raises(lifecycle.TransitionRefused, match="Choose lines or the shipping"):
        lifecycle.refund(order.pk, lines={}, shipping=False, key="r6", user=staff)
    charge = TestGatewayCharge.objects.get(order_reference=order.number)
    assert charge.refunded == Decimal("34.90") and len(charge.refund_keys) == 3
    run_tasks()
    refunds = [m for m in mailoutbox if m.subject.startswith("A refund")]
    assert len(refunds) == 3 and "we refunded 10.00 EUR" in refunds[0].body


def test_a_repeated_refund_submit_refunds_once():
    order = paid_order(2)
    line = order.lines.get()
    staff = StaffFactory()
    first = lifecycle.refund(order.pk, lines={line.pk: 1}, shipping=False, key="dbl", user=staff)
    again = lifecycle.refund(order.pk, lines={line.pk: 1}, shipping=False, key="dbl", user=staff)
    assert again.pk == first.pk
    order.refresh_from_db()
    assert order.refunded_total == Decimal("10.00") and order.lines.get().quantity_refunded == 1
    assert TestGatewayCharge.objects.get(order_reference=order.number).refunded == Decimal("10.00")


def test_notes_are_internal():
    order = paid_order(1)
    lifecycle.add_note(order.pk, text="Customer called about gift wrap", user=StaffFactory())
    note = order.events.get(kind="note")
    assert note.internal
    with pytest.raises(lifecycle.TransitionRefused, match="Write the note"):
        lifecycle.add_note(order.pk, text="  ", user=StaffFactory())


@pytest.mark.parametrize("size", [1, 12])
def test_order_page_queries_do_not_grow_with_lines_and_events(
    client, django_assert_max_num_queries, size
):
    user = StaffFactory.build().__class__.objects.create_user("owner", "o@example.com", "x")
    order = paid_order(*([1] * size), user=user)
    staff = StaffFactory()
    for line in order.lines.all():
        lifecycle.ship(
            order.pk,
            lines={line.pk: 1},
            carrier="dpd",
            tracking_number=f"DPD{line.pk}",
            user=staff,
        )
        lifecycle.add_note(order.pk, text="internal only", user=staff)
    client.force_login(user)
    with django_assert_max_num_queries(5):  # the session row with its user and 4 for the page
        page = client.get(order.get_absolute_url()).content.decode()
    assert page.count('data-testid="order-line"') == size
    assert page.count('data-testid="timeline-event"') == 2 + size  # placed, paid, shipments
    assert page.count('data-testid="tracking-link"') == size
    assert "internal only" not in page


@pytest.mark.parametrize("size", [2, 25])
def test_admin_order_changelist_is_constant_in_orders(client, django_assert_num_queries, size):
    for _ in range(size):
        paid_order(1)
    client.force_login(staff_with_order_group())
    client.get("/admin/checkout/order/")  # warm the session and permission caches
    # session with its user (one query), perms, counts, page, date ranges
    with django_assert_num_queries(9):
        page = client.get("/admin/checkout/order/").content.decode()
    assert page.count('class="field-number"') == size


def test_an_email_that_cannot_be_sent_is_retried_later(settings, run_tasks, mailoutbox):
    """The SMTP server is down (a closed port): the e-mail task goes back in the queue with a
    backoff and its error, and is sent once the server is back."""
    import socket

    from django_tasks_db.models import DBTaskResult

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    working = settings.MAILERS
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": closed_port, "timeout": 2},
        }
    }
    order = paid_order(1)
    run_tasks()
    task = DBTaskResult.objects.get(task_path="apps.checkout.tasks.send_order_email")
    assert task.status == "READY" and len(task.worker_ids) == 1
    assert "ConnectionRefusedError" in task.traceback
    assert task.run_after > task.started_at  # backoff: not before TASKS_RETRY_BASE_DELAY
    assert run_tasks() == 0  # not due yet
    settings.MAILERS = working
    assert run_tasks(include_delayed=True) == 1
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL" and len(task.worker_ids) == 2
    assert [m.subject for m in mailoutbox] == [f"Your Hypershop order {order.number}"]


def test_refunding_every_unit_in_steps_returns_exactly_what_was_paid():
    """3 × 3.33 with 10 % off: the line's net is 8.99, not 3 × 3.00; the cents land right."""
    from tests.checkout.factories import CouponFactory

    CouponFactory(code="TENOFF", value=Decimal("10"))
    product = ProductFactory(current_price=Decimal("3.33"), stock=5)
    cart = cart_with((product, 3), coupon_code="TENOFF")
    order = services.complete_checkout(
        cart_id=cart.pk,
        token=uuid.uuid4(),
        details=ADDRESS,
        shipping_method="standard",
        reviewed=reviewed(cart),
        payment_token=card_token(),
    ).order
    line = order.lines.get()
    staff = StaffFactory()
    amounts = [
        lifecycle.refund(
            order.pk, lines={line.pk: 1}, shipping=False, key=f"u{n}", user=staff
        ).amount
        for n in range(3)
    ]
    assert sum(amounts) == Decimal("8.99")
    lifecycle.refund(order.pk, lines={}, shipping=True, key="ship", user=staff)
    order.refresh_from_db()
    assert order.refunded_total == order.paid_total == Decimal("13.89")
    assert order.status == Order.Status.REFUNDED


def test_refunding_unshipped_units_puts_them_back_in_stock_once():
    order = paid_order(3)
    line = order.lines.get()
    staff = StaffFactory()
    assert stock_of(line) == 7
    lifecycle.ship(order.pk, lines={line.pk: 1}, carrier="dhl", tracking_number="A1", user=staff)
    lifecycle.refund(order.pk, lines={line.pk: 1}, shipping=False, key="one", user=staff)
    assert stock_of(line) == 8  # an unshipped unit: back on the shelf
    with pytest.raises(lifecycle.TransitionRefused, match="only 1 left to ship"):
        lifecycle.ship(
            order.pk, lines={line.pk: 2}, carrier="dhl", tracking_number="A2", user=staff
        )
    lifecycle.ship(order.pk, lines={line.pk: 1}, carrier="dhl", tracking_number="A2", user=staff)
    lifecycle.refund(order.pk, lines={line.pk: 2}, shipping=False, key="two", user=staff)
    assert stock_of(line) == 8  # both shipped: the customer has them
    assert Order.objects.get(pk=order.pk).lines.get().allocations == [[line.allocations[0][0], 2]]


def test_cancel_after_a_refund_returns_only_what_the_order_still_holds():
    order = paid_order(3)
    line = order.lines.get()
    staff = StaffFactory()
    lifecycle.refund(order.pk, lines={line.pk: 1}, shipping=False, key="one", user=staff)
    assert stock_of(line) == 8
    lifecycle.cancel(order.pk, user=staff)
    assert stock_of(line) == 10
