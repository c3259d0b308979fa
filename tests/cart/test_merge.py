from __future__ import annotations

import pytest

from apps.cart.models import Cart, CartLine
from tests.checkout.factories import cart_with
from tests.factories import PASSWORD, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


def log_in(client, user):
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client.get("/").content.decode()


def test_anonymous_cart_merges_into_users_cart_and_says_what_changed(client):
    user = UserFactory()
    kept = ProductFactory(name="Lamp", stock=4)
    new = ProductFactory(name="Rug")
    archived = ProductFactory(name="Chair")
    cart_with((kept, 1), user=user)
    client.post("/cart/add/", {"product_id": kept.pk, "quantity": 5})  # capped at 4
    client.post("/cart/add/", {"product_id": new.pk, "quantity": 2})
    client.post("/cart/add/", {"product_id": archived.pk, "quantity": 1})
    archived.status = "archived"
    archived.save()
    page = log_in(client, user)
    assert "We merged the cart from your visit:" in page
    assert "Lamp: now 4 (all we have)." in page
    assert "Added 2 × Rug." in page
    assert "Chair is no longer available and was not added." in page
    assert 'data-testid="cart-count">6<' in page
    assert Cart.objects.count() == 1
    assert {line.variant.product_id: line.quantity for line in CartLine.objects.all()} == {
        kept.pk: 4,
        new.pk: 2,
    }


def test_merge_says_all_we_have_only_when_stock_capped_the_line(client):
    user = UserFactory()
    plenty = ProductFactory(name="Lamp", stock=50)
    scarce = ProductFactory(name="Vase", stock=3)
    cart_with((plenty, 1), (scarce, 2), user=user)
    client.post("/cart/add/", {"product_id": plenty.pk, "quantity": 2})
    client.post("/cart/add/", {"product_id": scarce.pk, "quantity": 2})
    page = log_in(client, user)
    assert "Lamp: now 3." in page
    assert "Vase: now 3 (all we have)." in page
    assert page.count("(all we have)") == 1


def test_anonymous_cart_becomes_the_users_when_they_have_none(client):
    user = UserFactory()
    product = ProductFactory()
    client.post("/cart/add/", {"product_id": product.pk, "quantity": 3})
    page = log_in(client, user)
    assert Cart.objects.get().user == user
    assert 'data-testid="cart-count">3<' in page


def test_login_without_anonymous_cart_shows_the_users_count(client):
    user = UserFactory()
    cart_with((ProductFactory(), 2), user=user)
    page = log_in(client, user)
    assert 'data-testid="cart-count">2<' in page and "merged" not in page
