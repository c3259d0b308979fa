from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.catalog.factories import bulk_catalog, small_catalog
from tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def card_ids(body: str) -> list[str]:
    return re.findall(r'id="product-card-(\d+)"', body)


def queries_for(client, url: str, **kwargs) -> int:
    cache.clear()  # cold: categories, vocabulary and facets are all read from the database
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **kwargs)
    assert response.status_code == 200
    return len(ctx)


def test_query_budget_holds_from_100_to_10000_products(client, django_assert_max_num_queries):
    bulk_catalog(100)
    urls = [
        "/catalog/",
        "/catalog/?colour=red&size=M",
        "/catalog/?per_page=12",
        "/catalog/?per_page=48",
        "/catalog/?q=bulk+product&per_page=48",
        "/catalog/bulk/?sort=price_desc&in_stock=on&price_min=10",
    ]
    small = {url: (queries_for(client, url), queries_for(client, url, headers=HX)) for url in urls}
    bulk_catalog(9_900, start=100)
    large = {url: (queries_for(client, url), queries_for(client, url, headers=HX)) for url in urls}
    assert small == large
    assert {count for pair in large.values() for count in pair} == {4}
    with django_assert_max_num_queries(4):
        body = client.get("/catalog/?per_page=48").content.decode()
    assert len(card_ids(body)) == 48
    assert "/media/demo/product-000.jpg" in body  # primary images came with the cards


def test_a_warm_page_costs_one_query(client, django_assert_num_queries):
    bulk_catalog(50)
    client.get("/catalog/")
    with django_assert_num_queries(1):
        client.get("/catalog/", headers=HX)


def test_fragment_is_results_plus_out_of_band_facets(client):
    bulk_catalog(60)
    page = client.get("/catalog/?colour=red")
    fragment = client.get("/catalog/?colour=red", headers=HX)
    body = fragment.content.decode()
    assert "<html" not in body and "<header" not in body and "<footer" not in body
    assert body.lstrip().startswith('<section id="results"')
    assert '<aside id="facets" class="facets" aria-label="Filters" data-hx-swap-oob="true">' in body
    assert card_ids(body) == card_ids(page.content.decode())
    assert len(fragment.content) < len(page.content)
    assert "HX-Request" in fragment["Vary"] and "HX-Request" in page["Vary"]


def test_load_more_sends_only_the_next_cards(client):
    bulk_catalog(60)
    page = client.get("/catalog/?per_page=24")
    more = client.get("/catalog/?per_page=24&page=2", headers=HX)
    body = more.content.decode()
    assert len(card_ids(body)) == 24
    assert not set(card_ids(body)) & set(card_ids(page.content.decode()))
    assert 'id="facets"' not in body and 'id="results"' not in body
    # The next "load more" names page 3 and carries the last card's position (a cursor).
    assert re.search(r'data-hx-get="/catalog/\?per_page=24&amp;page=3&amp;after=[^"]+"', body)
    # Load more carries cards only: 12 of them stay under a quarter of a 48-card page. (A filter
    # answer carries the same cards as its page plus the facets: ~92% of the page's bytes.)
    full = client.get("/catalog/?per_page=48")
    assert (
        len(client.get("/catalog/?per_page=12&page=2", headers=HX).content) <= len(full.content) / 4
    )


def test_without_javascript_pages_are_numbered_links(client):
    bulk_catalog(60)
    body = client.get("/catalog/?per_page=24&page=2").content.decode()
    assert re.search(
        r'<a href="/catalog/\?per_page=24&amp;page=3&amp;after=[^"]+" rel="next">Next', body
    )
    assert '<a href="/catalog/?per_page=24&amp;page=3">3</a>' in body
    assert '<span aria-current="page">2</span>' in body


def test_category_page_shows_its_subtree(client):
    men = CategoryFactory(name="Men", slug="men")
    shoes = CategoryFactory(name="Shoes", slug="shoes", parent=men)
    women = CategoryFactory(name="Women", slug="women")
    ProductFactory(name="Oxford", category=shoes)
    ProductFactory(name="Blouse", category=women)
    body = client.get("/catalog/men/").content.decode()
    assert "Oxford" in body and "Blouse" not in body
    body = client.get("/catalog/men/shoes/").content.decode()
    assert "Oxford" in body and 'aria-current="page">Shoes' in body
    assert client.get("/catalog/kids/").status_code == 404


# --- Bad input never 500s -------------------------------------------------------------------


def test_unknown_facet_slugs_and_values_are_ignored(client):
    small_catalog()
    plain = client.get("/catalog/")
    odd = client.get("/catalog/?nope=1&colour=purple&size=<script>")
    assert odd.status_code == 200
    assert card_ids(odd.content.decode()) == card_ids(plain.content.decode())
    assert "4 products" in odd.content.decode()
    facets = odd.content.decode().split('id="facets"')[1].split("</aside>")[0]
    assert "purple" not in facets


@pytest.mark.parametrize("headers", [{}, HX])
def test_bad_price_shows_a_message_in_the_filter_form(client, headers):
    small_catalog()
    body = client.get("/catalog/?price_min=abc", headers=headers).content.decode()
    facets = body.split('id="facets"')[1]
    assert "Min price: Enter a number." in facets
    assert "4 products" in body


@pytest.mark.parametrize("headers", [{}, HX])
def test_min_above_max_shows_a_message_and_applies_no_price(client, headers):
    small_catalog()
    response = client.get("/catalog/?price_min=30&price_max=10", headers=headers)
    body = response.content.decode()
    assert response.status_code == 200
    assert "The minimum price is above the maximum" in body.split('id="facets"')[1]
    assert "4 products" in body


@pytest.mark.parametrize("headers", [{}, HX])
def test_out_of_range_page_is_the_last_page(client, headers):
    bulk_catalog(30)
    last = card_ids(client.get("/catalog/?per_page=12&page=3").content.decode())
    assert len(last) == 6
    for page in ("4", "999999", "99999999999999999999"):
        response = client.get(f"/catalog/?per_page=12&page={page}", headers=headers)
        assert response.status_code == 200
        assert card_ids(response.content.decode()) == last
    first = card_ids(client.get("/catalog/?per_page=12").content.decode())
    for page in ("0", "-3", "abc"):
        assert card_ids(client.get(f"/catalog/?per_page=12&page={page}").content.decode()) == first


def test_huge_query_is_truncated(client):
    ProductFactory(name="Rain Jacket")
    response = client.get("/catalog/", {"q": "rain " + "x" * 10_000})
    assert response.status_code == 200
    value = re.search(r'name="q" value="([^"]*)"', response.content.decode()).group(1)
    assert len(value) == 200


def test_unknown_sort_falls_back_to_the_default(client):
    bulk_catalog(30)
    default = card_ids(client.get("/catalog/").content.decode())
    assert card_ids(client.get("/catalog/?sort=drop+table").content.decode()) == default
    assert card_ids(client.get("/catalog/?sort=price_desc").content.decode()) != default


@pytest.mark.parametrize(
    "query",
    [
        "per_page=1000000",
        "price_min=-5",
        "price_max=1e400",
        "price_min=NaN",
        "in_stock=maybe",
        "q=%00",
        "colour=" + "r" * 5000,
    ],
)
def test_odd_parameters_answer_200(client, query):
    small_catalog()
    assert client.get(f"/catalog/?{query}").status_code == 200
    assert client.get(f"/catalog/?{query}", headers=HX).status_code == 200
