from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.postgres.search import SearchQuery
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from apps.catalog import demo_copy
from apps.catalog.models import (
    AttributeDefinition,
    Product,
    ProductAttribute,
    ProductImage,
    Stock,
    Variant,
    Warehouse,
)
from apps.catalog.services import refresh_variant_summary

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


# The COPY writer (PostgreSQL): the same catalog as the ORM writer, summary columns as the
# service computes them, every index and constraint back after a large load.


def full_fingerprint() -> list[tuple]:
    """Everything a shopper sees of the seeded catalog, ids left out (they differ by writer)."""
    rows = []
    for product in Product.objects.order_by("sku").prefetch_related(
        "attributes__definition", "variants__stock__warehouse", "images"
    ):
        rows.append(
            (
                product.sku,
                product.slug,
                product.name,
                product.description,
                product.category.path,
                product.product_type.slug,
                product.primary_warehouse.code,
                product.status,
                summary(product),
                sorted((a.definition.slug, a.value) for a in product.attributes.all()),
                sorted(
                    (
                        v.sku,
                        v.options,
                        v.price,
                        v.compare_at_price,
                        v.status,
                        v.sort_order,
                        sorted((s.warehouse.code, s.quantity) for s in v.stock.all()),
                    )
                    for v in product.variants.all()
                ),
                sorted(
                    (i.image.name, i.alt_text, i.option_value, i.is_primary, i.sort_order, i.width)
                    for i in product.images.all()
                ),
            )
        )
    return rows


def summary(product: Product) -> tuple:
    return (
        product.current_price,
        product.compare_at_price,
        product.max_price,
        product.on_sale,
        product.has_options,
        product.swatches,
    )


def schema() -> tuple[list, list]:
    """Every index and constraint definition on the catalog tables."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid::regclass::text = ANY(%s) ORDER BY 1",
            [list(demo_copy.TABLES)],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE conrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
            [list(demo_copy.TABLES)],
        )
        return indexes, cursor.fetchall()


def test_copy_writes_the_same_catalog_as_the_orm():
    assert connection.vendor == "postgresql"
    call_command("seed_demo", products=60, seed=11, loader="orm", verbosity=0)
    by_orm = full_fingerprint()
    call_command("seed_demo", products=60, seed=11, reset=True, verbosity=0)  # auto: COPY
    by_copy = full_fingerprint()
    assert by_copy == by_orm
    assert len(by_copy) == 60
    call_command("seed_demo", products=60, seed=11, reset=True, verbosity=0)
    assert full_fingerprint() == by_copy, "COPY is deterministic for a seed"


def test_copy_summary_columns_are_what_the_service_computes():
    call_command("seed_demo", products=80, seed=13, verbosity=0)
    seeded = {p.pk: summary(p) for p in Product.objects.all()}
    assert any(s[3] for s in seeded.values()) and any(s[4] for s in seeded.values())
    refresh_variant_summary(seeded)
    assert {p.pk: summary(p) for p in Product.objects.all()} == seeded


def test_copy_counts_stock_attributes_pictures_and_search():
    call_command("seed_demo", products=70, seed=17, verbosity=0)
    products = Product.objects.count()
    variants = Variant.objects.count()
    assert products == 70 and variants > products
    # One main-warehouse row per variant, at most one east row.
    assert Stock.objects.filter(warehouse__code="main").count() == variants
    assert 0 < Stock.objects.filter(warehouse__code="east").count() < variants
    assert Stock.objects.count() == variants + Stock.objects.filter(warehouse__code="east").count()
    # Brand and material for every product, waterproof for the outdoors ones.
    outdoors = Product.objects.filter(category__path__startswith="outdoors").count()
    assert ProductAttribute.objects.count() == 2 * products + outdoors
    assert ProductAttribute.objects.filter(definition__slug="waterproof").count() == outdoors
    # One primary picture each; a product in colours has one picture per colour.
    assert ProductImage.objects.filter(is_primary=True).count() == products
    for product in Product.objects.filter(has_options=True).prefetch_related("images"):
        assert sorted(i.option_value for i in product.images.all()) == sorted(product.swatches)
    # The search trigger ran for every copied row.
    assert not Product.objects.filter(search_vector__isnull=True).exists()
    name = Product.objects.filter(status="active").order_by("pk").first().name
    assert Product.objects.filter(search_vector=SearchQuery(name, config="english")).exists()


def test_copy_rerun_with_if_empty_changes_nothing():
    call_command("seed_demo", products=20, seed=19, verbosity=0)
    before = full_fingerprint(), sorted(Variant.objects.values_list("pk", flat=True))
    call_command("seed_demo", products=500, seed=20, if_empty=True, verbosity=0)
    assert (full_fingerprint(), sorted(Variant.objects.values_list("pk", flat=True))) == before


def test_large_copy_load_rebuilds_every_index_and_constraint(monkeypatch):
    """Above REBUILD_AT the writer drops indexes, unique and foreign keys, and re-adds them."""
    call_command("seed_demo", products=30, seed=23, verbosity=0)
    small = full_fingerprint()
    before = schema()
    monkeypatch.setattr(demo_copy, "REBUILD_AT", 1)
    call_command("seed_demo", products=30, seed=23, reset=True, verbosity=0)
    assert schema() == before
    assert full_fingerprint() == small
    # The sequences moved past the copied ids: the ORM inserts after them.
    product = Product.objects.order_by("-pk").first()
    variant = Variant.objects.create(
        product=product, sku="AFTER-COPY", price="1.00", options={"size": "new"}
    )
    assert variant.pk > Variant.objects.exclude(pk=variant.pk).order_by("-pk").first().pk
    # The re-added constraints hold: a duplicate SKU is refused.
    with pytest.raises(IntegrityError), transaction.atomic():
        Variant.objects.create(
            product=product, sku="AFTER-COPY", price="1.00", options={"size": "other"}
        )


SQLITE_ROWS = """
    SELECT p.sku, p.slug, p.name, p.status,
      (SELECT count(*) FROM catalog_variant v WHERE v.product_id = p.id),
      (SELECT count(*) FROM catalog_stock s JOIN catalog_variant v ON v.id = s.variant_id
        WHERE v.product_id = p.id),
      (SELECT coalesce(sum(s.quantity), 0) FROM catalog_stock s
        JOIN catalog_variant v ON v.id = s.variant_id WHERE v.product_id = p.id),
      (SELECT count(*) FROM catalog_productattribute a WHERE a.product_id = p.id),
      (SELECT count(*) FROM catalog_productimage i WHERE i.product_id = p.id)
    FROM catalog_product p ORDER BY p.sku
"""


def test_make_run_on_sqlite_seeds_the_same_catalog_as_copy_on_postgresql(tmp_path):
    """`make run`'s path (no DATABASE_URL: SQLite, the ORM writer) still works, and gives the
    catalog COPY gives for the same seed."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="shop.settings.dev",
        SQLITE_PATH=str(tmp_path / "db.sqlite3"),
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    for args in (["migrate", "-v0"], ["seed_demo", "--products", "25", "--seed", "29", "-v0"]):
        subprocess.run([*manage, *args], env=env, check=True, timeout=600)
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        on_sqlite = [tuple(row) for row in db.execute(SQLITE_ROWS)]

    call_command("seed_demo", products=25, seed=29, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(SQLITE_ROWS)
        on_postgresql = [tuple(row) for row in cursor.fetchall()]
    assert len(on_sqlite) == 25
    assert on_sqlite == on_postgresql
