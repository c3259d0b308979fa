"""Whole anonymous responses from Redis (apps.core.pagecache): one render shared by anonymous
shoppers, every per-visitor hole filled per response, and nothing shared with anyone else."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client

from apps.layout import services
from tests.catalog.factories import small_catalog
from tests.factories import UserFactory, set_price
from tests.layout.factories import banner, grid_skus, hero, marketer, publish_home

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
PAGES = ["/", "/catalog/", "/catalog/shoes/", "/products/{slug}/"]


@pytest.fixture
def shop():
    catalog = small_catalog()
    publish_home(("hero", hero("Live hero")), ("main", grid_skus([catalog["products"]["P1"].sku])))
    return catalog


def url_of(template: str, shop: dict) -> str:
    return template.format(slug=shop["products"]["P1"].slug)


def page_keys() -> list[str]:
    return list(cache.iter_keys("page:*"))


def warm(client: Client, url: str, **kwargs) -> None:
    """Two requests: the first may find a version counter not yet in Redis (then it stores
    nothing), the second stores the entry."""
    for _ in range(2):
        assert client.get(url, **kwargs).status_code == 200


def body_token(body: str) -> str:
    return re.search(r'"x-csrftoken": "([^"]+)"', body).group(1)


def body_nonces(body: str) -> set[str]:
    return set(re.findall(r'nonce="([^"]+)"', body))


def header_nonce(response) -> str:
    return re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)


@pytest.mark.parametrize("template", PAGES)
def test_a_warm_anonymous_page_is_served_whole_without_sql(
    client, shop, template, django_assert_num_queries
):
    url = url_of(template, shop)
    warm(Client(), url)
    [key] = page_keys()
    entry = cache.get(key)
    entry["body"] = entry["body"].replace("</body>", "<!-- from the page cache --></body>")
    cache.set(key, entry, 60)
    with django_assert_num_queries(0):
        response = client.get(url)
    assert response.status_code == 200
    assert "<!-- from the page cache -->" in response.text
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "private" in response["Cache-Control"]
    assert "HX-Request" in response["Vary"]
    assert "slot" not in response.text  # no marker is ever sent


@pytest.mark.parametrize("template", PAGES)
def test_each_visitor_gets_their_own_token_and_nonce_matching_cookie_and_header(shop, template):
    url = url_of(template, shop)
    warm(Client(), url)
    seen = []
    for _ in range(2):
        visitor = Client()
        response = visitor.get(url)
        body = response.text
        token = body_token(body)
        assert _unmask_cipher_token(token) == response.cookies["csrftoken"].value
        assert body_nonces(body) == {header_nonce(response)}
        seen.append((token, header_nonce(response)))
    assert seen[0][0] != seen[1][0] and seen[0][1] != seen[1][1]


def test_a_visitor_with_a_cart_sees_their_own_badge_and_their_message_once(shop):
    warm(Client(), "/catalog/")
    shopper = Client()
    product = shop["products"]["P1"]
    added = shopper.post("/cart/add/", {"product_id": product.pk, "next": "/catalog/"})
    assert added.status_code == 302
    page = shopper.get("/catalog/").text
    assert re.search(r'data-testid="cart-count">1<', page)
    messages = re.findall(r'<p class="message message-success">', page)
    assert len(messages) == 1
    again = shopper.get("/catalog/").text
    assert 'class="message message-' not in again
    assert re.search(r'data-testid="cart-count">1<', again)
    # Another anonymous visitor of the same cached page has an empty cart and no message.
    other = Client().get("/catalog/").text
    assert re.search(r'data-testid="cart-count">0<', other)
    assert 'class="message message-' not in other


@pytest.mark.parametrize("template", PAGES)
def test_a_price_change_shows_on_the_next_request(client, shop, template):
    url = url_of(template, shop)
    warm(client, url)
    product = shop["products"]["P1"]
    assert "10.00 EUR" in client.get(url).text
    set_price(product, "12.34")
    body = client.get(url).text
    assert "12.34 EUR" in body and "10.00 EUR" not in body


@pytest.mark.parametrize("template", PAGES)
def test_a_signed_in_shopper_never_gets_a_shared_body(client, shop, template):
    url = url_of(template, shop)
    warm(Client(), url)
    stored = {key: cache.get(key)["body"] for key in page_keys()}
    user = UserFactory(username="zoe", first_name="Zoe", last_name="Ray")
    client.force_login(user)
    body = client.get(url).text
    assert "Zoe Ray" in body and "Log out" in body
    assert {key: cache.get(key)["body"] for key in page_keys()} == stored


def test_htmx_fragments_and_whole_pages_are_separate_entries(client, shop):
    warm(client, "/catalog/?colour=red")
    warm(client, "/catalog/?colour=red", headers=HX)
    assert len(page_keys()) == 2
    page = client.get("/catalog/?colour=red").text
    fragment = client.get("/catalog/?colour=red", headers=HX).text
    assert page.lstrip().startswith("<!doctype html>")
    assert fragment.lstrip().startswith('<section id="results"')


@pytest.mark.parametrize("template", ["/?utm_source=x", "/products/{slug}/?utm=x"])
def test_a_junk_query_string_is_answered_but_not_stored(client, shop, template):
    warm(client, url_of(template, shop))
    assert page_keys() == []


def test_a_marketers_draft_never_reads_or_writes_the_page_cache(client, shop):
    from apps.layout.models import LayoutBlock

    hero_block = LayoutBlock.objects.get(type="hero")
    warm(Client(), "/")
    stored = {key: cache.get(key)["body"] for key in page_keys()}
    alice = marketer(username="alice")
    services.set_fields(alice, "home", f"b{hero_block.pk}", {"content": {"heading": "Draft hero"}})
    client.force_login(alice)
    client.post("/layout/home/mode/", {"mode": "draft"})
    response = client.get("/")
    assert "Draft hero" in response.text
    assert "no-store" in response["Cache-Control"]
    assert {key: cache.get(key)["body"] for key in page_keys()} == stored
    client.logout()
    assert "Draft hero" not in Client().get("/").text


def test_a_preview_link_never_writes_the_page_cache(client, shop):
    from apps.layout import sharing
    from apps.layout.models import LayoutBlock, PreviewLink

    hero_block = LayoutBlock.objects.get(type="hero")
    alice = marketer(username="alice")
    services.set_fields(alice, "home", f"b{hero_block.pk}", {"content": {"heading": "Draft hero"}})
    client.force_login(alice)
    client.post("/layout/home/links/", {"hours": "24"})
    link = PreviewLink.objects.get(owner=alice)
    client.logout()
    url = f"/layout/preview/{sharing.address(link)}/"
    for _ in range(2):
        assert "Draft hero" in client.get(url).text
    assert page_keys() == []
    assert "Draft hero" not in client.get("/").text


def test_a_publish_shows_on_the_next_request(client, shop):
    warm(client, "/")
    assert "Live hero" in client.get("/").text
    assert "New hero" not in client.get("/").text
    publish_home(("hero", hero("New hero")), ("main", banner("Sale")))
    assert "New hero" in client.get("/").text
