from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog.models import Product
from tests.catalog.factories import bulk_catalog
from tests.factories import ProductImageFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(StaffFactory(is_superuser=True))
    return client


def changelist_queries(client, query: str = "") -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/admin/catalog/product/{query}")
    assert response.status_code == 200
    return len(ctx), response.content.decode()


@pytest.mark.parametrize("query", ["", "?q=bulk", "?status__exact=active&o=6"])
def test_product_changelist_has_no_n_plus_one(admin_client, query):
    bulk_catalog(3)
    small, body = changelist_queries(admin_client, query)
    assert body.count('class="action-select"') == 3
    bulk_catalog(60, start=3)
    large, body = changelist_queries(admin_client, query)
    assert body.count('class="action-select"') == 50  # a full page of the changelist
    assert large == small


def test_product_change_form_shows_images_attributes_and_stock_inline(admin_client):
    bulk_catalog(1)
    product = Product.objects.get()
    ProductImageFactory(product=product, alt_text="Side view", is_primary=False)
    body = admin_client.get(f"/admin/catalog/product/{product.pk}/change/").content.decode()
    assert 'id="images-group"' in body and "Side view" in body
    assert 'id="attributes-group"' in body and 'id="stock-group"' in body
    assert admin_client.get("/admin/catalog/product/?q=Bulk+product+0").status_code == 200
