"""Hearts, the wishlist page (signed in and anonymous preview), badges and query budgets."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from apps.catalog.models import Product, Stock
from apps.wishlist.models import WishlistItem
from tests.factories import ProductFactory, ProductImageFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def save(user, product, price=None, in_stock=True):
    return WishlistItem.objects.create(
        user=user,
        product=product,
        price_snapshot=product.current_price if price is None else Decimal(price),
        in_stock_at_save=in_stock,
        stock_seen=in_stock,
    )


def test_heart_saves_with_server_price_and_swaps_fragment(shopper_client, shopper):
    product = ProductFactory(current_price=Decimal("12.50"))
    response = shopper_client.post(f"/wishlist/items/{product.pk}/", {"saved": "1"}, headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert 'aria-pressed="true"' in html and 'name="saved" value="0"' in html
    # The header counter comes along out of band.
    assert 'id="wishlist-link"' in html and 'data-hx-swap-oob="true"' in html
    assert 'data-testid="wishlist-count" data-wishlist-count>1<' in html
    item = WishlistItem.objects.get(user=shopper)
    assert (item.price_snapshot, item.snapshot_source) == (Decimal("12.50"), "server")


def test_heart_is_idempotent_and_unhearts(shopper_client, shopper):
    product = ProductFactory()
    url = f"/wishlist/items/{product.pk}/"
    shopper_client.post(url, {"saved": "1"}, headers=HTMX)
    shopper_client.post(url, {"saved": "1"}, headers=HTMX)  # double click
    assert WishlistItem.objects.filter(user=shopper).count() == 1
    response = shopper_client.post(url, {"saved": "0"}, headers=HTMX)
    assert 'aria-pressed="false"' in response.content.decode()
    assert not WishlistItem.objects.exists()


def test_heart_without_javascript_redirects_back_with_a_message(shopper_client):
    product = ProductFactory(name="Blue kettle")
    response = shopper_client.post(
        f"/wishlist/items/{product.pk}/", {"saved": "1"}, HTTP_REFERER="http://testserver/catalog/"
    )
    assert response.status_code == 302 and response["Location"] == "/catalog/"
    page = shopper_client.get("/wishlist/")
    assert "Saved Blue kettle to your wishlist." in page.content.decode()


def test_heart_rejects_bad_input_without_storing(shopper_client):
    archived = ProductFactory(status=Product.Status.ARCHIVED)
    product = ProductFactory()
    assert shopper_client.post("/wishlist/items/999999/", {"saved": "1"}).status_code == 404
    response = shopper_client.post(f"/wishlist/items/{archived.pk}/", {"saved": "1"}, headers=HTMX)
    assert response.status_code == 404
    # Never saved by this shopper: as unknown as a missing id (its name would leak otherwise).
    assert "could not be found" in response.content.decode()
    assert archived.name not in response.content.decode()
    assert shopper_client.post(f"/wishlist/items/{product.pk}/", {"saved": "x"}).status_code == 400
    assert shopper_client.get(f"/wishlist/items/{product.pk}/").status_code == 405
    assert not WishlistItem.objects.exists()


def test_anonymous_heart_post_sends_to_login(client):
    product = ProductFactory()
    response = client.post(f"/wishlist/items/{product.pk}/", {"saved": "1"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    response = client.post(f"/wishlist/items/{product.pk}/", {"saved": "1"}, headers=HTMX)
    assert response["HX-Redirect"].startswith("/accounts/login/")
    assert not WishlistItem.objects.exists()


def test_heart_partial_carries_what_the_script_needs(rf, shopper):
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string

    product = ProductFactory(current_price=Decimal("1234.50"))
    request = rf.get("/")
    request.user = AnonymousUser()
    html = render_to_string("partials/wishlist_heart.html", {"product": product}, request=request)
    assert f'data-product-id="{product.pk}"' in html
    assert 'data-price="1234.50"' in html and 'data-mode="local"' in html
    assert "hx-post" not in html  # anonymous hearts are handled by wishlist.js
    assert "csrfmiddlewaretoken" not in html  # nothing per-user: cacheable for everyone
    assert 'method="get" action="/accounts/login/"' in html  # without JS: log in to save
    request.user = shopper
    save(shopper, product)
    html = render_to_string("partials/wishlist_heart.html", {"product": product}, request=request)
    assert 'data-mode="server"' in html and 'aria-pressed="true"' in html


def test_page_lists_items_with_saved_price_and_badges(shopper_client, shopper):
    dropped = ProductFactory(name="Dropped lamp", current_price=Decimal("80.00"))
    restocked = ProductFactory(name="Restocked mug", stock=4)
    steady = ProductFactory(name="Steady chair")
    gone = ProductFactory(name="Gone sofa")
    save(shopper, dropped, price="100.00")
    save(shopper, restocked, in_stock=False)
    save(shopper, steady)
    save(shopper, gone)
    Product.objects.filter(pk=gone.pk).update(status=Product.Status.ARCHIVED)

    response = shopper_client.get("/wishlist/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="wishlist-row"') == 4
    assert html.count('data-testid="price-dropped"') == 1
    assert html.count('data-testid="back-in-stock"') == 1
    assert "saved at 100.00" in html and "80.00" in html
    assert "No longer available" in html
    assert "private" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_add_to_cart_from_the_wishlist(shopper_client, shopper):
    lamp = ProductFactory(name="Lamp", stock=3)
    gone = ProductFactory(name="Gone sofa")
    save(shopper, lamp)
    save(shopper, gone)
    Product.objects.filter(pk=gone.pk).update(status=Product.Status.ARCHIVED)
    html = shopper_client.get("/wishlist/").content.decode()
    assert f'id="add-to-cart-{lamp.pk}"' in html and f'id="add-to-cart-{gone.pk}"' not in html
    form = re.search(rf'<form id="add-to-cart-{lamp.pk}".*?</form>', html, re.S)[0]
    assert 'action="/cart/add/"' in form and f'name="product_id" value="{lamp.pk}"' in form
    response = shopper_client.post(
        "/cart/add/", {"product_id": lamp.pk, "quantity": "1", "next": "/wishlist/"}
    )
    assert response["Location"] == "/wishlist/"
    page = shopper_client.get("/wishlist/").content.decode()
    assert "Added Lamp to your cart (now 1)." in page and 'data-testid="cart-count">1<' in page
    assert WishlistItem.objects.filter(user=shopper).count() == 2  # still saved


def test_page_fragment_for_htmx_is_just_the_list(shopper_client, shopper):
    save(shopper, ProductFactory())
    response = shopper_client.get("/wishlist/", headers=HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="wishlist-items"') and "<html" not in html
    boosted = shopper_client.get("/wishlist/", headers={**HTMX, "HX-Boosted": "true"})
    assert "<html" in boosted.content.decode()


def test_anonymous_page_is_a_shell_the_script_fills(client):
    html = client.get("/wishlist/").content.decode()
    assert "data-wishlist-local" in html and 'data-preview-url="/wishlist/preview/"' in html


def test_preview_renders_browser_ids_with_current_data(client):
    cheap = ProductFactory(name="Cheap hat", current_price=Decimal("10.00"))
    empty = ProductFactory(name="Empty shelf", stock=0)
    archived = ProductFactory(status=Product.Status.ARCHIVED)
    query = f"i={cheap.pk}:15.00&i={empty.pk}:&i={archived.pk}:1.00&i=bogus&i=99999:1"
    response = client.get(f"/wishlist/preview/?{query}", headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "Cheap hat" in html and "Empty shelf" in html
    assert "saved at 15.00" in html and 'data-testid="price-dropped"' in html
    assert "Out of stock" in html
    assert "2 saved items are no longer available" in html
    assert "data-wishlist-local" not in html  # no reload loop


def test_preview_ignores_absurd_saved_prices(client):
    product = ProductFactory(current_price=Decimal("10.00"))
    html = client.get(f"/wishlist/preview/?i={product.pk}:99999.00", headers=HTMX).content.decode()
    assert "saved at" not in html and "price-dropped" not in html


@pytest.mark.parametrize("size", [2, 40])
def test_wishlist_page_query_budget(shopper_client, shopper, django_assert_num_queries, size):
    for _ in range(size):
        product = ProductFactory()
        ProductImageFactory(product=product)
        save(shopper, product)
    Stock.objects.filter(variant__product__in=Product.objects.all()[:1]).update(quantity=0)
    # session with its user (one query), wishlist items with products, card products, their images
    with django_assert_num_queries(4):
        response = shopper_client.get("/wishlist/")
    assert response.content.decode().count('data-testid="wishlist-row"') == size


@pytest.mark.parametrize("size", [2, 40])
def test_preview_query_budget(client, django_assert_num_queries, size):
    products = [ProductFactory() for _ in range(size)]
    query = "&".join(f"i={p.pk}:19.99" for p in products)
    with django_assert_num_queries(2):
        response = client.get(f"/wishlist/preview/?{query}", headers=HTMX)
    assert response.content.decode().count('data-testid="wishlist-row"') == size


def test_header_counter_for_signed_in_shopper(shopper_client, shopper):
    for _ in range(3):
        save(shopper, ProductFactory())
    html = shopper_client.get("/").content.decode()
    assert 'data-user-authenticated="true"' in html
    assert 'data-testid="wishlist-count" data-wishlist-count>3<' in html
