"""Signed preview links: a read-only snapshot of a draft for people without an account."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from apps.layout import services, sharing
from apps.layout.models import LayoutBlock, PreviewLink
from tests.factories import ProductFactory, UserFactory
from tests.layout.factories import banner, grid_skus, hero, marketer, publish_home

pytestmark = pytest.mark.django_db


@pytest.fixture
def home():
    publish_home(("hero", hero("Live hero")), ("main", banner("Live banner")))
    return LayoutBlock.objects.get(type="hero")


@pytest.fixture
def alice(home):
    user = marketer(username="alice", email="alice@example.com")
    services.set_fields(user, "home", f"b{home.pk}", {"content": {"heading": "Draft hero"}})
    return user


def make_link(client, user, hours="24"):
    client.force_login(user)
    response = client.post("/layout/home/links/", {"hours": hours})
    assert response.status_code == 302, response.content
    link = PreviewLink.objects.filter(owner=user).latest("pk")
    client.logout()
    return link, f"/layout/preview/{sharing.address(link)}/"


def test_anyone_with_the_link_sees_the_draft_read_only_and_unindexed(client, alice):
    link, url = make_link(client, alice)
    response = client.get(url)
    assert response.status_code == 200
    assert "Draft hero" in response.text and "Live hero" not in response.text
    banner_text = re.search(r'data-testid="preview-banner">(.*?)</p>', response.text, re.S)[1]
    assert "read-only" in banner_text
    assert timezone.localtime(link.expires_at).strftime("%Y-%m-%d %H:%M") in banner_text
    assert '<meta name="robots" content="noindex, nofollow">' in response.text
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert "layout-toolbar" not in response.text  # no editing tools for the visitor
    # The live page, meanwhile, is the live page.
    assert "Live hero" in client.get("/").text


def test_a_preview_cannot_add_to_cart(client, alice):
    product = ProductFactory(name="Preview lamp")
    services.insert_block(
        alice, "home:main", 0, "product_grid", grid_skus([product.sku])["content"]
    )
    _link, url = make_link(client, alice)
    html = client.get(url).text
    assert 'data-testid="add-to-cart"' in html  # the card is shown as it will be
    # ...inside a disabled fieldset with htmx off, and with no CSRF token to post with.
    assert re.search(r'<fieldset id="preview-readonly"[^>]* disabled data-hx-disable>', html)
    grid = html[html.index('<fieldset id="preview-readonly"') :]
    assert 'name="csrfmiddlewaretoken" value=""' in grid
    assert "__hypershop_csrf_token__" not in grid


def test_the_link_shows_a_snapshot_until_the_marketer_refreshes_it(client, alice, home):
    link, url = make_link(client, alice)
    services.set_fields(alice, "home", f"b{home.pk}", {"content": {"heading": "Later edit"}})
    assert "Draft hero" in client.get(url).text and "Later edit" not in client.get(url).text
    client.force_login(alice)
    assert client.post(f"/layout/home/links/{link.pk}/refresh/").status_code == 302
    client.logout()
    assert "Later edit" in client.get(url).text


def test_revoked_expired_and_tampered_links_are_refused_never_the_live_page(client, alice):
    link, url = make_link(client, alice)
    token = sharing.address(link)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (tampered, "x" + token, token.split(":")[0], "nonsense"):
        response = client.get(f"/layout/preview/{bad}/")
        assert response.status_code == 404, bad
        assert "This preview link is not valid." in response.text
        assert "Live hero" not in response.text and "Draft hero" not in response.text
    # Expiry against the clock: the stored expiry moves into the past (no sleeping).
    PreviewLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(url)
    assert response.status_code == 410 and "expired on" in response.text
    assert "Live hero" not in response.text and "Draft hero" not in response.text
    PreviewLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() + timedelta(hours=1))
    assert client.get(url).status_code == 200
    client.force_login(alice)
    assert client.post(f"/layout/home/links/{link.pk}/revoke/").status_code == 302
    client.logout()
    response = client.get(url)
    assert response.status_code == 410 and "withdrawn" in response.text
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("hours", ["0", "169", "-1", "abc", "", "1.5"])
def test_bad_durations_are_a_400_with_a_message_and_no_link(client, alice, hours):
    client.force_login(alice)
    response = client.post("/layout/home/links/", {"hours": hours})
    assert response.status_code == 400
    assert "from 1 hour to 7 days" in response.text or "required" in response.text
    assert not PreviewLink.objects.exists()


def test_durations_from_one_hour_to_seven_days(client, alice):
    for hours in ("1", "168"):
        link, _url = make_link(client, alice, hours)
        assert link.expires_at - link.refreshed_at == timedelta(hours=int(hours))


def test_nothing_to_share_without_draft_changes(client, home):
    client.force_login(marketer())
    response = client.post("/layout/home/links/", {"hours": "24"})
    assert response.status_code == 400 and "no changes to share" in response.text
    assert not PreviewLink.objects.exists()


def test_only_the_owner_sees_refreshes_and_revokes_their_links(client, alice):
    link, url = make_link(client, alice)
    bob = marketer(username="bob")
    services.set_fields(
        bob, "home", f"b{LayoutBlock.objects.get(type='hero').pk}", {"is_active": False}
    )
    client.force_login(bob)
    assert sharing.address(link) not in client.get("/layout/home/links/").text
    for action in ("revoke", "refresh"):
        response = client.post(f"/layout/home/links/{link.pk}/{action}/")
        assert response.status_code == 404
    assert client.post("/layout/home/links/999999/revoke/").status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None and "Draft hero" in client.get(url).text
    # Shoppers and staff without the permission cannot make links at all.
    client.force_login(UserFactory())
    assert client.post("/layout/home/links/", {"hours": "24"}).status_code in (302, 403)
    assert PreviewLink.objects.count() == 1


def test_htmx_create_answers_the_fragment_with_the_new_link(client, alice):
    client.force_login(alice)
    response = client.post("/layout/home/links/", {"hours": "8"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<article id="share-links"')
    link = PreviewLink.objects.get()
    assert sharing.address(link) in response.text


def redis_entries() -> dict:
    keys = cache.keys("*")
    return cache.get_many(keys) if keys else {}


@pytest.mark.parametrize("size", [3, 24])
def test_a_preview_costs_at_most_two_queries_more_than_the_live_page_and_writes_no_shared_key(
    client, django_assert_max_num_queries, django_assert_num_queries, size
):
    products = [ProductFactory() for _ in range(size)]
    publish_home(
        ("hero", hero("Live hero")),
        ("main", grid_skus([p.sku for p in products], limit=size)),
        ("main", banner("Live banner")),
    )
    alice = marketer(username="alice")
    hero_key = f"b{LayoutBlock.objects.get(type='hero').pk}"
    services.set_fields(alice, "home", hero_key, {"content": {"heading": "Draft hero"}})
    _link, url = make_link(client, alice)

    # Cold cache: the preview renders everything itself and leaves the shared cache empty.
    cache.clear()
    with django_assert_max_num_queries(3 + 2) as preview_cold:
        response = client.get(url)
    assert response.text.count('class="product-card"') == size
    assert redis_entries() == {}, "a preview wrote to the shared cache"
    with django_assert_max_num_queries(3) as live_cold:
        client.get("/")
    assert len(preview_cold.captured_queries) <= len(live_cold.captured_queries) + 2

    # Warm cache: the live page costs nothing; the preview reads unchanged blocks from it.
    with django_assert_num_queries(0):
        live = client.get("/")
    before = redis_entries()
    with django_assert_max_num_queries(2) as preview_warm:
        response = client.get(url)
    assert "Draft hero" in response.text
    assert response.text.count('class="product-card"') == size
    assert redis_entries() == before, "a preview changed a key the live page reads"
    # ...and the live page, served from those keys, never shows the draft.
    with django_assert_num_queries(0):
        again = client.get("/")
    assert "Draft hero" not in again.text and "Live hero" in again.text
    assert again.text.count('class="product-card"') == live.text.count('class="product-card"')
    assert len(preview_warm.captured_queries) <= 2


def test_a_cms_page_preview_shows_the_page_around_its_draft_blocks(client):
    from apps.pages.layout import layout_key
    from tests.pages.factories import PageFactory

    cms = PageFactory(slug="about-us", title="About us", body="<p>Live about text</p>")
    key = layout_key(cms)
    alice = marketer(username="alice")
    services.insert_block(alice, f"{key}:top", 0, "promo_banner", {"text": "Draft page banner"})
    client.force_login(alice)
    assert client.post(f"/layout/{key}/links/", {"hours": "1"}).status_code == 302
    client.logout()
    url = f"/layout/preview/{sharing.address(PreviewLink.objects.get())}/"
    html = client.get(url).text
    assert "Draft page banner" in html and "Live about text" in html and "About us" in html
    assert "Draft page banner" not in client.get(cms.get_absolute_url()).text


def test_an_expired_link_cannot_be_refreshed_and_a_revoked_one_not_revoked_again(client, alice):
    link, url = make_link(client, alice)
    client.force_login(alice)
    assert client.post(f"/layout/home/links/{link.pk}/revoke/").status_code == 302
    assert client.post(f"/layout/home/links/{link.pk}/revoke/").status_code == 404
    assert client.post(f"/layout/home/links/{link.pk}/refresh/").status_code == 404
    other, _url = make_link(client, alice)
    PreviewLink.objects.filter(pk=other.pk).update(expires_at=timezone.now())
    client.force_login(alice)
    response = client.post(f"/layout/home/links/{other.pk}/refresh/")
    assert response.status_code == 400 and "expired: make a new one" in response.text
