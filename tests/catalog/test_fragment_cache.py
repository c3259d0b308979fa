"""Catalog fragments cached in Redis: warm listings cost no SQL and never show a stale price."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client

from apps.catalog import inventory
from apps.catalog.models import Product, ProductImage, Stock
from apps.catalog.selectors import STOCK_LAG
from tests.catalog.factories import bulk_catalog, small_catalog
from tests.factories import ProductFactory, ProductImageFactory, UserFactory, set_price, variant_of

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def without_tokens(body: bytes | str) -> str:
    """The body with CSRF tokens blanked: each response masks the shopper's token afresh."""
    text = body.decode() if isinstance(body, bytes) else body
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken"', text)


def price_of(body: str, product: Product) -> str:
    card = body.split(f'id="product-card-{product.pk}"')[1].split("</article>")[0]
    return re.search(r'class="current-price">([^<]*)<', card).group(1)


@pytest.mark.parametrize("url", ["/catalog/", "/catalog/?colour=red&size=M"])
def test_a_warm_htmx_filter_answer_costs_no_query(client, url, django_assert_num_queries):
    small_catalog()
    first = client.get(url, headers=HX)
    with django_assert_num_queries(0):
        again = client.get(url, headers=HX)
    assert without_tokens(again.content) == without_tokens(first.content)
    assert again.content.decode().lstrip().startswith('<section id="results"')
    assert "HX-Request" in again["Vary"]


def test_a_warm_page_and_load_more_cost_no_query(client, django_assert_num_queries):
    bulk_catalog(60)
    client.get("/catalog/?per_page=24")
    client.get("/catalog/?per_page=24&page=2", headers=HX)
    with django_assert_num_queries(0):
        page = client.get("/catalog/?per_page=24")
        more = client.get("/catalog/?per_page=24&page=2", headers=HX)
    assert page.content.count(b'class="product-card"') == 24
    assert more.content.count(b'class="product-card"') == 24
    assert b"<html" in page.content and b"<html" not in more.content


@pytest.mark.parametrize(
    "url,headers",
    [
        ("/catalog/", {}),
        ("/catalog/", HX),
        ("/catalog/?colour=red", HX),
        ("/catalog/?per_page=12&page=2", HX),
    ],
)
def test_a_price_change_is_never_shown_stale(client, url, headers, django_assert_num_queries):
    shop = small_catalog()
    bulk_catalog(20)  # enough cards for a second page of 12
    on_page_two = Product.objects.filter(status="active").order_by("name", "pk")[12]
    product = on_page_two if "page=2" in url else shop["products"]["P1"]
    before = client.get(url, headers=headers).content.decode()
    assert price_of(before, product) == f"{product.current_price} EUR"
    with django_assert_num_queries(0):  # served from the cache
        client.get(url, headers=headers)

    set_price(product, "12.34")
    assert price_of(client.get(url, headers=headers).content.decode(), product) == "12.34 EUR"


def test_a_new_primary_image_is_shown_at_once(client):
    product = ProductFactory(name="Mug")
    client.get("/catalog/", headers=HX)
    image = ProductImageFactory(product=product, is_primary=True)
    assert image.image.url in client.get("/catalog/", headers=HX).content.decode()
    ProductImage.objects.get(pk=image.pk).delete()
    assert image.image.url not in client.get("/catalog/", headers=HX).content.decode()


def test_each_shopper_gets_their_own_csrf_token_from_a_cached_fragment():
    product = ProductFactory(name="Mug", stock=5)
    Client().get("/catalog/")  # another shopper warms the cache
    shopper = Client(enforce_csrf_checks=True)
    body = shopper.get("/catalog/").content.decode()
    assert "csrfslot" not in body
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    response = shopper.post(
        "/cart/add/", {"product_id": product.pk, "quantity": 1, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302  # accepted, not 403
    fragment = shopper.get("/catalog/", headers=HX).content.decode()
    assert "csrfslot" not in fragment and 'name="csrfmiddlewaretoken" value="' in fragment


def test_signed_in_shoppers_never_get_the_anonymous_fragment(client):
    ProductFactory(name="Mug")
    client.get("/catalog/", headers=HX)
    client.force_login(UserFactory())
    body = client.get("/catalog/", headers=HX).content.decode()
    assert 'data-mode="server"' in body and 'data-mode="local"' not in body


def test_checkout_stock_changes_lag_at_most_a_minute(client):
    product = ProductFactory(name="Mug", stock=5)
    assert "Out of stock" not in client.get("/catalog/", headers=HX).content.decode()
    with transaction.atomic():
        variant = variant_of(product)
        rows = inventory.lock_stock([variant.pk])
        inventory.allocate(rows, {variant.pk: 5}, {variant.pk: product})
    assert Stock.objects.get(variant__product=product).quantity == 0
    # Checkout does not flush the catalog; what it changed may show for at most STOCK_LAG s.
    keys = [
        *cache.iter_keys("catalog:html:*"),
        *cache.iter_keys("catalog:facets:*"),
        *cache.iter_keys("page:*"),  # the whole response (apps.core.pagecache)
    ]
    assert any(key.startswith("page:") for key in keys)
    assert keys and all(0 < cache.ttl(key) <= STOCK_LAG for key in keys)
    assert STOCK_LAG <= 60
    cache.delete_many(keys)  # what expiry does
    assert "Out of stock" in client.get("/catalog/", headers=HX).content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "nope=1",
        "colour=purple",
        "sort=drop+table",
        "per_page=1000000",
        "page=abc",
        "price_min=abc",
        "price_min=30&price_max=10",
        "q=" + "x" * 300,
        "in_stock=maybe",
    ],
)
def test_junk_query_strings_are_answered_but_not_cached(client, query):
    """Cache keys repeat the query string: only ones the filter form produces may fill Redis."""
    small_catalog()
    assert client.get(f"/catalog/?{query}", headers=HX).status_code == 200
    assert not list(cache.iter_keys("catalog:html:*"))
    client.get("/catalog/?colour=red&sort=price_asc&per_page=12&in_stock=on&q=&page=1", headers=HX)
    assert len(list(cache.iter_keys("catalog:html:*"))) == 1


# --- Product cards, cached one by one -------------------------------------------------------


def card_of(body: str, product: Product) -> str:
    return body.split(f'id="product-card-{product.pk}"')[1].split("</article>")[0]


def test_a_cached_card_is_reused_by_another_listing_with_its_own_address(client):
    shop = small_catalog()
    p1 = shop["products"]["P1"]
    red = client.get("/catalog/?colour=red", headers=HX).content.decode()  # P1, P2
    assert len(list(cache.iter_keys("catalog:card:*"))) == 2
    small = client.get("/catalog/?size=S", headers=HX).content.decode()  # P1, P3
    assert len(list(cache.iter_keys("catalog:card:*"))) == 3  # P1's card came from Redis
    assert 'name="next" value="/catalog/?colour=red"' in card_of(red, p1)
    assert 'name="next" value="/catalog/?size=S"' in card_of(small, p1)
    assert "\x00" not in small


def test_signed_in_cards_follow_stock_and_the_wishlist_at_once(client):
    product = ProductFactory(name="Mug", stock=5)
    client.force_login(UserFactory())
    card = card_of(client.get("/catalog/", headers=HX).content.decode(), product)
    assert "Out of stock" not in card and 'aria-pressed="false"' in card

    with transaction.atomic():  # checkout: no version bump, yet the card's key names the stock
        variant = variant_of(product)
        rows = inventory.lock_stock([variant.pk])
        inventory.allocate(rows, {variant.pk: 5}, {variant.pk: product})
    card = card_of(client.get("/catalog/", headers=HX).content.decode(), product)
    assert "Out of stock" in card and 'aria-pressed="false"' in card

    assert client.post(f"/wishlist/items/{product.pk}/", {"saved": "1"}).status_code in (200, 302)
    card = card_of(client.get("/catalog/", headers=HX).content.decode(), product)
    assert "Out of stock" in card and 'aria-pressed="true"' in card
    assert len(list(cache.iter_keys("catalog:card:*"))) == 3
