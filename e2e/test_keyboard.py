"""Keyboard only: from the home page to a placed order with Tab, Enter and Space (and typing into
the field Tab reached). No clicks. Along the way: focus is always visible, it stays on the control
after its own swap or moves into the new content, and swapped result counts are announced."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from apps.checkout.models import Order
from e2e.conftest import wait_for_htmx
from e2e.shop import demo_shop
from tests.checkout.factories import ADDRESS, APPROVE
from tests.factories import ProductFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FOCUS_RING = """() => {
    const el = document.activeElement;
    if (!el || el === document.body || !el.matches(':focus-visible')) return false;
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
    return outline || style.boxShadow !== 'none';
}"""


def focused(page: Page, selector: str) -> bool:
    return page.evaluate(
        "(s) => !!document.activeElement && document.activeElement.matches(s)", selector
    )


def tab_to(page: Page, selector: str, max_presses: int = 80) -> None:
    """Press Tab until the focused element matches `selector`; its focus ring must show."""
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        if focused(page, selector):
            assert page.evaluate(FOCUS_RING), f"no visible focus indicator on {selector}"
            return
    active = page.evaluate(
        "() => document.activeElement && document.activeElement.outerHTML.slice(0, 200)"
    )
    raise AssertionError(f"{selector} not reached in {max_presses} Tabs (focus on {active})")


def type_into(page: Page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def press(page: Page, key: str) -> None:
    page.keyboard.press(key)
    wait_for_htmx(page)


def test_home_to_placed_order_by_keyboard_alone(live_server, page, settings):
    settings.ROOT_URLCONF = "e2e.shop"
    shop = demo_shop()
    page.goto(live_server.url + "/")
    page.evaluate("window.__noReload = true")

    # The skip link comes first and lands on the main content.
    tab_to(page, ".skip-link", max_presses=1)
    expect(page.locator(".skip-link")).to_be_visible()

    # Home → catalog (boosted navigation: focus starts at the new page's heading).
    tab_to(page, ".hero-cta")
    press(page, "Enter")
    expect(page).to_have_url(re.compile(r"/catalog/$"))
    assert focused(page, "h1")

    # A search typed and sent with Enter.
    count = page.get_by_test_id("result-count")
    type_into(page, "[data-testid=search-input]", shop.product.name)
    press(page, "Enter")
    expect(page.locator("#results .product-card").first).to_contain_text(shop.product.name)
    expect(page.locator("#announcer")).to_have_text(count.inner_text())

    # A facet checkbox by Space: the results swap, focus stays on the box, the count is announced.
    page.evaluate("document.getElementById('announcer').textContent = ''")
    tab_to(page, "#id_in_stock")
    press(page, "Space")
    expect(page.locator("#id_in_stock")).to_be_checked()
    expect(page).to_have_url(re.compile(r"in_stock=on"))
    assert focused(page, "#id_in_stock")
    expect(page.locator("#announcer")).to_have_text(count.inner_text())

    # The sale product's card → its page.
    tab_to(page, f'#results a.product-card-link[href="{shop.product.get_absolute_url()}"]')
    press(page, "Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(shop.product.name)

    # Two into the cart from the product page: the button keeps focus across its own swap,
    # the badge and the message update in their live regions.
    tab_to(page, ".product-actions .add-qty")
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    tab_to(page, ".product-actions [data-testid=add-to-cart]", 1)
    press(page, "Enter")
    expect(page.get_by_test_id("cart-count")).to_have_text("2")
    assert focused(page, ".product-actions [data-testid=add-to-cart]")
    expect(page.locator("#messages")).to_contain_text("to your cart")

    # The header's cart link.
    tab_to(page, "#cart-badge")
    press(page, "Enter")
    expect(page.get_by_role("heading", name="Your cart")).to_be_visible()

    # A coupon typed and sent with Enter.
    type_into(page, "#coupon-code", "WELCOME10")
    press(page, "Enter")
    expect(page.get_by_test_id("cart-discount")).to_be_visible()

    tab_to(page, ".checkout-button")
    press(page, "Enter")
    expect(page.get_by_role("heading", name="Contact & address")).to_be_visible()

    # Continue with nothing filled in: focus lands on the first field in error, which names it.
    tab_to(page, "#checkout button[type=submit]")
    press(page, "Enter")
    assert focused(page, "#id_email[aria-invalid=true]")
    described = page.evaluate(
        """() => document.activeElement.getAttribute('aria-describedby').split(' ')
                 .map(id => document.getElementById(id).textContent).join(' ')"""
    )
    assert "required" in described

    page.keyboard.type(ADDRESS["email"])
    type_into(page, "#id_full_name", ADDRESS["full_name"])
    type_into(page, "#id_address_line1", ADDRESS["address_line1"])
    type_into(page, "#id_postal_code", ADDRESS["postal_code"])
    type_into(page, "#id_city", ADDRESS["city"])
    tab_to(page, "#checkout button[type=submit]")
    press(page, "Enter")
    expect(page).to_have_url(re.compile(r"/checkout/shipping/$"))
    assert focused(page, "h2")  # the new step's heading: "Shipping method"

    tab_to(page, "#id_method_0")
    press(page, "Space")
    expect(page.locator("#id_method_0")).to_be_checked()
    tab_to(page, "#checkout button[type=submit]")
    press(page, "Enter")
    expect(page).to_have_url(re.compile(r"/checkout/payment/$"))

    type_into(page, "#id_card_number", APPROVE)
    type_into(page, "#id_expiry", "12/40")
    type_into(page, "#id_cvc", "123")
    tab_to(page, "#checkout button[type=submit]")
    press(page, "Enter")
    expect(page).to_have_url(re.compile(r"/checkout/review/$"))

    tab_to(page, "[data-testid=place-order]")
    press(page, "Enter")
    expect(page.get_by_test_id("order-status")).to_have_text("Paid")
    number = page.get_by_test_id("order-number").inner_text()
    order = Order.objects.get(number=number)
    assert order.email == ADDRESS["email"] and order.coupon_code == "WELCOME10"
    assert [line.quantity for line in order.lines.all()] == [2]
    assert page.evaluate("window.__noReload") is True  # every step was an htmx swap


def test_focus_follows_the_cart_when_its_control_disappears(live_server, page):
    lamp = ProductFactory(name="Desk lamp", stock=5)
    ProductFactory(name="Wool rug", stock=5)
    page.goto(live_server.url + lamp.get_absolute_url())
    tab_to(page, ".product-actions [data-testid=add-to-cart]")
    press(page, "Enter")
    expect(page.get_by_test_id("cart-count")).to_have_text("1")
    page.goto(live_server.url + "/cart/")

    # Update keeps focus on its own button (same id in the swapped line).
    tab_to(page, "[id^=qty-]")
    page.keyboard.press("Control+A")
    page.keyboard.type("3")
    tab_to(page, "button[id^=update-]", 1)
    press(page, "Enter")
    expect(page.get_by_test_id("cart-count")).to_have_text("3")
    assert focused(page, "button[id^=update-]")

    # Remove takes the whole line away: focus lands on the cart's heading, not on <body>.
    tab_to(page, ".remove-form button")
    press(page, "Enter")
    expect(page.get_by_test_id("cart-empty")).to_be_visible()
    assert focused(page, "#cart-heading")
