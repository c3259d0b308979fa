from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from e2e.conftest import wait_for_htmx
from e2e.journey import EMPTY_PARAM
from tests.catalog.factories import small_catalog

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_two_facets_update_in_place_and_history_works(live_server, page):
    small_catalog()
    page.goto(live_server.url + "/catalog/")
    page.evaluate("window.__catalogMarker = 'still here'")
    count = page.get_by_test_id("result-count")
    expect(count).to_have_text("4 products")

    page.locator("#f-colour-red").check()
    wait_for_htmx(page)
    expect(count).to_have_text("2 products")
    expect(page.get_by_test_id("count-size-s")).to_have_text("(1)")
    expect(page).to_have_url(re.compile(r"colour=red"))

    page.locator("#f-size-m").check()
    wait_for_htmx(page)
    expect(count).to_have_text("1 product")
    expect(page.locator("#results .product-name")).to_have_text(["P2"])
    # The colour counts are now counted under size=M: green appears through P4.
    expect(page.get_by_test_id("count-colour-green")).to_have_text("(1)")
    expect(page).to_have_url(re.compile(r"colour=red.*size=M|size=M.*colour=red"))
    filtered_url = page.url
    # No navigation happened: the page's JavaScript state survived both filters.
    assert page.evaluate("window.__catalogMarker") == "still here"

    page.go_back()
    wait_for_htmx(page)
    expect(page).to_have_url(re.compile(r"colour=red"))
    assert "size=M" not in page.url
    expect(count).to_have_text("2 products")
    expect(page.get_by_test_id("count-size-s")).to_have_text("(1)")
    expect(page.locator("#f-colour-red")).to_be_checked()
    expect(page.locator("#f-size-m")).not_to_be_checked()
    assert page.evaluate("window.__catalogMarker") == "still here"  # Back swapped, not loaded

    page.go_forward()
    wait_for_htmx(page)
    expect(page).to_have_url(filtered_url)
    expect(count).to_have_text("1 product")
    # Reloading the pushed URL renders the same filtered page from the server.
    page.reload()
    assert page.evaluate("window.__catalogMarker") is None  # a real load this time
    expect(page).to_have_url(filtered_url)
    expect(count).to_have_text("1 product")
    expect(page.locator("#f-colour-red")).to_be_checked()
    expect(page.locator("#f-size-m")).to_be_checked()
    expect(page.get_by_test_id("count-colour-green")).to_have_text("(1)")
    expect(page.locator("#results .product-name")).to_have_text(["P2"])


def test_load_more_appends_the_next_page(live_server, page):
    from tests.catalog.factories import bulk_catalog

    bulk_catalog(30)
    page.goto(live_server.url + "/catalog/?per_page=12")
    page.evaluate("window.__catalogMarker = 1")
    cards = page.locator("#results .product-card")
    expect(cards).to_have_count(12)
    page.get_by_role("button", name="Load more").click()
    wait_for_htmx(page)
    expect(cards).to_have_count(24)
    page.get_by_role("button", name="Load more").click()
    wait_for_htmx(page)
    expect(cards).to_have_count(30)
    expect(page.get_by_role("button", name="Load more")).to_have_count(0)
    assert page.evaluate("window.__catalogMarker") == 1


def test_the_same_filter_works_without_javascript(live_server, browser):
    small_catalog()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/catalog/")
        page.locator("#f-colour-red").check()
        page.locator("#f-size-m").check()
        page.get_by_role("button", name="Apply filters").click()
        expect(page).to_have_url(re.compile(r"colour=red"))
        expect(page).to_have_url(re.compile(r"size=M"))
        expect(page.get_by_test_id("result-count")).to_have_text("1 product")
        expect(page.locator("#results .product-name")).to_have_text(["P2"])
        # The form sent its empty fields too; the server redirected to the clean URL.
        assert not EMPTY_PARAM.search(page.url), page.url
        page.goto(live_server.url + "/catalog/?price_min=abc")
        expect(page.get_by_test_id("filter-errors")).to_contain_text("Enter a number")
    finally:
        context.close()


def test_enter_or_apply_in_search_sends_one_request_and_pushes_a_clean_url(live_server, page):
    small_catalog()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(live_server.url + "/catalog/")
    sent: list[str] = []
    page.on(
        "request",
        lambda r: "/catalog/" in r.url and r.resource_type != "document" and sent.append(r.url),
    )

    search = page.get_by_test_id("search-input")
    search.fill("P2")
    search.press("Enter")
    wait_for_htmx(page)
    expect(page.get_by_test_id("result-count")).to_have_text("1 product for “P2”")
    assert len(sent) == 1, sent
    assert "price_min" not in sent[0] and not EMPTY_PARAM.search(sent[0]), sent[0]
    expect(page).to_have_url(re.compile(r"/catalog/\?q=P2&sort=relevance&per_page=24$"))

    sent.clear()
    search.fill("P3")
    page.get_by_role("button", name="Apply filters").click()
    wait_for_htmx(page)
    expect(page.get_by_test_id("result-count")).to_have_text("1 product for “P3”")
    assert len(sent) == 1, sent

    sent.clear()
    page.get_by_label("Sort by").select_option("name")  # a toolbar select still applies at once
    wait_for_htmx(page)
    assert len(sent) == 1, sent
    assert errors == []
