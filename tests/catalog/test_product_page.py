from __future__ import annotations

import pytest

from apps.catalog.models import Product
from tests.factories import (
    AttributeDefinitionFactory,
    CategoryFactory,
    ProductAttributeFactory,
    ProductFactory,
    ProductImageFactory,
    set_price,
)

pytestmark = pytest.mark.django_db


def test_product_page_shows_gallery_attributes_price_stock_and_breadcrumbs(
    client, django_assert_max_num_queries
):
    men = CategoryFactory(name="Men", slug="men")
    shoes = CategoryFactory(name="Shoes", slug="shoes", parent=men)
    product = ProductFactory(
        name="Trail Runner",
        category=shoes,
        current_price="89.00",
        compare_at_price="120.00",
        stock=2,
    )
    ProductImageFactory(product=product, alt_text="Side view", is_primary=True)
    ProductImageFactory(product=product, alt_text="Sole", is_primary=False, sort_order=1)
    colour = AttributeDefinitionFactory(slug="colour", name="Colour")
    size = AttributeDefinitionFactory(slug="size", name="Size", unit="EU")
    ProductAttributeFactory(product=product, definition=colour, value="Red")
    ProductAttributeFactory(product=product, definition=colour, value="Black")
    ProductAttributeFactory(product=product, definition=size, value="42")

    with django_assert_max_num_queries(5):
        response = client.get(product.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Trail Runner</h1>" in body
    assert "89.00 EUR" in body and "<s" in body and "120.00" in body
    assert "Only 2 left" in body
    assert 'alt="Side view"' in body and 'alt="Sole"' in body
    assert '<th scope="row">Colour</th><td>Black, Red</td>' in body
    assert "<td>42 EU</td>" in body
    assert 'href="/catalog/men/shoes/">Shoes</a>' in body
    assert 'aria-current="page">Trail Runner' in body


def test_out_of_stock_and_missing_products(client):
    product = ProductFactory(name="Gone", stock=0)
    assert "Out of stock" in client.get(product.get_absolute_url()).content.decode()
    draft = ProductFactory(status=Product.Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get("/products/no-such-thing/").status_code == 404


def test_warm_product_page_costs_no_query_and_never_shows_a_stale_price(
    client, django_assert_num_queries
):
    import re

    from django.test import Client

    product = ProductFactory(name="Trail Runner", current_price="89.00", stock=5)
    ProductImageFactory(product=product, alt_text="Side view", is_primary=True)
    url = product.get_absolute_url()
    client.get(url)
    with django_assert_num_queries(0):
        body = client.get(url).content.decode()
    assert "89.00 EUR" in body and "Trail Runner" in body and '"price": "89.00"' in body

    set_price(product, "79.00")
    body = client.get(url).content.decode()
    assert "79.00 EUR" in body and "89.00" not in body

    # Each shopper's own CSRF token fills the cached add-to-cart form, and it is accepted.
    other = Client(enforce_csrf_checks=True)
    page = other.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    assert "csrfslot" not in page
    added = other.post("/cart/add/", {"product_id": product.pk, "csrfmiddlewaretoken": token})
    assert added.status_code == 302


def test_signed_in_shoppers_and_query_strings_get_a_fresh_product_page(client):
    from django.core.cache import cache

    from tests.factories import UserFactory

    product = ProductFactory(name="Trail Runner", stock=5)
    url = product.get_absolute_url()
    client.get(url + "?utm_source=mail")
    assert not cache.keys("catalog:product:*"), "junk query strings never fill Redis"
    client.force_login(UserFactory())
    client.get(url)
    assert not cache.keys("catalog:product:*"), "a signed-in shopper's hearts are their own"
