"""Search suggestions (apps/catalog/suggest.py) and their endpoint, on PostgreSQL with pg_trgm."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog import selectors, suggest
from apps.catalog.models import AttributeDefinition, Product
from tests.catalog.factories import bulk_catalog
from tests.factories import (
    AttributeDefinitionFactory,
    CategoryFactory,
    ProductAttributeFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db

URL = "/search/suggest/"
HX = {"HX-Request": "true"}


def labels(q: str, kind: str | None = None) -> list[str]:
    found = suggest.suggestions(q)
    return [
        item.label for group in found.groups if kind in (None, group.kind) for item in group.items
    ]


def fragment(client, q: str) -> str:
    response = client.get(URL, {"q": q}, headers=HX)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def shop():
    men = CategoryFactory(name="Men", slug="men")
    shoes = CategoryFactory(name="Shoes", slug="shoes", parent=men)
    kitchen = CategoryFactory(name="Kitchen", slug="kitchen")
    brand = AttributeDefinitionFactory(slug="brand", name="Brand")
    waterproof = AttributeDefinitionFactory(
        slug="waterproof", name="Waterproof", kind=AttributeDefinition.Kind.BOOLEAN
    )
    apple = ProductFactory(name="Apple Peeler", slug="apple-peeler", category=kitchen)
    boots = ProductFactory(name="Trail Boots", slug="trail-boots", category=shoes)
    ProductFactory(name="Teapot", slug="teapot", category=kitchen)
    ProductAttributeFactory(product=boots, definition=brand, value="Acme")
    ProductAttributeFactory(product=apple, definition=brand, value="Borealis")
    ProductAttributeFactory(product=boots, definition=waterproof, value="Yes")
    return {"shoes": shoes, "apple": apple, "boots": boots}


def test_typos_still_find_products_and_categories(shop):
    assert "Shoes" in labels("sheos", "category")
    assert "Apple Peeler" in labels("aple", "product")
    assert "Trail Boots" in labels("trial boots", "product")
    assert "Teapot" not in labels("aple")


def test_prefixes_suggest_products_categories_and_attribute_values(shop):
    assert labels("sho", "category") == ["Shoes"]
    assert labels("boo", "product") == ["Trail Boots"]
    assert labels("acm", "value") == ["Acme"]
    found = suggest.suggestions("acme")
    value = next(group for group in found.groups if group.kind == "value").items[0]
    assert value.url == "/catalog/?brand=Acme" and value.detail == "Brand"
    assert "category" not in {group.kind for group in found.groups}
    shoes = suggest.suggestions("shoes").groups
    assert [(g.kind, [i.url for i in g.items]) for g in shoes if g.kind == "category"] == [
        ("category", ["/catalog/men/shoes/"])
    ]
    # Yes/no values say nothing on their own: never suggested.
    assert "Yes" not in labels("yes")


def test_hidden_products_are_never_suggested(shop):
    ProductFactory(name="Apple Draft", status=Product.Status.DRAFT)
    ProductFactory(name="Apple Archived", status=Product.Status.ARCHIVED)
    ProductFactory(name="Apple Unsellable", stock=False)  # no active variant: not listed
    found = labels("apple")
    assert "Apple Peeler" in found
    assert not {"Apple Draft", "Apple Archived", "Apple Unsellable"} & set(found)


def test_a_write_is_seen_at_once_despite_the_cache(shop):
    assert labels("apple", "product") == ["Apple Peeler"]
    shop["apple"].status = Product.Status.ARCHIVED
    shop["apple"].save()
    assert labels("apple", "product") == []


def test_names_shared_by_several_products_are_suggested_once():
    for i in range(3):
        ProductFactory(name="Classic Mug", slug=f"classic-mug-{i}")
    ProductFactory(name="Classic Mug Large", slug="classic-mug-large")
    assert labels("classic mug", "product") == ["Classic Mug", "Classic Mug Large"]


def test_at_most_eight_suggestions_and_each_kind_capped():
    for i in range(12):
        ProductFactory(name=f"Lantern {i}", slug=f"lantern-{i}")
        CategoryFactory(name=f"Lanterns {i}", slug=f"lanterns-{i}")
    found = suggest.suggestions("lantern")
    assert found.count == suggest.MAX_SUGGESTIONS
    sizes = {group.kind: len(group.items) for group in found.groups}
    assert sizes["product"] <= suggest.LIMITS["product"]
    assert sizes["category"] <= suggest.LIMITS["category"]


def test_the_fragment_is_an_accessible_listbox_of_links(client, shop):
    body = fragment(client, "boot")
    assert "<html" not in body
    assert body.lstrip().startswith('<div id="search-suggestions"')
    assert 'role="listbox"' in body and 'id="search-listbox"' in body
    assert 'role="option"' in body and 'href="/products/trail-boots/"' in body
    assert ">Products<" in body
    assert re.search(r"data-announce>\s*1 suggestion\s*<", body)
    listbox = re.search(r'<div id="search-listbox"[^>]*>', body).group(0)
    assert "hidden" not in listbox


@pytest.mark.parametrize("q", ["", " ", "a", "\x00", "  b  "])
def test_too_short_gives_an_empty_hidden_listbox(client, shop, q):
    body = fragment(client, q)
    assert 'role="option"' not in body
    assert re.search(r'<div id="search-listbox"[^>]*\shidden', body)


@pytest.mark.parametrize(
    "q",
    [
        "x" * 10_000,
        "boot\x00\x01\x1b[31m",
        "' OR 1=1; DROP TABLE catalog_product; --",
        "%' || pg_sleep(5) || '",
        "😀🍎 ünïcödé ℌ \u202e\u200b",
        "%_%_%",
        "a" + "\\" * 500,
    ],
)
def test_garbage_never_breaks_the_endpoint(client, shop, q):
    body = fragment(client, q)
    assert "<html" not in body
    assert Product.objects.filter(slug="teapot").exists()


def test_undecodable_bytes_never_break_the_endpoint(client, shop):
    response = client.get(URL + "?q=%ED%A0%80%FF%00boot", headers=HX)
    assert response.status_code == 200


def test_garbage_query_still_matches_what_it_contains(client, shop):
    assert 'href="/products/trail-boots/"' in fragment(client, "boot\x00\x07")


def test_markup_in_the_query_and_in_names_is_escaped(client, shop):
    ProductFactory(name="<script>alert(1)</script> Boots", slug="evil")
    CategoryFactory(name='<img src=x onerror="alert(2)">', slug="evil-category")
    body = fragment(client, "<script>alert(1)</script>")
    assert "<script" not in body and "<img" not in body
    body = fragment(client, "boots")
    assert "<script" not in body and "&lt;script&gt;alert(1)&lt;/script&gt; Boots" in body
    body = fragment(client, '<img src=x onerror="alert(2)">')
    assert "<img" not in body and "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in body


def test_a_plain_request_is_sent_to_the_search_page(client):
    response = client.get(URL, {"q": "boots"})
    assert response.status_code == 302 and response["Location"] == "/catalog/?q=boots"
    assert client.get(URL)["Location"] == "/catalog/"


def test_the_header_carries_the_combobox(client):
    body = client.get("/catalog/").content.decode()
    field = re.search(r'<input type="text" id="header-search-input"[^>]*>', body).group(0)
    for attribute in (
        'role="combobox"',
        'aria-expanded="false"',
        'aria-controls="search-listbox"',
        'aria-autocomplete="list"',
        'hx-get="/search/suggest/"',
        'hx-trigger="input changed delay:250ms"',
        'hx-sync="this:replace"',
    ):
        assert attribute in field
    assert '<form class="header-search" role="search" method="get" action="/catalog/"' in body
    assert re.search(r'<script src="[^"]*js/search\.js" nonce="[^"]+"', body)


def _count_queries(q: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        suggest.suggestions(q)
    return len(queries)


@pytest.mark.parametrize("size", [30, 3000])
def test_query_budget_holds_at_two_catalog_sizes(client, django_assert_num_queries, size):
    bulk_catalog(size)
    CategoryFactory(name="Bulky things", slug="bulky")
    selectors.catalog_meta()  # the listing's shared vocabulary, cached per catalog version
    with django_assert_num_queries(1):
        body = fragment(client, "bulk prodct 1")
    assert 'role="option"' in body
    # The same prefix again: answered from the cache.
    with django_assert_num_queries(0):
        fragment(client, "Bulk  PRODCT 1")
    # A cold cache costs catalog_meta's two queries more, no more.
    cache.clear()
    assert _count_queries("bulky") == 3
    with django_assert_num_queries(0):
        fragment(client, "b")


def test_a_new_name_is_correctable_at_once(shop):
    assert labels("colandre") == []
    shop["apple"].name = "Apple Colander"
    shop["apple"].save()
    assert labels("colandre", "product") == ["Apple Colander"]
