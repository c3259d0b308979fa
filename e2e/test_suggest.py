"""The header search box suggests as the shopper types: a WAI-ARIA combobox driven by keys and
mouse, in real Chromium at desktop width, with no console errors and no axe violations."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from e2e.a11y import assert_accessible
from e2e.conftest import wait_for_htmx
from tests.factories import (
    AttributeDefinitionFactory,
    CategoryFactory,
    ProductAttributeFactory,
    ProductFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def watch_console(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(f"{m.text} @ {m.location}"))
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def type_and_wait(page: Page, box, text: str) -> None:
    """Type like a person (60 ms a key), then wait until the suggestions for the whole text have
    arrived and settled. htmx sends the request 250 ms after the last key (`delay:250ms`), so
    waiting for "no request in flight" alone could return before it even started, and its late
    answer would then replace the list (and its active option) under the next key presses."""
    expected = box.input_value() + text

    def answers_text(response) -> bool:
        url = urlsplit(response.url)
        return url.path.endswith("/search/suggest/") and parse_qs(url.query).get("q") == [expected]

    with page.expect_response(answers_text):
        box.press_sequentially(text, delay=60)
    wait_for_htmx(page)


def active_id(page: Page) -> str | None:
    return page.get_by_role("combobox").get_attribute("aria-activedescendant")


@pytest.fixture
def catalog():
    shoes = CategoryFactory(name="Shoes", slug="shoes")
    brand = AttributeDefinitionFactory(slug="brand", name="Brand")
    for name, slug in (("Trail Boots", "trail-boots"), ("Rain Boots", "rain-boots")):
        product = ProductFactory(name=name, slug=slug, category=shoes)
        ProductAttributeFactory(product=product, definition=brand, value="Bootmaker")
    ProductFactory(name="Teapot", slug="teapot")


def test_type_arrow_enter_and_escape(live_server, page, catalog):
    errors = watch_console(page)
    page.goto(live_server.url + "/")
    box = page.get_by_role("combobox", name="Search products")
    listbox = page.get_by_role("listbox")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_have_attribute("aria-autocomplete", "list")
    expect(box).to_have_attribute("aria-controls", "search-listbox")

    box.click()
    type_and_wait(page, box, "boot")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    options = listbox.get_by_role("option")
    expect(options).to_have_text(
        [re.compile("Rain Boots"), re.compile("Trail Boots"), re.compile("Bootmaker")]
    )
    expect(page.locator("#announcer")).to_have_text("3 suggestions")
    assert_accessible(page, "suggestions open")

    # Still typing: a typo is forgiven, the list follows.
    type_and_wait(page, box, "s")
    expect(options.first).to_have_text(re.compile("Boots"))

    box.press("ArrowDown")
    first = active_id(page)
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    box.press("ArrowDown")
    second = active_id(page)
    assert first and second and first != second
    expect(page.locator(f"#{second}")).to_have_attribute("aria-selected", "true")
    expect(page.locator(f"#{first}")).to_have_attribute("aria-selected", "false")
    box.press("ArrowUp")
    assert active_id(page) == first
    box.press("End")
    assert active_id(page) == options.last.get_attribute("id")
    box.press("Home")
    assert active_id(page) == first
    expect(box).to_be_focused()  # focus never left the text box

    box.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(listbox).to_be_hidden()
    assert active_id(page) is None
    expect(box).to_have_value("boots")

    # ArrowDown opens the list again; Enter follows the chosen suggestion.
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("ArrowDown")
    chosen = page.locator(f"#{active_id(page)}")
    href = chosen.get_attribute("href")
    box.press("Enter")
    expect(page).to_have_url(live_server.url + href)
    wait_for_htmx(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Trail Boots")
    assert errors == []


def test_click_picks_and_enter_without_a_choice_searches(live_server, page, catalog):
    errors = watch_console(page)
    page.goto(live_server.url + "/catalog/")
    box = page.get_by_role("combobox", name="Search products")
    box.click()
    type_and_wait(page, box, "sheos")  # a typo still finds the category
    option = page.get_by_role("option", name=re.compile("Shoes"))
    expect(option).to_be_visible()
    option.click()
    expect(page).to_have_url(live_server.url + "/catalog/shoes/")
    wait_for_htmx(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Shoes")

    box = page.get_by_role("combobox", name="Search products")
    box.click()
    type_and_wait(page, box, "teapot")
    expect(page.get_by_role("listbox").get_by_role("option")).to_have_count(1)
    box.press("Enter")  # no active option: the search form is submitted as always
    expect(page).to_have_url(re.compile(r"/catalog/\?q=teapot$"))
    wait_for_htmx(page)
    expect(page.get_by_test_id("result-count")).to_have_text("1 product for “teapot”")
    # Tab leaves the box: the list closes.
    box = page.get_by_role("combobox", name="Search products")
    box.click()
    type_and_wait(page, box, "boo")
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("Tab")
    expect(box).to_have_attribute("aria-expanded", "false")
    assert errors == []


def test_without_javascript_the_box_is_a_plain_search_form(live_server, browser, catalog):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    expect(page.locator("#search-listbox")).to_be_hidden()
    page.get_by_label("Search products").fill("teapot")
    page.get_by_label("Search products").press("Enter")
    expect(page).to_have_url(re.compile(r"/catalog/\?q=teapot$"))
    expect(page.get_by_test_id("result-count")).to_have_text("1 product for “teapot”")
    context.close()
