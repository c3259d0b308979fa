"""Phone (390×844) and desktop (1440×900) screenshots of the main pages, saved to e2e-screens/
on every run (gitignored). docs/screenshots/ keeps two of them for the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import session_cookie, wait_for_htmx
from e2e.shop import demo_shop
from tests.checkout.factories import ADDRESS
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENS = Path(__file__).resolve().parent.parent / "e2e-screens"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1440, "height": 900}}


def images_loaded(page: Page) -> None:
    """Every image in the viewport has decoded: a screenshot never shows half-loaded cards."""
    page.wait_for_function(
        """() => [...document.images].every(img => {
            const box = img.getBoundingClientRect();
            const visible = box.top < innerHeight && box.bottom > 0;
            return !visible || (img.complete && img.naturalWidth > 0);
        })"""
    )


@pytest.mark.parametrize("device", VIEWPORTS)
def test_screenshots_of_the_main_pages(live_server, browser, settings, device):
    settings.ROOT_URLCONF = "e2e.shop"
    shop = demo_shop()
    SCREENS.mkdir(exist_ok=True)
    context = browser.new_context(
        viewport=VIEWPORTS[device],
        device_scale_factor=1,
        is_mobile=device == "phone",
        has_touch=device == "phone",
        locale="en-GB",
        reduced_motion="reduce",
    )
    try:
        context.add_cookies([session_cookie(live_server, UserFactory(first_name="Ada"))])
        page = context.new_page()
        base = live_server.url

        def shot(name: str) -> None:
            wait_for_htmx(page)
            page.evaluate("window.scrollTo(0, 0)")
            images_loaded(page)
            path = SCREENS / f"{device}-{name}.png"
            page.screenshot(path=path)
            assert path.stat().st_size > 10_000  # a rendered page, not a blank one

        page.goto(base + "/")
        expect(page.get_by_test_id("hero-heading")).to_be_visible()
        shot("home")
        page.goto(base + "/catalog/")
        expect(page.locator("#results .product-card img").first).to_be_visible()
        shot("catalog")
        page.emulate_media(color_scheme="dark")  # the system's dark setting
        shot("catalog-dark")
        page.emulate_media(color_scheme="light")
        page.goto(base + shop.product.get_absolute_url())
        expect(page.locator(".product-info .compare-at-price")).to_be_visible()
        shot("product")
        page.locator(".product-actions").get_by_test_id("wishlist-heart").click()
        wait_for_htmx(page)
        page.locator(".product-actions").get_by_role(
            "button", name=re.compile("Add to cart")
        ).click()
        wait_for_htmx(page)
        expect(page.get_by_test_id("cart-count")).to_have_text("1")
        page.goto(base + shop.low_stock.get_absolute_url())
        page.locator(".product-actions").get_by_role(
            "button", name=re.compile("Add to cart")
        ).click()
        wait_for_htmx(page)
        page.goto(base + "/cart/")
        expect(page.get_by_test_id("cart-line")).to_have_count(2)
        shot("cart")
        page.goto(base + "/checkout/address/")
        page.get_by_label("E-mail").fill(ADDRESS["email"])
        page.get_by_label("Full name").fill(ADDRESS["full_name"])
        shot("checkout")
        page.goto(base + "/wishlist/")
        expect(page.get_by_test_id("wishlist-row")).to_have_count(1)
        shot("wishlist")
    finally:
        context.close()
