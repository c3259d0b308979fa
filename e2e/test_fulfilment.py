"""A staff user ships an order in the admin; the shopper sees the timeline and the tracking,
and the shipped e-mail's link opens the order."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import pytest
from django.core import mail
from playwright.sync_api import expect

from apps.checkout import services
from apps.checkout.models import Order
from tests.checkout.factories import (
    ADDRESS,
    card_token,
    cart_with,
    reviewed,
    staff_with_order_group,
)
from tests.factories import ProductFactory, UserFactory
from tests.worker import run_pending_tasks

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_ship_and_the_shopper_follows_the_parcel(
    live_server, browser, login_as, page, settings
):
    settings.SITE_URL = live_server.url
    shopper = UserFactory(email="ada@example.com")
    lamp = ProductFactory(name="Desk lamp", current_price=Decimal("12.00"), stock=5)
    rug = ProductFactory(name="Wool rug", current_price=Decimal("8.00"), stock=5)
    cart = cart_with((lamp, 1), (rug, 2), user=shopper)
    order = services.complete_checkout(
        cart_id=cart.pk,
        token=uuid.uuid4(),
        details=ADDRESS,
        shipping_method="standard",
        reviewed=reviewed(cart, user=shopper),
        payment_token=card_token(),
        user=shopper,
    ).order
    run_pending_tasks()
    mail.outbox.clear()

    # Staff: the order in the admin, "Ship lines", a carrier and a tracking number.
    login_as(staff_with_order_group())
    page.goto(f"{live_server.url}/admin/checkout/order/{order.pk}/change/")
    page.get_by_test_id("operation-ship").click()
    page.get_by_label("Carrier").select_option("dhl")
    page.get_by_label("Tracking number").fill("JD014600006101")
    page.get_by_test_id("operation-submit").click()
    expect(page.get_by_text(f"Order {order.number}: shipment recorded")).to_be_visible()
    expect(page.get_by_text("DHL JD014600006101; 1 × Desk lamp; 2 × Wool rug")).to_be_visible()
    assert Order.objects.get(pk=order.pk).status == Order.Status.SHIPPED

    # The worker sends the e-mail after the commit: one, with a link that works.
    run_pending_tasks()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == f"Your order {order.number} is on its way"
    link = re.search(rf"{re.escape(live_server.url)}/checkout/orders/\S+", message.body)[0]

    # The shopper, signed in: the order page shows the timeline and the tracking.
    shopper_context = browser.new_context()
    login_as(shopper, shopper_context)
    mine = shopper_context.new_page()
    mine.goto(f"{live_server.url}{order.get_absolute_url()}")
    expect(mine.get_by_test_id("order-status")).to_have_text("Shipped")
    timeline = mine.get_by_test_id("timeline-event")
    expect(timeline).to_have_count(3)
    expect(timeline.nth(2)).to_contain_text("Shipped")
    expect(timeline.nth(2)).to_contain_text("DHL JD014600006101")
    tracking = mine.get_by_test_id("tracking-link")
    expect(tracking).to_have_attribute(
        "href", "https://www.dhl.com/en/express/tracking.html?AWB=JD014600006101"
    )

    # The e-mail's link, opened in a browser with no session at all.
    stranger = browser.new_context().new_page()
    stranger.goto(link)
    expect(stranger.get_by_test_id("order-number")).to_have_text(order.number)
    expect(stranger.get_by_test_id("tracking")).to_contain_text("JD014600006101")
    shopper_context.close()
