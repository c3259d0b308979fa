"""Accessibility audits (axe-core) of every page a shopper meets: no serious or critical violation.

The shop is seed_demo's catalog with its images and the default home layout (e2e/shop.py), so
the audits see what a shopper sees: product grids, sale prices, stock badges, hearts, forms.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.a11y import assert_accessible, axe_violations
from e2e.conftest import wait_for_htmx
from e2e.shop import demo_shop
from tests.checkout.factories import APPROVE
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop(settings):
    settings.ROOT_URLCONF = "e2e.shop"
    return demo_shop()


def audit(page: Page) -> None:
    """The page in the system's light and dark colour schemes (contrast differs). Reduced motion
    turns the colour transitions off, so axe reads the scheme's colours, not a blend."""
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme, reduced_motion="reduce")
        assert_accessible(page, f"({scheme} scheme)")
    page.emulate_media(color_scheme="light")


@pytest.mark.parametrize("path", ["/", "/catalog/", "/accounts/login/", "/accounts/signup/"])
def test_page_has_no_serious_axe_violation(live_server, page, shop, path):
    page.goto(live_server.url + path)
    audit(page)


def test_cms_page(live_server, page, shop):
    page.goto(live_server.url + shop.cms_path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Delivery and returns")
    audit(page)


def test_product_page(live_server, page, shop):
    page.goto(live_server.url + shop.product.get_absolute_url())
    expect(page.locator(".product-info .compare-at-price")).to_be_visible()
    audit(page)
    page.goto(live_server.url + shop.low_stock.get_absolute_url())
    expect(page.get_by_test_id("stock-status")).to_contain_text(re.compile(r"Only \d left"))
    audit(page)


def test_catalog_before_and_after_a_filter_swap(live_server, page, shop):
    page.goto(live_server.url + "/catalog/")
    count = page.get_by_test_id("result-count")
    before = count.inner_text()
    audit(page)
    page.evaluate("window.__noReload = true")
    page.locator("#id_in_stock").check()
    wait_for_htmx(page)
    expect(count).not_to_have_text(before)
    assert page.evaluate("window.__noReload") is True  # swapped in place, not reloaded
    audit(page)


def test_login_with_errors(live_server, page, shop):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("nobody")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    wait_for_htmx(page)
    expect(page.get_by_role("alert")).to_be_visible()
    audit(page)


def test_cart_every_checkout_step_and_the_confirmation(live_server, page, shop):
    base = live_server.url
    page.goto(base + shop.product.get_absolute_url())
    page.get_by_role("button", name=re.compile("Add to cart")).click()
    wait_for_htmx(page)
    page.goto(base + shop.low_stock.get_absolute_url())
    page.get_by_role("button", name=re.compile("Add to cart")).click()
    wait_for_htmx(page)
    expect(page.get_by_test_id("cart-count")).to_have_text("2")

    page.goto(base + "/cart/")
    expect(page.get_by_test_id("cart-line")).to_have_count(2)
    page.get_by_label("Coupon code").fill("NOPE")
    page.get_by_role("button", name="Apply").click()
    wait_for_htmx(page)
    expect(page.get_by_test_id("coupon-error")).to_be_visible()
    audit(page)  # a cart with items and a refused coupon
    page.get_by_label("Coupon code").fill("WELCOME10")
    page.get_by_role("button", name="Apply").click()
    wait_for_htmx(page)
    expect(page.get_by_test_id("cart-discount")).to_be_visible()
    audit(page)

    page.get_by_role("button", name="Check out").click()
    wait_for_htmx(page)
    expect(page.get_by_role("heading", name="Contact & address")).to_be_visible()
    audit(page)
    continue_button = page.get_by_role("button", name="Continue")
    continue_button.click()  # empty: every required field in error
    wait_for_htmx(page)
    expect(page.locator("#checkout [aria-invalid='true']").first).to_be_visible()
    audit(page)
    page.get_by_label("E-mail").fill("ada@example.com")
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Street and number").fill("1 Analytical Way")
    page.get_by_label("Postal code").fill("10115")
    page.get_by_label("City").fill("Berlin")
    page.get_by_label("Country").select_option("DE")
    continue_button.click()
    wait_for_htmx(page)
    expect(page).to_have_url(re.compile(r"/checkout/shipping/$"))
    audit(page)
    page.get_by_label(re.compile("Standard delivery")).check()
    continue_button.click()
    wait_for_htmx(page)
    expect(page).to_have_url(re.compile(r"/checkout/payment/$"))
    audit(page)
    page.get_by_label("Card number").fill(APPROVE)
    page.get_by_label("Expiry (MM/YY)").fill("12/40")
    page.get_by_label("CVC").fill("123")
    continue_button.click()
    wait_for_htmx(page)
    expect(page).to_have_url(re.compile(r"/checkout/review/$"))
    audit(page)
    page.get_by_test_id("place-order").click()
    wait_for_htmx(page)
    expect(page.get_by_test_id("order-status")).to_have_text("Paid")
    audit(page)


def test_wishlist_page(live_server, page, login_as, shop):
    page.goto(live_server.url + "/wishlist/")  # anonymous, nothing saved in this browser
    expect(page.get_by_test_id("wishlist-empty")).to_be_visible()
    audit(page)
    login_as(UserFactory())
    page.goto(live_server.url + shop.product.get_absolute_url())
    page.locator(".product-actions").get_by_test_id("wishlist-heart").click()
    wait_for_htmx(page)
    page.goto(live_server.url + shop.low_stock.get_absolute_url())
    page.locator(".product-actions").get_by_test_id("wishlist-heart").click()
    wait_for_htmx(page)
    page.goto(live_server.url + "/wishlist/")
    expect(page.get_by_test_id("wishlist-row")).to_have_count(2)
    audit(page)


def test_account_pages(live_server, page, login_as, shop):
    """The account area, its forms with errors, and the password reset pages."""
    page.goto(live_server.url + "/accounts/password/reset/")
    audit(page)
    page.get_by_role("button", name="Send the link").click()  # empty: the field's error
    wait_for_htmx(page)
    expect(page.locator("#id_email_error")).to_be_visible()
    audit(page)
    login_as(UserFactory())
    for path in ("/accounts/", "/accounts/orders/", "/accounts/addresses/", "/accounts/delete/"):
        page.goto(live_server.url + path)
        audit(page)
    page.goto(live_server.url + "/accounts/addresses/new/")
    page.get_by_role("button", name="Save address").click()
    wait_for_htmx(page)
    expect(page.locator("#id_full_name_error")).to_be_visible()
    audit(page)
    page.get_by_label("Full name").fill("Ada Home")
    page.get_by_label("Street and number").fill("1 Home Street")
    page.get_by_label("Postal code").fill("10115")
    page.get_by_label("City").fill("Berlin")
    page.get_by_role("button", name="Save address").click()
    wait_for_htmx(page)
    expect(page.get_by_test_id("saved-address")).to_have_count(1)
    audit(page)


def test_axe_catches_a_real_problem(live_server, page):
    """The audit can fail: an image without alt text and an unlabelled input are reported."""
    page.goto(live_server.url + "/")
    page.evaluate(
        """() => {
            const main = document.querySelector('main');
            const img = document.createElement('img'); img.src = '/static/x.png';
            const input = document.createElement('input'); input.type = 'text';
            main.append(img, input);
        }"""
    )
    ids = {v["id"] for v in axe_violations(page)}
    assert {"image-alt", "label"} <= ids
