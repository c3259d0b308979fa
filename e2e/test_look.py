"""What the stylesheet promises, measured in Chromium: a 1-4 column product grid, a sticky header
with its cart badge, a loading bar that moves nothing, the system's dark mode."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from e2e.shop import demo_shop

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
