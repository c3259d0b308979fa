from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog.models import Product
from tests.catalog.factories import bulk_catalog
from tests.factories import ProductFactory, ProductImageFactory, StaffFactory

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


def test_product_change_form_shows_images_attributes_and_variants_inline(admin_client):
    bulk_catalog(2)
    product = Product.objects.filter(variants__options__size="M").first()
    ProductImageFactory(product=product, alt_text="Side view", is_primary=False)
    body = admin_client.get(f"/admin/catalog/product/{product.pk}/change/").content.decode()
    assert 'id="images-group"' in body and "Side view" in body
    assert 'id="attributes-group"' in body and 'id="variants-group"' in body
    assert f"{product.sku}-M" in body
    # Each variant's stock per warehouse is edited on its own page, linked from the inline.
    variant = product.variants.get(options__size="M")
    body = admin_client.get(f"/admin/catalog/variant/{variant.pk}/change/").content.decode()
    assert 'id="stock-group"' in body
    assert admin_client.get("/admin/catalog/product/?q=Bulk+product+0").status_code == 200


@pytest.mark.parametrize("path", ["variant", "producttype"])
def test_other_changelists_have_no_n_plus_one(admin_client, path):
    bulk_catalog(3)
    with CaptureQueriesContext(connection) as small:
        assert admin_client.get(f"/admin/catalog/{path}/").status_code == 200
    bulk_catalog(60, start=3)
    with CaptureQueriesContext(connection) as large:
        assert admin_client.get(f"/admin/catalog/{path}/").status_code == 200
    assert len(large) == len(small)


def matrix_form(product, sizes: str, colours: str, price: str) -> dict:
    """The product change form as the admin posts it, with the matrix generator filled in and
    no inline rows."""
    form = {
        "sku": product.sku,
        "slug": product.slug,
        "name": product.name,
        "category": product.category_id,
        "primary_warehouse": product.primary_warehouse_id,
        "status": "active",
        "matrix_sizes": sizes,
        "matrix_colours": colours,
        "matrix_price": price,
    }
    for prefix in ("variants", "images", "attributes"):
        form.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return form


def test_generate_the_matrix_makes_one_variant_per_combination(admin_client):
    from apps.catalog.models import Variant

    product = ProductFactory(current_price="80.00")
    assert not product.has_options
    url = f"/admin/catalog/product/{product.pk}/change/"
    form = matrix_form(product, "40, 41, 42", "Black, Red", "89.00")
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    made = Variant.objects.filter(product=product, status="active")
    assert made.count() == 6
    assert {v.sku for v in made} >= {f"{product.sku}-BLACK-40", f"{product.sku}-RED-42"}
    product.refresh_from_db()
    assert product.has_options and product.current_price == 89
    admin_client.post(url, form)  # again: existing combinations are kept, none duplicated
    assert Variant.objects.filter(product=product, status="active").count() == 6


def test_stock_per_warehouse_is_edited_on_the_variant_page(admin_client):
    from apps.catalog.models import Stock, Variant
    from tests.factories import WarehouseFactory

    product = ProductFactory(stock=4)
    variant = Variant.objects.get(product=product)
    row = Stock.objects.get(variant=variant)
    east = WarehouseFactory(code="east")
    form = {
        "product": product.pk,
        "sku": variant.sku,
        "options": "{}",
        "price": "19.99",
        "status": "active",
        "sort_order": "0",
        "stock-TOTAL_FORMS": "2",
        "stock-INITIAL_FORMS": "1",
        "stock-0-id": row.pk,
        "stock-0-variant": variant.pk,
        "stock-0-warehouse": row.warehouse_id,
        "stock-0-quantity": "7",
        "stock-1-variant": variant.pk,
        "stock-1-warehouse": east.pk,
        "stock-1-quantity": "2",
    }
    response = admin_client.post(f"/admin/catalog/variant/{variant.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert dict(
        Stock.objects.filter(variant=variant).values_list("warehouse__code", "quantity")
    ) == {
        "main": 7,
        "east": 2,
    }
    form["stock-0-quantity"] = "-1"  # the database refuses negative stock; the form says so
    response = admin_client.post(f"/admin/catalog/variant/{variant.pk}/change/", form)
    assert response.status_code == 200
    assert Stock.objects.get(pk=row.pk).quantity == 7


@pytest.mark.parametrize("price", ["21474836.48", "9999999999.99"])
def test_a_price_past_the_cap_is_a_form_error(admin_client, price):
    """The facet index keys prices as 31 bits of cents (models.MAX_PRICE): the variant form says
    so instead of saving a price the listing's price filter would get wrong."""
    from apps.catalog.models import Variant

    product = ProductFactory()  # its one variant costs 19.99
    variant = Variant.objects.get(product=product)
    form = {
        "product": product.pk,
        "sku": variant.sku,
        "options": "{}",
        "price": price,
        "status": "active",
        "sort_order": "0",
        "stock-TOTAL_FORMS": "0",
        "stock-INITIAL_FORMS": "0",
    }
    response = admin_client.post(f"/admin/catalog/variant/{variant.pk}/change/", form)
    assert response.status_code == 200
    assert "A price can be at most 21474836.47." in response.content.decode()
    variant.refresh_from_db()
    assert variant.price == Decimal("19.99")
    form["price"] = "21474836.47"  # the cap itself is a price
    response = admin_client.post(f"/admin/catalog/variant/{variant.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    variant.refresh_from_db()
    assert variant.price == Decimal("21474836.47")


def test_the_database_refuses_a_price_past_the_cap():
    from django.db import IntegrityError, transaction

    from apps.catalog.models import MAX_PRICE, Variant

    variant = Variant.objects.get(product=ProductFactory())
    with pytest.raises(IntegrityError), transaction.atomic():
        Variant.objects.filter(pk=variant.pk).update(price=MAX_PRICE + Decimal("0.01"))
    Variant.objects.filter(pk=variant.pk).update(price=MAX_PRICE)


def test_the_matrix_price_is_capped_too(admin_client):
    from apps.catalog.models import Variant

    product = ProductFactory()
    form = matrix_form(product, "40, 41", "Black", "21474836.48")
    response = admin_client.post(f"/admin/catalog/product/{product.pk}/change/", form)
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 21474836.47" in response.content.decode()
    assert Variant.objects.filter(product=product).count() == 1
