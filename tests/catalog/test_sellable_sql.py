"""The add-to-cart lookups' fixed SQL (apps.catalog.products._sellable) answers what the ORM
queryset it replaced answers (kept here as the oracle), for every product and variant of a
catalog in every state: one variant or several, inactive variants, draft and archived products,
stock in several warehouses or none, sale prices, reordered variants, unknown ids."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.catalog import products
from apps.catalog.models import Product, Stock, Variant
from tests.factories import ProductFactory, VariantFactory, WarehouseFactory, boot

pytestmark = pytest.mark.django_db


def oracle_rows(**filters) -> list[products.VariantView]:
    rows = products._variant_rows().filter(
        status=Variant.Status.ACTIVE, product__status=Product.Status.ACTIVE, **filters
    )[:2]
    return [products._view(row) for row in rows]


@pytest.fixture
def catalog():
    plain = ProductFactory(name="Mug", stock=4)
    empty = ProductFactory(name="Empty", stock=0)
    ProductFactory(name="Draft", stock=3, status=Product.Status.DRAFT)
    archived = ProductFactory(name="Gone", stock=3)
    archived.status = Product.Status.ARCHIVED
    archived.save()
    shoe, variants = boot(name="Shoe", sizes=("41", "42"), colours=("Red", "Black"))
    # Second warehouse for one variant, an inactive one, a sale price, a reordered one.
    second = WarehouseFactory(code="north")
    Stock.objects.create(variant=variants[("Red", "41")], warehouse=second, quantity=7)
    off = variants[("Black", "42")]
    off.status = Variant.Status.INACTIVE
    off.save()
    sale = variants[("Red", "42")]
    sale.compare_at_price = Decimal("120.00")
    sale.sort_order = 99
    sale.save()
    # A product whose only active variant remains after the others were switched off.
    single, left = boot(name="Last one", sizes=("40", "41"), colours=("Blue",))
    gone = left[("Blue", "40")]
    gone.status = Variant.Status.INACTIVE
    gone.save()
    VariantFactory(
        product=plain, options={"size": "XL"}, sku="MUG-OFF", status=Variant.Status.INACTIVE
    )
    return [plain, empty, shoe, single, archived]


def test_only_variant_answers_what_the_orm_answers_for_every_product(catalog):
    ids = [*Product.objects.values_list("pk", flat=True), 0, 10**9]
    assert len(ids) >= 7
    for product_id in ids:
        expected = oracle_rows(product_id=product_id)
        assert products.only_variant(product_id) == (
            expected[0] if len(expected) == 1 else None,
            len(expected),
        ), product_id


def test_sellable_variant_answers_what_the_orm_answers_for_every_variant(catalog):
    ids = [*Variant.objects.values_list("pk", flat=True), 0, 10**9]
    assert len(ids) >= 10
    answers = set()
    for variant_id in ids:
        expected = oracle_rows(pk=variant_id)
        got = products.sellable_variant(variant_id)
        assert got == (expected[0] if expected else None), variant_id
        answers.add(got is None)
    assert answers == {True, False}  # both kinds of answer were compared
