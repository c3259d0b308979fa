"""Checkout journeys in Chromium against the real catalog: with htmx (no full reloads) and with
JavaScript disabled."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from apps.checkout.models import Order
from e2e.conftest import wait_for_htmx
from e2e.journey import assert_no_sideways_scroll
from tests.checkout.factories import APPROVE, DECLINE, CouponFactory
from tests.factories import ProductFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop():
    lamp = ProductFactory(name="Desk lamp", current_price=Decimal("12.00"), stock=5)
    rug = ProductFactory(name="Wool rug", current_price=Decimal("8.00"), stock=5)
    CouponFactory(code="WELCOME10", value=Decimal("10"))
    return lamp, rug


def add_from_catalog(page: Page, base: str, js: bool) -> None:
    page.goto(base + "/catalog/")
    if js:
        page.evaluate("window.__noReload = true")
    for name, count in (("Desk lamp", "1"), ("Wool rug", "2")):
        page.get_by_role("button", name=re.compile(f"Add to cart.*{name}")).click()
        if js:
            wait_for_htmx(page)
        expect(page.get_by_test_id("cart-count")).to_have_text(count)
        # Back on the catalog, added in place (htmx) or after the redirect (no JavaScript).
        expect(page).to_have_url(re.compile(r"/catalog/$"))
    if js:  # the badge was updated out of band, the catalog never reloaded
        assert page.evaluate("window.__noReload") is True


def checkout_steps(page: Page, card: str, js: bool) -> None:
    def step() -> None:
        page.get_by_role("button", name="Continue").click()
        if js:
            wait_for_htmx(page)

    page.get_by_role("button", name="Check out").click()
    if js:
        wait_for_htmx(page)
    expect(page.get_by_role("heading", name="Contact & address")).to_be_visible()
    page.get_by_label("E-mail").fill("ada@example.com")
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Street and number").fill("1 Analytical Way")
    page.get_by_label("Postal code").fill("!!")
    page.get_by_label("City").fill("Berlin")
    page.get_by_label("Country").select_option("DE")
    step()  # refused by the server (400): the form comes back in place with the error
    expect(page.get_by_text("Enter a valid postal code.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/checkout/address/$"))
    expect(page.get_by_label("Full name")).to_have_value("Ada Lovelace")
    page.get_by_label("Postal code").fill("10115")
    step()
    expect(page).to_have_url(re.compile(r"/checkout/shipping/$"))
    page.get_by_label(re.compile("Express delivery")).check()
    step()
    expect(page).to_have_url(re.compile(r"/checkout/payment/$"))
    # Back twice keeps what was entered; change the shipping method on the way forward.
    page.get_by_test_id("back").click()
    if js:
        wait_for_htmx(page)
    expect(page.get_by_label(re.compile("Express delivery"))).to_be_checked()
    page.get_by_test_id("back").click()
    if js:
        wait_for_htmx(page)
    expect(page.get_by_label("Street and number")).to_have_value("1 Analytical Way")
    expect(page.get_by_label("Postal code")).to_have_value("10115")
    step()
    expect(page.get_by_label(re.compile("Express delivery"))).to_be_checked()
    page.get_by_label(re.compile("Standard delivery")).check()
    step()
    expect(page).to_have_url(re.compile(r"/checkout/payment/$"))
    page.get_by_label("Card number").fill(card)
    page.get_by_label("Expiry (MM/YY)").fill("12/40")
    page.get_by_label("CVC").fill("123")
    step()
    expect(page).to_have_url(re.compile(r"/checkout/review/$"))
    assert_no_sideways_scroll(page)


def journey(page: Page, base: str, js: bool) -> None:
    add_from_catalog(page, base, js)
    if js:
        page.evaluate("window.__noReload = true")
    page.get_by_role("link", name=re.compile("^Cart")).click()
    if js:
        wait_for_htmx(page)
    expect(page.get_by_test_id("cart-line")).to_have_count(2)
    page.get_by_label("Quantity of Desk lamp").fill("3")
    page.get_by_role("button", name=re.compile("Update.*Desk lamp")).click()
    if js:
        wait_for_htmx(page)
    expect(page.get_by_test_id("cart-count")).to_have_text("4")
    expect(page.get_by_test_id("cart-subtotal")).to_have_text("44.00 EUR")
    expect(page.get_by_test_id("line-total").first).to_have_text("36.00 EUR")

    page.get_by_label("Coupon code").fill("welcome10")
    page.get_by_role("button", name="Apply").click()
    if js:
        wait_for_htmx(page)
    expect(page.get_by_test_id("cart-discount")).to_have_text("−4.40 EUR")
    expect(page.get_by_test_id("cart-total")).to_have_text("39.60 EUR")

    checkout_steps(page, APPROVE, js)
    expect(page.get_by_test_id("review-total")).to_have_text("44.50 EUR")
    page.get_by_test_id("place-order").click()
    if js:
        wait_for_htmx(page)
    expect(page.get_by_test_id("order-status")).to_have_text("Paid")
    number = page.get_by_test_id("order-number").inner_text()
    expect(page.get_by_text(f"Your order {number} is confirmed")).to_be_visible()
    assert_no_sideways_scroll(page)
    expect(page.get_by_test_id("cart-count")).to_have_text("0")
    page.get_by_role("link", name="All your orders").click()
    if js:
        wait_for_htmx(page)
    expect(page.get_by_test_id("order-row")).to_contain_text(number)
    assert Order.objects.get(number=number).total == Decimal("44.50")
    if js:  # every step swapped in place: the window was never reloaded
        assert page.evaluate("window.__noReload") is True


def test_checkout_journey_with_htmx(live_server, page, login_as, shop):
    login_as(UserFactory())
    journey(page, live_server.url, js=True)


def test_checkout_journey_on_a_320_px_phone(live_server, page, login_as, shop):
    """WCAG reflow: the order summary (product, price, qty, total) of the review step and the
    confirmation fits 320 px; nothing scrolls sideways."""
    login_as(UserFactory())
    page.set_viewport_size({"width": 320, "height": 640})
    journey(page, live_server.url, js=True)


def test_cart_updates_without_reload(live_server, page, shop):
    add_from_catalog(page, live_server.url, js=True)
    page.get_by_role("link", name=re.compile("^Cart")).click()
    wait_for_htmx(page)
    page.evaluate("window.__noReload = true")
    page.get_by_label("Quantity of Wool rug").fill("2")
    page.get_by_role("button", name=re.compile("Update.*Wool rug")).click()
    wait_for_htmx(page)
    expect(page.get_by_test_id("cart-count")).to_have_text("3")
    expect(page.get_by_test_id("cart-subtotal")).to_have_text("28.00 EUR")
    # More than the stock: refused with a 400, the message arrives in place, nothing changes.
    page.get_by_label("Quantity of Wool rug").fill("9")
    page.get_by_role("button", name=re.compile("Update.*Wool rug")).click()
    wait_for_htmx(page)
    expect(page.locator("#messages")).to_contain_text("Only 5 of Wool rug left.")
    expect(page.get_by_test_id("cart-count")).to_have_text("3")
    expect(page.get_by_test_id("cart-subtotal")).to_have_text("28.00 EUR")
    page.get_by_role("button", name=re.compile("Remove.*Desk lamp")).click()
    wait_for_htmx(page)
    expect(page.get_by_test_id("cart-line")).to_have_count(1)
    expect(page.get_by_test_id("cart-count")).to_have_text("2")
    assert page.evaluate("window.__noReload") is True


def declined(page: Page, base: str, js: bool) -> None:
    add_from_catalog(page, base, js)
    page.get_by_role("link", name=re.compile("^Cart")).click()
    if js:
        wait_for_htmx(page)
    checkout_steps(page, DECLINE, js)
    page.get_by_test_id("place-order").click()
    if js:
        wait_for_htmx(page)
    expect(page.get_by_text("Your card was declined.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/checkout/payment/$"))
    expect(page.get_by_test_id("cart-count")).to_have_text("2")
    page.get_by_role("link", name="Edit cart").click()
    if js:
        wait_for_htmx(page)
    expect(page.get_by_test_id("cart-line")).to_have_count(2)
    assert not Order.objects.filter(status=Order.Status.PAID).exists()
    assert Order.objects.get().status == Order.Status.CANCELLED


def test_declined_card_keeps_the_cart(live_server, page, shop):
    declined(page, live_server.url, js=True)


def test_declined_card_keeps_the_cart_without_javascript(live_server, browser, shop):
    context = browser.new_context(java_script_enabled=False)
    try:
        declined(context.new_page(), live_server.url, js=False)
    finally:
        context.close()


def test_checkout_journey_without_javascript(live_server, browser, login_as, shop):
    context = browser.new_context(java_script_enabled=False)
    try:
        login_as(UserFactory(), context)
        page = context.new_page()
        journey(page, live_server.url, js=False)
    finally:
        context.close()
