"""Buying a boot in a colour and sizes, in Chromium: with htmx (in place, the URL following the
choice) and with JavaScript disabled (the same form re-renders the page)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from apps.checkout.models import Order
from e2e.conftest import wait_for_htmx
from e2e.test_checkout import checkout_steps
from tests.checkout.factories import APPROVE
from tests.factories import AttributeDefinitionFactory, ProductImageFactory, UserFactory, boot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def trail_boot():
    AttributeDefinitionFactory(slug="colour", name="Colour", sort_order=0)
    AttributeDefinitionFactory(slug="size", name="Size", sort_order=1)
    prices = {
        (c, s): "99.00" if c == "Brown" else "89.00"
        for c in ("Black", "Brown")
        for s in ("41", "42", "43")
    }
    product, variants = boot(
        sizes=("41", "42", "43"),
        colours=("Black", "Brown"),
        price=prices,
        stock={("Black", "41"): 10, ("Brown", "41"): 2, ("Black", "43"): 0},
    )
    for order, colour in enumerate(("Black", "Brown")):
        ProductImageFactory(
            product=product,
            alt_text=f"Trail boot in {colour.lower()}",
            option_value=colour,
            is_primary=order == 0,
            sort_order=order,
        )
    return product, variants


def choose(page: Page, js: bool, **options: str) -> None:
    for slug, value in options.items():
        page.locator(f"#opt-{slug}-{value.lower()}").check()
        if js:
            wait_for_htmx(page)
    if not js:
        page.get_by_role("button", name="Show this choice").click()


def add(page: Page, js: bool, count: str) -> None:
    page.locator(".product-actions").get_by_test_id("add-to-cart").click()
    if js:
        wait_for_htmx(page)
    expect(page.get_by_test_id("cart-count")).to_have_text(count)


def journey(page: Page, base: str, product, variants, js: bool) -> None:
    page.goto(base + product.get_absolute_url())
    if js:
        page.evaluate("window.__noReload = true")
    expect(page.get_by_test_id("sku")).to_have_text(f"SKU {variants[('Black', '41')].sku}")
    expect(page.get_by_test_id("product-price")).to_have_text("89.00 EUR")

    choose(page, js, colour="Brown")
    brown = variants[("Brown", "41")]
    expect(page).to_have_url(re.compile(rf"\?variant={brown.sku}$"))
    expect(page.get_by_test_id("product-price")).to_have_text("99.00 EUR")
    expect(page.get_by_test_id("stock-status")).to_contain_text("Only 2 left")
    expect(page.get_by_test_id("gallery-main")).to_have_attribute("alt", "Trail boot in brown")

    choose(page, js, size="42")
    expect(page).to_have_url(re.compile(rf"\?variant={variants[('Brown', '42')].sku}$"))
    add(page, js, "1")
    choose(page, js, size="43")
    expect(page.get_by_test_id("sku")).to_have_text(f"SKU {variants[('Brown', '43')].sku}")
    add(page, js, "2")

    # Black 43 is sold out: shown as such, and the button cannot add it.
    choose(page, js, colour="Black")
    expect(page.get_by_test_id("stock-status")).to_contain_text("Sold out")
    expect(page.locator('label[for="opt-size-43"]')).to_contain_text("sold out")
    expect(page.locator(".product-actions").get_by_test_id("add-to-cart")).to_be_disabled()
    if js:  # every choice swapped in place
        assert page.evaluate("window.__noReload") is True

    # A direct link to a choice works too.
    page.goto(
        base
        + variants[("Brown", "42")].product.get_absolute_url()
        + "?variant="
        + variants[("Brown", "42")].sku
    )
    expect(page.get_by_test_id("product-price")).to_have_text("99.00 EUR")
    expect(page.locator("#opt-size-42")).to_be_checked()

    page.get_by_role("link", name=re.compile("^Cart")).click()
    if js:
        wait_for_htmx(page)
    expect(page.get_by_test_id("cart-line")).to_have_count(2)
    expect(page.get_by_test_id("cart-line").first).to_contain_text("Trail boot (Brown / 42)")
    expect(page.get_by_test_id("cart-line").last).to_contain_text("Trail boot (Brown / 43)")

    checkout_steps(page, APPROVE, js)
    page.get_by_test_id("place-order").click()
    if js:
        wait_for_htmx(page)
    expect(page.get_by_test_id("order-status")).to_have_text("Paid")
    lines = page.get_by_test_id("order-line")
    expect(lines).to_have_count(2)
    expect(lines.first).to_contain_text("Size: 42")
    expect(lines.last).to_contain_text("Size: 43")
    order = Order.objects.get()
    assert sorted(line.sku for line in order.lines.all()) == sorted(
        [variants[("Brown", "42")].sku, variants[("Brown", "43")].sku]
    )
    assert order.subtotal == Decimal("198.00")


def test_buying_two_sizes_of_a_boot_with_htmx(live_server, page, login_as, trail_boot):
    login_as(UserFactory())
    journey(page, live_server.url, *trail_boot, js=True)


def test_buying_two_sizes_of_a_boot_without_javascript(live_server, browser, login_as, trail_boot):
    context = browser.new_context(java_script_enabled=False)
    try:
        login_as(UserFactory(), context)
        journey(context.new_page(), live_server.url, *trail_boot, js=False)
    finally:
        context.close()
