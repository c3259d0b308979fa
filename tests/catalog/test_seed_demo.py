from __future__ import annotations

import pytest
from django.core.management import call_command

from apps.catalog.models import (
    AttributeDefinition,
    Product,
    ProductImage,
    Stock,
    Variant,
    Warehouse,
)

pytestmark = pytest.mark.django_db


def fingerprint() -> list[tuple]:
    rows = []
    for product in Product.objects.order_by("sku").prefetch_related(
        "attributes__definition", "variants__stock"
    ):
        rows.append(
            (
                product.sku,
                product.name,
                product.current_price,
                product.category.path,
                sorted((a.definition.slug, a.value) for a in product.attributes.all()),
                sorted(
                    (v.sku, v.price, v.options, sorted(s.quantity for s in v.stock.all()))
                    for v in product.variants.all()
                ),
            )
        )
    return rows


def test_seed_is_deterministic_and_complete(settings):
    call_command("seed_demo", products=40, seed=7, reset=True, verbosity=0)
    first = fingerprint()
    call_command("seed_demo", products=40, seed=7, reset=True, verbosity=0)
    assert fingerprint() == first
    assert len(first) == 40
    call_command("seed_demo", products=40, seed=8, reset=True, verbosity=0)
    assert fingerprint() != first

    assert Warehouse.objects.count() == 2
    # Every variant is stocked in the main warehouse, some in the east one too.
    assert Stock.objects.filter(warehouse__code="main").count() == Variant.objects.count()
    assert Variant.objects.count() > 40
    assert AttributeDefinition.objects.filter(filterable=True).count() >= 4
    assert ProductImage.objects.filter(is_primary=True).count() == 40
    image = ProductImage.objects.first()
    assert (settings.MEDIA_ROOT / image.image.name).exists()
    assert Product.objects.filter(category__parent__isnull=False).count() == 40


def test_if_empty_leaves_an_existing_catalog_alone():
    call_command("seed_demo", products=5, seed=1, verbosity=0)
    call_command("seed_demo", products=50, seed=2, if_empty=True, verbosity=0)
    assert Product.objects.count() == 5


def test_seeded_catalog_serves_the_listing(client):
    call_command("seed_demo", products=30, seed=3, verbosity=0)
    body = client.get("/catalog/?colour=Red").content.decode()
    assert 'data-facet="brand"' in body and 'data-facet="material"' in body


def test_demo_pictures_show_the_product_family_in_the_products_colour():
    from apps.catalog.management.commands.seed_demo import SHAPE_OF

    call_command("seed_demo", products=60, verbosity=0)
    tagged = 0
    for image in ProductImage.objects.select_related("product__category"):
        shape = SHAPE_OF[image.product.category.name]
        assert image.image.name.startswith(f"demo/{shape}-"), image.image.name
        if image.option_value:  # a colour's picture, shared by that colour's sizes
            tagged += 1
            assert image.option_value in image.product.swatches
            assert image.image.name == f"demo/{shape}-{image.option_value.lower()}.jpg"
    assert tagged


def test_demo_matrices_are_realistic():
    call_command("seed_demo", products=80, seed=5, verbosity=0)
    for product in Product.objects.select_related("category").prefetch_related("variants"):
        family = product.category.name
        variants = list(product.variants.all())
        sizes = {v.options.get("size") for v in variants}
        colours = {v.options.get("colour") for v in variants}
        if family in {"Boots", "Sneakers"}:
            assert sizes == {str(n) for n in range(36, 47)} and 1 <= len(colours) <= 2
        elif family in {"Dresses", "Tops", "Shirts", "Trousers", "Jackets"}:
            assert sizes == {"XS", "S", "M", "L", "XL", "XXL"} and 2 <= len(colours) <= 4
        else:
            assert [v.options for v in variants] == [{}]
        assert product.current_price == min(v.price for v in variants)
        assert product.has_options == (len(variants) > 1)
