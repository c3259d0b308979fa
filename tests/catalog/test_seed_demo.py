from __future__ import annotations

import pytest
from django.core.management import call_command

from apps.catalog.models import AttributeDefinition, Product, ProductImage, Stock, Warehouse

pytestmark = pytest.mark.django_db


def fingerprint() -> list[tuple]:
    rows = []
    for product in Product.objects.order_by("sku").prefetch_related(
        "attributes__definition", "stock"
    ):
        rows.append(
            (
                product.sku,
                product.name,
                product.current_price,
                product.category.path,
                sorted((a.definition.slug, a.value) for a in product.attributes.all()),
                sorted(s.quantity for s in product.stock.all()),
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
    assert Stock.objects.count() == 80
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
    for image in ProductImage.objects.filter(is_primary=True).select_related("product__category"):
        family = image.product.category.name
        colours = set(
            image.product.attributes.filter(definition__slug="colour").values_list(
                "value", flat=True
            )
        )
        shape = SHAPE_OF[family]
        assert image.image.name in {f"demo/{shape}-{c.lower()}.jpg" for c in colours}, (
            image.product.name,
            image.image.name,
        )
