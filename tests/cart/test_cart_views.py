from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from apps.cart.models import Cart, CartLine
from apps.catalog.models import Stock
from tests.checkout.factories import cart_with
from tests.factories import ProductFactory, UserFactory, variant_of

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def add(client, product_id, quantity="1", htmx=False, **extra):
    data = {"product_id": product_id, "quantity": quantity, **extra}
    return client.post("/cart/add/", data, headers=HX if htmx else {})


def lines(client):
    return {line.variant.product_id: line.quantity for line in CartLine.objects.all()}


def test_plain_post_adds_and_redirects_back_with_message(client):
    product = ProductFactory(name="Kettle")
    response = add(client, product.pk, "2", next="/cart/")
    assert response.status_code == 302 and response["Location"] == "/cart/"
    page = client.get("/cart/").content.decode()
    assert "Added Kettle to your cart (now 2)." in page
    assert 'data-testid="cart-count">2<' in page
    assert lines(client) == {product.pk: 2}


def test_htmx_add_returns_control_and_badge_out_of_band(client):
    product = ProductFactory()
    add(client, product.pk)
    response = add(client, product.pk, "2", htmx=True)
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert f'id="add-to-cart-{product.pk}"' in body and "3 in your cart" in body
    # innerHTML: the badge (a live region) stays in the page and announces its new count.
    assert 'id="cart-badge"' in body and 'data-hx-swap-oob="innerHTML"' in body
    assert 'data-testid="cart-count">3<' in body
    assert 'id="messages"' in body  # the message arrives out of band too


def test_tampered_price_field_is_ignored(client):
    product = ProductFactory(current_price=Decimal("19.99"))
    add(client, product.pk, price="0.01", unit_price="0.01")
    page = client.get("/cart/").content.decode()
    assert "19.99" in page and "0.01" not in page


BAD_QUANTITIES = [
    ("0", "at least 1"),
    ("-1", "at least 1"),
    ("abc", "whole number"),
    (str(10**12), "at most 99"),
    ("", "whole number"),
    ("1.5", "whole number"),
]


@pytest.mark.parametrize(("quantity", "message"), BAD_QUANTITIES)
@pytest.mark.parametrize("htmx", [False, True])
def test_bad_quantity_changes_nothing(client, quantity, message, htmx):
    product = ProductFactory()
    response = add(client, product.pk, quantity, htmx=htmx)
    assert response.status_code == (400 if htmx else 302)
    body = response.content.decode() if htmx else client.get("/cart/").content.decode()
    assert message in body
    if htmx:
        assert response["HX-Reswap"] == "none"
    assert not CartLine.objects.exists()


@pytest.mark.parametrize(("quantity", "message"), BAD_QUANTITIES)
@pytest.mark.parametrize("htmx", [False, True])
def test_bad_quantity_on_a_cart_line_changes_nothing(client, quantity, message, htmx):
    add(client, ProductFactory().pk, "2")
    line = CartLine.objects.get()
    response = client.post(
        f"/cart/lines/{line.pk}/", {"quantity": quantity}, headers=HX if htmx else {}
    )
    assert response.status_code == (400 if htmx else 302)
    body = response.content.decode() if htmx else client.get("/cart/").content.decode()
    assert message in body
    line.refresh_from_db()
    assert line.quantity == 2


@pytest.mark.parametrize("product_id", ["999999", "abc", "-3", str(10**30), ""])
def test_unknown_product_changes_nothing(client, product_id):
    response = add(client, product_id)
    assert response.status_code == 302
    assert "That product" in client.get("/cart/").content.decode()
    assert not Cart.objects.exists()


def test_archived_and_draft_products_cannot_be_added(client):
    for status in ("archived", "draft"):
        product = ProductFactory(status=status)
        add(client, product.pk)
        assert "no longer available" in client.get("/cart/").content.decode()
    assert not CartLine.objects.exists()


def test_stock_caps_the_quantity_and_says_so(client):
    product = ProductFactory(name="Vase", stock=3)
    add(client, product.pk, "5")
    assert lines(client) == {product.pk: 3}
    assert "Only 3 of Vase left: your cart has 3." in client.get("/cart/").content.decode()
    add(client, product.pk, "1")
    assert lines(client) == {product.pk: 3}
    assert "Only 3 of Vase left: your cart has 3." in client.get("/cart/").content.decode()
    out = ProductFactory(name="Gone", stock=0)
    add(client, out.pk)
    assert "Gone is out of stock" in client.get("/cart/").content.decode()


def test_update_quantity_htmx_swaps_line_totals_and_badge(client):
    product = ProductFactory(current_price=Decimal("5.00"))
    add(client, product.pk)
    line = CartLine.objects.get()
    response = client.post(f"/cart/lines/{line.pk}/", {"quantity": "4"}, headers=HX)
    body = response.content.decode()
    assert body.lstrip().startswith(f'<li id="cart-line-{line.pk}"')
    assert 'id="cart_totals" class="cart-totals" data-hx-swap-oob="true"' in body
    assert "20.00" in body and 'data-testid="cart-count">4<' in body
    assert CartLine.objects.get().quantity == 4


def test_update_above_stock_is_refused(client):
    product = ProductFactory(stock=2, name="Mug")
    add(client, product.pk)
    line = CartLine.objects.get()
    response = client.post(f"/cart/lines/{line.pk}/", {"quantity": "5"}, headers=HX)
    assert response.status_code == 400
    assert "Only 2 of Mug left." in response.content.decode()
    assert CartLine.objects.get().quantity == 1


def test_another_sessions_line_cannot_be_touched(client):
    foreign = cart_with((ProductFactory(), 2))
    line = foreign.lines.get()
    add(client, ProductFactory().pk)
    for url, data in [
        (f"/cart/lines/{line.pk}/", {"quantity": "9"}),
        (f"/cart/lines/{line.pk}/remove/", {}),
    ]:
        response = client.post(url, data)
        assert response.status_code == 302
        assert "not in your cart" in client.get("/cart/").content.decode()
    line.refresh_from_db()
    assert line.quantity == 2


def test_remove_returns_the_cart_and_badge(client):
    product = ProductFactory()
    add(client, product.pk, "2")
    line = CartLine.objects.get()
    response = client.post(f"/cart/lines/{line.pk}/remove/", headers=HX)
    body = response.content.decode()
    assert '<section id="cart"' in body and "Your cart is empty." in body
    assert 'data-testid="cart-count">0<' in body
    assert not CartLine.objects.exists()


def test_cart_page_flags_unavailable_and_low_stock_lines(client):
    gone = ProductFactory(name="Gone")
    low = ProductFactory(name="Low", stock=2)
    add(client, gone.pk)
    add(client, low.pk)
    gone.status = "archived"
    gone.save()
    page = client.get("/cart/").content.decode()
    assert "No longer available" in page and "Only 2 left" in page
    assert "Fix the items marked above" in page


def test_get_on_post_endpoints_is_405(client):
    assert client.get("/cart/add/").status_code == 405


def test_badge_costs_no_query_without_session(client, django_assert_num_queries):
    client.get("/")  # warm the home page's layout cache: only the badge is measured
    with django_assert_num_queries(0):
        response = client.get("/")
    assert 'data-testid="cart-count">0<' in response.content.decode()


def test_badge_reads_only_the_session(client, django_assert_num_queries):
    add(client, ProductFactory().pk, "3")
    client.get("/")  # warm the home page's layout cache: only the badge is measured
    with django_assert_num_queries(1):  # the session row (sessions live in PostgreSQL)
        response = client.get("/")
    assert 'data-testid="cart-count">3<' in response.content.decode()


@pytest.mark.parametrize("existing_lines", [0, 30])
def test_add_to_cart_htmx_budget(client, django_assert_max_num_queries, existing_lines):
    add(client, ProductFactory().pk)
    cart = Cart.objects.get()
    for product in ProductFactory.create_batch(existing_lines):
        CartLine.objects.create(cart=cart, variant=variant_of(product), quantity=1)
    product = ProductFactory(stock=2)
    # The session with its user, the variant with its stock, the line upsert with the cart and
    # its count in one statement, the session saved with the new count (3 queries in a test's
    # savepoint, 1 in production).
    with django_assert_max_num_queries(6) as first:
        response = add(client, product.pk, htmx=True)
    body = response.content.decode()
    assert response.status_code == 200 and f'data-testid="cart-count">{existing_lines + 2}<' in body
    with django_assert_max_num_queries(6) as again:
        response = add(client, product.pk, htmx=True)
    assert f'data-testid="cart-count">{existing_lines + 3}<' in response.content.decode()
    # At the stock limit nothing changes: nothing is written, the session is not saved.
    with django_assert_max_num_queries(3) as capped:
        response = add(client, product.pk, htmx=True)
    body = response.content.decode()
    assert f'data-testid="cart-count">{existing_lines + 3}<' in body and "2 in your cart" in body
    print(
        f"add to cart, {existing_lines} other lines: "
        f"{len(first)} / {len(again)} / {len(capped)} (at the limit) queries"
    )


def test_first_add_of_a_new_visitor_budget(client, django_assert_max_num_queries):
    product = ProductFactory()
    # The variant, the new cart, the line with its count, the new session (a key check and
    # its row in a savepoint).
    with django_assert_max_num_queries(7) as captured:
        response = add(client, product.pk, htmx=True)
    assert 'data-testid="cart-count">1<' in response.content.decode()
    print(f"add to cart, new visitor: {len(captured)} queries")


def ctid(line: CartLine) -> str:
    """Where PostgreSQL keeps the row: every UPDATE writes a new version somewhere else."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT ctid::text FROM cart_cartline WHERE id = %s", [line.pk])
        return cursor.fetchone()[0]


def test_add_at_the_stock_limit_writes_nothing(client):
    product = ProductFactory(name="Vase", stock=3)
    add(client, product.pk, "3")
    line = CartLine.objects.get()
    before = ctid(line)
    response = add(client, product.pk, "2", htmx=True)
    body = response.content.decode()
    assert "Only 3 of Vase left: your cart has 3." in body and "3 in your cart" in body
    assert 'data-testid="cart-count">3<' in body
    assert ctid(line) == before and CartLine.objects.get().quantity == 3


def test_add_when_stock_fell_below_the_line_lowers_it(client):
    product = ProductFactory(name="Vase", stock=5)
    add(client, product.pk, "4")
    Stock.objects.filter(variant__product=product).update(quantity=2)
    response = add(client, product.pk, htmx=True)
    body = response.content.decode()
    assert "Only 2 of Vase left: your cart has 2." in body
    assert 'data-testid="cart-count">2<' in body
    assert lines(client) == {product.pk: 2}


def test_add_after_the_sessions_cart_is_gone_starts_a_new_one(client):
    add(client, ProductFactory().pk, "2")
    Cart.objects.all().delete()  # e.g. merged into a user's cart in another browser
    product = ProductFactory()
    response = add(client, product.pk, htmx=True)
    assert 'data-testid="cart-count">1<' in response.content.decode()
    assert lines(client) == {product.pk: 1}
    add(client, product.pk)
    assert lines(client) == {product.pk: 2} and Cart.objects.count() == 1


def test_user_cart_follows_the_user(client):
    user = UserFactory()
    client.force_login(user)
    product = ProductFactory()
    add(client, product.pk)
    response = add(client, product.pk, htmx=True)
    assert 'data-testid="cart-count">2<' in response.content.decode()
    assert Cart.objects.get().user == user and lines(client) == {product.pk: 2}


@pytest.mark.parametrize("count", [1, 40])
def test_cart_page_budget(client, django_assert_max_num_queries, count):
    from tests.checkout.factories import CouponFactory

    CouponFactory(code="TEN")
    for product in ProductFactory.create_batch(count):
        add(client, product.pk)
    client.post("/checkout/coupon/", {"code": "TEN"})
    with django_assert_max_num_queries(5):  # session, cart, lines, products, coupon
        response = client.get("/cart/")
    assert response.content.decode().count('data-testid="cart-line"') == count
