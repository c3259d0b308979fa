"""A new visitor clicks through every page type, on a desktop, a phone and a 320 px phone,
against the shop served the way docker-compose.yml serves it (nginx for /static/ and /media/,
gunicorn with shop.settings.prod), or against any shop given with --base-url.

Only the first page is opened by URL; everything else is reached by clicking links and buttons,
so hx-boost does what it does for people (swap the body, keep the <head>). On every page: the
page's own layout is applied (computed styles), every <img> loaded, and on the phone nothing is
wider than the screen. Console errors, page errors, failed requests and answers >= 400 fail it.

`test_browse_without_changing_anything` only reads (no account, no order): safe against a live
shop. Against a remote shop the shopper of the full journey signs up through the site; its
marketer step needs an account with the layout permission there: E2E_MARKETER_USERNAME and
E2E_MARKETER_PASSWORD (README).
"""

from __future__ import annotations

import json
import os
import re
import secrets

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import remote_base_url, wait_for_htmx
from e2e.journey import Watch, assert_clean_url, check_page, grid_columns, style

pytestmark = [pytest.mark.e2e, pytest.mark.remote]

# A common phone, and the narrowest width WCAG's reflow asks for (320 CSS px: a small phone, or a
# desktop browser zoomed to 400 %).
VIEWPORTS = {"desktop": (1440, 900), "phone": (390, 844), "small-phone": (320, 720)}
APPROVE = "4242 4242 4242 4242"  # the built-in test gateway's approving card


# --- Each page's own layout --------------------------------------------------------------------


def home_layout(page: Page, phone: bool) -> None:
    expect(page.locator(".layout-block-hero").first).to_be_visible()
    assert grid_columns(page, ".product-grid") >= (1 if phone else 2)
    assert grid_columns(page, ".layout-columns") == (1 if phone else 2)


def listing_layout(page: Page, phone: bool) -> None:
    assert style(page, ".catalog-layout", "display") == "grid"
    assert grid_columns(page, ".catalog-layout") == (1 if phone else 2)
    # Two columns of cards from a 360 px screen; one on the narrowest (a card would be 136 px).
    assert grid_columns(page, ".product-grid") >= (2 if page.viewport_size["width"] >= 360 else 1)
    assert style(page, ".catalog-toolbar", "display") in ("flex", "grid")
    facets = page.locator("fieldset.facet")
    assert facets.count() >= 2
    if phone:  # every filter group one tap away, none off-screen to the side
        panel = page.get_by_test_id("filters-panel")
        if not panel.evaluate("el => el.open"):
            panel.locator("summary").click()
    width = page.viewport_size["width"]
    for i in range(facets.count()):
        facet = facets.nth(i)
        facet.scroll_into_view_if_needed()
        expect(facet).to_be_visible()
        box = facet.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (i, box)
    if phone:
        page.get_by_test_id("filters-panel").locator("summary").click()


def subcategory_chips(page: Page, phone: bool) -> None:
    listing_layout(page, phone)
    chips = page.locator(".subcategories")
    if chips.count():
        assert style(page, ".subcategories", "display") == "flex"
        assert style(page, ".subcategories li", "list-style-type") == "none"


def product_layout(page: Page, phone: bool) -> None:
    assert style(page, ".product-page", "display") == "grid"
    assert grid_columns(page, ".product-page") == (1 if phone else 2)
    assert style(page, ".add-to-cart", "display") == "flex"


def cart_layout(page: Page, phone: bool) -> None:
    assert style(page, ".cart-line", "display") == "grid"
    assert style(page, ".cart-lines", "list-style-type") == "none"
    width = page.viewport_size["width"]
    for button in page.get_by_role("button", name=re.compile("^Remove")).all():
        box = button.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, box
    name = page.locator(".line-name").first.bounding_box()
    assert name["width"] >= 120, name  # names are not squeezed into a sliver


def checkout_layout(page: Page, phone: bool) -> None:
    assert style(page, ".checkout", "max-width") == "672px"  # 42rem
    assert style(page, ".checkout-steps", "display") == "flex"
    assert style(page, ".checkout-steps li", "list-style-type") == "none"


def order_layout(page: Page, phone: bool) -> None:
    assert style(page, ".review-totals", "display") == "grid"


def orders_layout(page: Page, phone: bool) -> None:
    expect(page.get_by_test_id("order-row").first).to_be_visible()
    table = page.locator(".orders-table").bounding_box()
    assert table["width"] <= page.viewport_size["width"], table  # no sideways scrolling


def wishlist_layout(page: Page, phone: bool) -> None:
    assert style(page, ".wishlist-list", "list-style-type") == "none"
    assert style(page, ".wishlist-row", "display") == "grid"


def cms_layout(page: Page, phone: bool) -> None:
    assert style(page, ".cms-page", "max-width") == "736px"  # 46rem


def form_layout(page: Page, phone: bool) -> None:
    assert style(page, ".narrow", "max-width") == "512px"  # 32rem


def toolbar_layout(page: Page, phone: bool) -> None:
    toolbar = page.get_by_test_id("layout-toolbar")
    expect(toolbar).to_be_visible()
    assert style(page, ".layout-toolbar", "display") == "flex"
    if not phone:  # every control on one row
        tops = toolbar.locator("button, a").evaluate_all(
            "els => els.map(e => Math.round(e.getBoundingClientRect().top))"
        )
        assert max(tops) - min(tops) <= 8, tops
    assert grid_columns(page, ".layout-columns") == (1 if phone else 2)


# --- The journey -------------------------------------------------------------------------------


def settle(page: Page) -> None:
    wait_for_htmx(page)
    page.wait_for_load_state("load")


def click(page: Page, locator) -> None:
    locator.click()
    settle(page)


def catalog_requests(page: Page, action) -> list[str]:
    """The requests for catalog pages or fragments that `action` made."""
    seen: list[str] = []

    def record(request) -> None:
        if "/catalog/" in request.url and request.resource_type in ("xhr", "fetch", "document"):
            seen.append(request.url)

    page.on("request", record)
    action()
    settle(page)
    page.remove_listener("request", record)
    return seen


def shopper_and_marketer_journey(page: Page, base: str, phone: bool, marketer) -> None:
    page.goto(base + "/")
    check_page(page, "home", phone, home_layout)
    banner_code = page.locator(".promo-banner code")
    code = banner_code.first.inner_text().strip() if banner_code.count() else ""

    # Sign up through the site: every shopper of this journey is new.
    click(page, page.get_by_role("link", name="Sign up"))
    check_page(page, "signup", phone, form_layout)
    username = f"shopper{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(16)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Your name").fill("Journey Shopper")
    page.get_by_label("Email").fill(f"{username}@example.com")
    page.locator("#id_password1").fill(password)
    page.locator("#id_password2").fill(password)
    click(page, page.get_by_role("button", name="Sign up"))
    expect(page.get_by_test_id("user-name")).to_have_count(1)

    click(page, page.get_by_role("link", name="Catalog", exact=True))
    expect(page.get_by_role("heading", level=1, name="Catalog")).to_be_visible()
    check_page(page, "catalog", phone, subcategory_chips)

    click(page, page.locator(".subcategories a").first)
    check_page(page, "category", phone, listing_layout)
    # Ticking a filter pushes a URL without empty parameters.
    if phone:
        page.get_by_test_id("filters-panel").locator("summary").click()
    click(page, page.locator("fieldset.facet[data-facet] input[type=checkbox]").first)
    assert_clean_url(page)
    if phone:
        page.get_by_test_id("filters-panel").locator("summary").click()

    # Search: Enter sends exactly one request, and the address bar shows a clean URL.
    word = page.locator(".product-card .product-name").first.inner_text().split()[-1]
    search = page.get_by_test_id("search-input")
    search.fill(word)
    sent = catalog_requests(page, lambda: search.press("Enter"))
    assert len(sent) == 1, sent
    assert_clean_url(page)
    expect(page.get_by_test_id("result-count")).to_contain_text(word)
    check_page(page, "search", phone, listing_layout)

    product = page.locator(
        "article.product-card:not(:has(.stock-badge.out)) .product-card-link"
    ).first
    click(page, product)
    check_page(page, "product", phone, product_layout)
    click(page, page.locator(".product-actions").get_by_test_id("add-to-cart"))
    expect(page.get_by_test_id("cart-count")).to_have_text("1")
    click(page, page.locator(".product-actions").get_by_test_id("wishlist-heart"))
    expect(page.get_by_test_id("wishlist-count")).to_have_text("1")

    click(page, page.locator("#cart-badge"))
    expect(page.get_by_test_id("cart-line")).to_have_count(1)
    if code:  # the code the home banner advertises applies
        page.get_by_label("Coupon code").fill(code)
        click(page, page.get_by_role("button", name="Apply", exact=True))
        expect(page.get_by_test_id("cart-discount")).to_be_visible()
    check_page(page, "cart", phone, cart_layout)

    click(page, page.get_by_role("button", name="Check out"))
    expect(page).to_have_url(re.compile(r"/checkout/address/$"))
    check_page(page, "checkout-address", phone, checkout_layout)
    page.get_by_label("E-mail").fill(f"{username}@example.com")
    page.get_by_label("Full name").fill("Journey Shopper")
    page.get_by_label("Street and number").fill("1 Analytical Way")
    page.get_by_label("Postal code").fill("10115")
    page.get_by_label("City").fill("Berlin")
    page.get_by_label("Country").select_option("DE")
    click(page, page.get_by_role("button", name="Continue"))
    expect(page).to_have_url(re.compile(r"/checkout/shipping/$"))
    check_page(page, "checkout-shipping", phone, checkout_layout)
    page.get_by_label(re.compile("Standard delivery")).check()
    click(page, page.get_by_role("button", name="Continue"))
    expect(page).to_have_url(re.compile(r"/checkout/payment/$"))
    check_page(page, "checkout-payment", phone, checkout_layout)
    page.get_by_label("Card number").fill(APPROVE)
    page.get_by_label("Expiry (MM/YY)").fill("12/40")
    page.get_by_label("CVC").fill("123")
    click(page, page.get_by_role("button", name="Continue"))
    expect(page).to_have_url(re.compile(r"/checkout/review/$"))
    check_page(page, "checkout-review", phone, checkout_layout)
    click(page, page.get_by_test_id("place-order"))
    expect(page.get_by_test_id("order-status")).to_have_text("Paid")
    number = page.get_by_test_id("order-number").inner_text()
    check_page(page, "confirmation", phone, order_layout)

    click(page, page.get_by_role("link", name="All your orders"))
    expect(page.get_by_test_id("order-row").first).to_contain_text(number)
    check_page(page, "orders", phone, orders_layout)
    click(page, page.get_by_role("link", name=number))
    expect(page.get_by_test_id("order-number")).to_have_text(number)
    check_page(page, "order", phone, order_layout)

    click(page, page.locator("#wishlist-link"))
    expect(page.get_by_test_id("wishlist-row")).to_have_count(1)
    check_page(page, "wishlist", phone, wishlist_layout)

    click(page, page.locator(".brand"))
    click(page, page.get_by_role("link", name="Delivery and returns"))
    check_page(page, "cms-page", phone, cms_layout)

    click(page, page.get_by_role("button", name="Log out"))
    click(page, page.get_by_role("link", name="Log in"))
    check_page(page, "login", phone, form_layout)
    if marketer is None:
        return
    page.get_by_label("Username").fill(marketer[0])
    page.get_by_label("Password").fill(marketer[1])
    click(page, page.get_by_role("button", name="Log in"))
    check_page(page, "marketer-home", phone, toolbar_layout)


@pytest.fixture
def marketer(request) -> tuple[str, str] | None:
    """A marketer's login: made here on the local server; from the environment for a remote one."""
    if remote_base_url(request.config):
        username = os.environ.get("E2E_MARKETER_USERNAME")
        password = os.environ.get("E2E_MARKETER_PASSWORD")
        return (username, password) if username and password else None
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    from tests.layout.factories import marketer as make_marketer

    password = secrets.token_urlsafe(16)
    user = make_marketer(username="journey-marketer")
    # Hashed with production's hasher: the test settings' fast one is not in prod's list.
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(password, hasher.salt())
    user.save(update_fields=["password"])
    return user.username, password


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_click_through_every_page_type(browser, shop_url, marketer, viewport):
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="en-GB", base_url=shop_url
    )
    page = context.new_page()
    watch = Watch().attach(page)
    try:
        shopper_and_marketer_journey(page, shop_url, viewport != "desktop", marketer)
    finally:
        context.close()
    problems = watch.problems()
    assert not problems, json.dumps(problems, indent=1)


def browsing_journey(page: Page, base: str, phone: bool) -> None:
    """Read-only: nothing is created or changed, so it may run against a live shop."""
    page.goto(base + "/")
    check_page(page, "browse-home", phone, home_layout)
    click(page, page.get_by_role("link", name="Delivery and returns"))
    check_page(page, "browse-cms-page", phone, cms_layout)
    click(page, page.get_by_role("link", name="Catalog", exact=True))
    check_page(page, "browse-catalog", phone, subcategory_chips)
    click(page, page.locator(".subcategories a").first)
    check_page(page, "browse-category", phone, listing_layout)
    word = page.locator(".product-card .product-name").first.inner_text().split()[-1]
    search = page.get_by_test_id("search-input")
    search.fill(word)
    sent = catalog_requests(page, lambda: search.press("Enter"))
    assert len(sent) == 1, sent
    assert_clean_url(page)
    click(page, page.locator(".product-card-link").first)
    check_page(page, "browse-product", phone, product_layout)
    click(page, page.locator("#cart-badge"))
    expect(page.get_by_test_id("cart-empty")).to_be_visible()
    click(page, page.locator("#wishlist-link"))
    check_page(page, "browse-wishlist", phone, lambda page, phone: None)
    click(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in"))
    check_page(page, "browse-login", phone, form_layout)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_browse_without_changing_anything(browser, shop_url, viewport):
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="en-GB", base_url=shop_url
    )
    page = context.new_page()
    watch = Watch().attach(page)
    try:
        browsing_journey(page, shop_url, viewport != "desktop")
    finally:
        context.close()
    problems = watch.problems()
    assert not problems, json.dumps(problems, indent=1)
