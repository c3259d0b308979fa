"""What the stylesheet promises, measured in Chromium: a 1-4 column product grid, a sticky header
with its cart badge and search box that fits the narrowest phones, a loading bar that moves
nothing, the system's dark mode."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from e2e.journey import assert_no_sideways_scroll
from e2e.shop import demo_shop
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

COLUMNS = "(s) => getComputedStyle(document.querySelector(s)).gridTemplateColumns.split(' ').length"


@pytest.fixture
def shop(settings):
    settings.ROOT_URLCONF = "e2e.shop"
    return demo_shop(products=24)


@pytest.mark.parametrize(("width", "columns"), [(1440, 4), (1024, 3), (390, 2), (300, 1)])
def test_catalog_grid_has_one_to_four_columns(live_server, page, shop, width, columns):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/catalog/")
    assert page.evaluate(COLUMNS, "#results .product-grid") == columns


def test_home_grid_uses_four_columns_on_a_desktop(live_server, page, shop):
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(live_server.url + "/")
    assert page.evaluate(COLUMNS, ".product-grid-block .product-grid") == 4


def test_header_stays_on_top_with_the_cart_badge(live_server, page, shop):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/catalog/")
    page.mouse.wheel(0, 3000)
    page.wait_for_function("() => window.scrollY > 1000")
    assert (
        page.evaluate("() => document.querySelector('.site-header').getBoundingClientRect().top")
        == 0
    )
    expect(page.get_by_test_id("cart-count")).to_be_in_viewport()


# Everything the header offers, each box in CSS px; a long name is what pushes a header wide.
HEADER_PARTS = """() => Array.from(document.querySelectorAll(
    '.site-header a, .site-header button, .site-header input')).filter((el) =>
    el.getClientRects().length > 0 && !el.closest('.visually-hidden, .search-suggestions')
  ).map((el) => {
  const box = el.getBoundingClientRect();
  const label = el.labels && el.labels.length ? el.labels[0].textContent : el.innerText;
  return { name: label.trim(),
           left: box.left, right: box.right, width: box.width, height: box.height };
})"""


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
@pytest.mark.parametrize("width", [320, 360, 390])
def test_header_fits_a_narrow_phone(live_server, page, shop, login_as, width, signed_in):
    """WCAG reflow: at 320 CSS px nothing scrolls sideways. Every header control (brand, search
    box and button, catalog, account or log in, wishlist, cart) is on the screen, none of them
    squeezed under a tap target's 24 px, and the sticky header stays small."""
    if signed_in:
        login_as(UserFactory(first_name="Maximiliana", last_name="Oberstrasse-Lindqvist"))
    page.set_viewport_size({"width": width, "height": 640})
    page.goto(live_server.url + "/catalog/")
    assert_no_sideways_scroll(page)
    parts = page.evaluate(HEADER_PARTS)
    names = [part["name"] for part in parts]
    for expected in ("Search products", "Search", "Catalog", "Wishlist", "Cart"):
        assert any(name.startswith(expected) for name in names), (expected, names)
    assert ("Account" in names and "Log out" in names) if signed_in else ("Log in" in names)
    for part in parts:
        assert part["left"] >= 0 and part["right"] <= width, part
        assert part["width"] >= 24 and part["height"] >= 24, part
    header = page.locator("header.site-header").bounding_box()
    assert header["height"] <= 75, header  # two short rows, also on a 320 px phone


def test_phone_header_search_suggests(live_server, page, shop):
    """On a phone the header's search box is there and its suggestions fit the screen."""
    page.set_viewport_size({"width": 360, "height": 640})
    page.goto(live_server.url + "/")
    box = page.get_by_role("combobox", name="Search products")
    expect(box).to_be_visible()
    box.press_sequentially(shop.product.name.split()[-1], delay=60)
    listbox = page.get_by_role("listbox")
    expect(listbox).to_be_visible()
    area = listbox.bounding_box()
    assert area["x"] >= 0 and area["x"] + area["width"] <= 360, area
    assert area["width"] >= 0.5 * 360, area  # the list spans the box and its button
    box.press("ArrowDown")
    href = page.locator(f"#{box.get_attribute('aria-activedescendant')}").get_attribute("href")
    box.press("Enter")
    expect(page).to_have_url(live_server.url + href)


# The catalog toolbar's four controls, each with the top and bottom of its box.
TOOLBAR_BOXES = """() => Object.fromEntries([
    ['search', '[data-testid=search-input]'], ['apply', '.apply-filters'],
    ['sort', 'select[name=sort]'], ['per_page', 'select[name=per_page]'],
  ].map(([name, selector]) => {
    const box = document.querySelector(selector).getBoundingClientRect();
    return [name, {top: Math.round(box.top), bottom: Math.round(box.bottom),
                   left: box.left, right: box.right}];
  }))"""


@pytest.mark.parametrize("width", [320, 390])
def test_phone_catalog_toolbar_takes_two_rows(live_server, page, shop, width):
    """On a phone the products start a row higher: the search box shares its row with a short
    "Apply" (named "Apply filters" for screen readers), sort and page size share the next."""
    page.set_viewport_size({"width": width, "height": 720})
    page.goto(live_server.url + "/catalog/")
    boxes = page.evaluate(TOOLBAR_BOXES)
    search, apply, sort, per_page = (boxes[k] for k in ("search", "apply", "sort", "per_page"))
    assert apply["top"] < search["bottom"] and search["top"] < apply["bottom"], boxes
    assert search["right"] <= apply["left"], boxes
    assert sort["top"] == per_page["top"] and sort["right"] <= per_page["left"], boxes
    assert sort["top"] >= search["bottom"], boxes
    hidden = "(el) => el.getBoundingClientRect().width <= 1"
    assert page.locator(".apply-filters-more").evaluate(hidden)  # shows "Apply" alone
    expect(page.get_by_role("button", name="Apply filters")).to_be_visible()
    assert_no_sideways_scroll(page, f"catalog at {width} px")


def test_loading_bar_shows_without_moving_the_page(live_server, page, shop):
    page.emulate_media(reduced_motion="reduce")
    page.goto(live_server.url + "/catalog/")
    indicator = page.locator("#page-indicator")
    top = "() => document.getElementById('main').getBoundingClientRect().top"
    before = page.evaluate(top)
    assert indicator.evaluate("el => getComputedStyle(el).opacity") == "0"
    # What htmx does to the hx-indicator while a request is in flight.
    indicator.evaluate("el => el.classList.add('htmx-request')")
    assert indicator.evaluate("el => getComputedStyle(el).opacity") == "1"
    assert indicator.evaluate("el => el.getBoundingClientRect().height") > 0
    assert page.evaluate(top) == before


def test_dark_mode_follows_the_system(live_server, page, shop):
    background = "() => getComputedStyle(document.documentElement).backgroundColor"
    page.emulate_media(color_scheme="light", reduced_motion="reduce")
    page.goto(live_server.url + "/")
    light = page.evaluate(background)
    page.emulate_media(color_scheme="dark", reduced_motion="reduce")
    dark = page.evaluate(background)
    luminance = "(c) => c.match(/\\d+/g).slice(0, 3).reduce((a, b) => a + Number(b), 0)"
    assert page.evaluate(luminance, light) > 600 and page.evaluate(luminance, dark) < 150
