""" "Load more" to the very end, by cursor: every card once, in the listing's order; Back works."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from apps.catalog.models import Product
from e2e.conftest import wait_for_htmx
from tests.catalog.factories import bulk_catalog

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def tied_products(count: int) -> None:
    """`count` products whose prices and names tie in groups of three."""
    bulk_catalog(count)
    products = list(Product.objects.order_by("pk"))
    for i, product in enumerate(products):
        product.current_price = Decimal("10.00") + (i * 7 % 20) // 3
        product.name = f"Tie {i * 11 % count // 3:02d}"
    Product.objects.bulk_update(products, ["current_price", "name"])
    cache.clear()


def expected(*ordering: str) -> list[str]:
    return [str(pk) for pk in Product.objects.order_by(*ordering).values_list("pk", flat=True)]


def shown_ids(page) -> list[str]:
    return page.locator("#results .product-card").evaluate_all(
        "cards => cards.map(card => card.dataset.productId)"
    )


def load_to_the_end(page) -> int:
    clicks = 0
    more = page.get_by_role("button", name="Load more")
    while more.count():
        more.click()
        wait_for_htmx(page)
        clicks += 1
        assert clicks < 20
    return clicks


def test_load_more_to_the_end_shows_every_card_once_in_order_and_back_works(live_server, page):
    tied_products(60)
    by_name = expected("name", "pk")
    by_price = expected("current_price", "pk")
    page.goto(live_server.url + "/")
    page.goto(live_server.url + "/catalog/")
    page.evaluate("window.__catalogMarker = 'still here'")
    page.get_by_label("Per page").select_option("12")
    wait_for_htmx(page)
    expect(page.locator("#results .product-card")).to_have_count(12)
    per_page_url = page.url

    # The default order (by name, ties broken by id): five loads of twelve, then no button.
    assert load_to_the_end(page) == 4
    ids = shown_ids(page)
    assert len(ids) == len(set(ids)) == 60
    assert ids == by_name
    assert page.url == per_page_url  # appending pushed no URL

    page.get_by_label("Sort by").select_option("price_asc")
    wait_for_htmx(page)
    sorted_url = page.url
    assert "sort=price_asc" in sorted_url
    expect(page.locator("#results .product-card")).to_have_count(12)
    assert load_to_the_end(page) == 4
    ids = shown_ids(page)
    assert len(set(ids)) == 60 and ids == by_price
    names = page.locator("#results .product-name").all_inner_texts()
    assert len(names) == 60 and len(set(names)) < 60  # names tie, cards do not repeat
    assert page.evaluate("window.__catalogMarker") == "still here"  # never reloaded

    # Open the last card, then Back: the same listing, every loaded card still in place.
    page.locator(f"#product-card-{ids[-1]} a.product-card-link").click()
    wait_for_htmx(page)
    expect(page).to_have_url(re.compile(r"/products/"))
    page.go_back()
    wait_for_htmx(page)
    expect(page).to_have_url(sorted_url)
    expect(page.locator("#results .product-card")).to_have_count(60)
    assert shown_ids(page) == by_price
    # Loading more added no history entries: one more Back is the listing before the sort.
    page.go_back()
    wait_for_htmx(page)
    expect(page).to_have_url(per_page_url)
    expect(page.locator("#results .product-card").first).to_be_visible()
    assert shown_ids(page)[:12] == by_name[:12]


def test_without_javascript_load_more_is_a_link_to_the_next_page(live_server, browser):
    tied_products(30)
    by_price = expected("current_price", "pk")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/catalog/?sort=price_asc&per_page=12")
        page.get_by_role("button", name="Load more").click()
        expect(page).to_have_url(re.compile(r"page=2&after="))
        assert shown_ids(page) == by_price[12:24]
        expect(page.locator('nav.pagination [aria-current="page"]')).to_have_text("2")
        page.get_by_role("button", name="Load more").click()
        expect(page).to_have_url(re.compile(r"page=3&after="))
        assert shown_ids(page) == by_price[24:]
        expect(page.get_by_role("button", name="Load more")).to_have_count(0)
        page.reload()  # the URL of a cursor page is a page of its own
        assert shown_ids(page) == by_price[24:]
    finally:
        context.close()
