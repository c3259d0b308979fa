"""Whole anonymous responses from Redis (apps.core.pagecache): one render shared by anonymous
shoppers, every per-visitor hole filled per response, and nothing shared with anyone else."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client

from apps.core import pagecache
from apps.core.lru import LRU
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


def stored(key: str) -> bytes:
    """The entry the head at `key` names, as stored: its text with each hole's name."""
    head = cache.get(key)
    entry = cache.get(pagecache.body_key(key, head["stamp"]))
    return b"".join(p if isinstance(p, bytes) else f"<{p}>".encode() for p in entry["parts"])


def replace_entry(key: str, edit) -> None:
    """Store `edit(entry)` under a new stamp and point the head at it, as a render would."""
    head = cache.get(key)
    entry = edit(cache.get(pagecache.body_key(key, head["stamp"])))
    cache.set(pagecache.body_key(key, "edited"), entry, 60)
    cache.set(key, {**head, "stamp": "edited"}, 60)


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

    def edit(entry):
        last = entry["parts"][-1].replace(b"</body>", b"<!-- from the page cache --></body>")
        return {**entry, "parts": [*entry["parts"][:-1], last]}

    replace_entry(key, edit)
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
    before = {key: stored(key) for key in page_keys()}
    user = UserFactory(username="zoe", first_name="Zoe", last_name="Ray")
    client.force_login(user)
    body = client.get(url).text
    assert "Zoe Ray" in body and "Log out" in body
    assert {key: stored(key) for key in page_keys()} == before


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
    before = {key: stored(key) for key in page_keys()}
    alice = marketer(username="alice")
    services.set_fields(alice, "home", f"b{hero_block.pk}", {"content": {"heading": "Draft hero"}})
    client.force_login(alice)
    client.post("/layout/home/mode/", {"mode": "draft"})
    response = client.get("/")
    assert "Draft hero" in response.text
    assert "no-store" in response["Cache-Control"]
    assert {key: stored(key) for key in page_keys()} == before
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


def test_a_hit_needs_the_current_stamp_and_survives_a_lost_body_or_an_old_entry(client, shop):
    """The head names the body; a body evicted from Redis (and not in this process) or an entry
    in the previous release's format is a miss that renders again, never an error."""
    warm(client, "/catalog/")
    [key] = page_keys()
    first = stored(key)
    # This process's copy of an entry is only used under the stamp the head names.
    replace_entry(key, lambda e: {**e, "parts": [b"<p>edited</p>"]})
    assert client.get("/catalog/").content == b"<p>edited</p>"
    # Body gone from Redis and from this process: rendered again and stored under a new stamp.
    cache.delete(pagecache.body_key(key, "edited"))
    pagecache._local.items.clear()
    assert "<!doctype html>" in client.get("/catalog/").text
    assert cache.get(key)["stamp"] != "edited"
    # The previous release's format (the whole entry under the head's key).
    head = cache.get(key)
    cache.set(key, {"versions": head["versions"], "body": "<p>old</p>", "holes": {}}, 60)
    response = client.get("/catalog/")
    assert response.status_code == 200 and "<p>old</p>" not in response.text
    assert stored(key).count(b"<csrf_token>") == first.count(b"<csrf_token>")


def test_the_process_copies_stay_within_their_budget_least_recently_used_first(monkeypatch):
    copies = LRU(budget=100)
    monkeypatch.setattr(pagecache, "_local", copies)
    entry = {"parts": [b"x" * 40]}
    for name in "abc":
        pagecache._keep(name, "s", entry)
    assert list(copies.items) == ["b", "c"] and copies.size == 80
    assert pagecache._copy("b", "s") is entry
    pagecache._keep("d", "s", entry)
    assert list(copies.items) == ["b", "d"]
    assert pagecache._copy("b", "other stamp") is None
    pagecache._keep("e", "s", {"parts": [b"x" * 101]})  # larger than the budget: not kept
    assert "e" not in copies.items and copies.size == 80
