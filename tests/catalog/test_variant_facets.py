"""Facets over variants, against a catalog small enough to count by hand.

    B1 boot, Black: 41 (80.00, none), 42 (80.00, 3 in stock)
    B2 boot, Brown: 42 (90.00, none), 43 (95.00, 1)
    T1 tee: Red/M (20.00, 2), Blue/M (25.00, none)
    M1 mug, no options: 10.00, 5
    B4 boot (draft product): 42, 9 in stock: never counted
    B5 boot: 42 inactive variant (5 in stock), 44 (70.00, none): counted for 44 only, and never
       as in stock

A product counts under a facet value when ONE of its active variants has that value and matches
every other filter: "size 42" + "in stock" is B1 alone (B2's 42 is sold out).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.catalog.filters import CatalogFilters
from apps.catalog.models import Product, Variant
from apps.catalog.selectors import catalog_meta, catalog_page
from tests.factories import AttributeDefinitionFactory, CategoryFactory, ProductFactory, boot

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    colour = AttributeDefinitionFactory(slug="colour", name="Colour", sort_order=0)
    size = AttributeDefinitionFactory(slug="size", name="Size", sort_order=1)
    shoes = CategoryFactory(name="Shoes", slug="shoes")
    products = {}
    products["B1"], _ = boot(
        "B1", sizes=("41", "42"), price="80.00", stock={("Black", "41"): 0}, category=shoes
    )
    products["B2"], _ = boot(
        "B2",
        sizes=("42", "43"),
        colours=("Brown",),
        price={("Brown", "42"): "90.00", ("Brown", "43"): "95.00"},
        stock={("Brown", "42"): 0, ("Brown", "43"): 1},
        category=shoes,
    )
    products["T1"], tee = boot(
        "T1",
        sizes=("M",),
        colours=("Red", "Blue"),
        price={("Red", "M"): "20.00", ("Blue", "M"): "25.00"},
        stock={("Red", "M"): 2, ("Blue", "M"): 0},
        category=shoes,
    )
    products["M1"] = ProductFactory(name="M1", current_price="10.00", stock=5, category=shoes)
    boot("B4", sizes=("42",), stock={("Black", "42"): 9}, category=shoes, status="draft")
    products["B5"], b5 = boot(
        "B5",
        sizes=("42", "44"),
        price="70.00",
        stock={("Black", "42"): 5, ("Black", "44"): 0},
        category=shoes,
    )
    inactive = b5[("Black", "42")]
    inactive.status = Variant.Status.INACTIVE
    inactive.save()
    return {"colour": colour.pk, "size": size.pk, "products": products}


def page(shop, **filters):
    meta = catalog_meta()
    options = tuple(
        sorted(
            (shop[slug], slug, tuple(values)) for slug, values in filters.pop("options", {}).items()
        )
    )
    result = catalog_page(CatalogFilters(options=options, **filters), meta, per_page=48)
    names = {p.name for p in result.products}
    return result.summary, names


def test_meta_knows_option_values(shop):
    definitions = {d.slug: d for d in catalog_meta().definitions}
    assert definitions["size"].is_option and definitions["colour"].is_option
    assert definitions["size"].values == ("41", "42", "43", "44", "M")
    assert set(definitions["colour"].values) == {"Black", "Brown", "Red", "Blue"}


def test_unfiltered_counts_products_with_an_active_variant(shop):
    summary, names = page(shop)
    assert names == {"B1", "B2", "T1", "M1", "B5"}
    assert summary.total == 5
    assert summary.counts[shop["size"]] == {"41": 1, "42": 2, "43": 1, "44": 1, "M": 1}
    assert summary.counts[shop["colour"]] == {"Black": 2, "Brown": 1, "Red": 1, "Blue": 1}
    assert summary.in_stock_count == 4  # B1 (42), B2 (43), T1 (Red/M), M1; not B5


def test_in_stock_with_a_size_means_that_size_in_stock(shop):
    summary, names = page(shop, in_stock=True, options={"size": ["42"]})
    assert names == {"B1"}
    # Sizes under "in stock" (their own filter left out): B1's 42, B2's 43, T1's M.
    assert summary.counts[shop["size"]] == {"42": 1, "43": 1, "M": 1}
    assert summary.counts[shop["colour"]] == {"Black": 1}
    summary, names = page(shop, options={"size": ["42"]})
    assert names == {"B1", "B2"} and summary.in_stock_count == 1


def test_two_options_must_hold_on_one_variant(shop):
    summary, names = page(shop, in_stock=True, options={"colour": ["Blue"]})
    assert names == set() and summary.total == 0  # T1 comes in blue, but blue is sold out
    summary, names = page(shop, options={"colour": ["Red"], "size": ["M"]})
    assert names == {"T1"}


def test_price_filter_and_sort_use_variant_prices(shop):
    _, names = page(shop, price_max=Decimal("85"))
    assert names == {"B1", "T1", "M1", "B5"}
    # B2 is "from 90.00" yet its 43 costs 95.00: a minimum of 92 finds it.
    summary, names = page(shop, price_min=Decimal("92"))
    assert names == {"B2"}
    assert summary.counts[shop["size"]] == {"43": 1}
    _, names = page(shop, price_min=Decimal("92"), options={"size": ["42"]})
    assert names == set()  # B2's 42 costs 90.00
    meta = catalog_meta()
    result = catalog_page(CatalogFilters(), meta, sort="price_asc", per_page=48)
    assert [p.name for p in result.products] == ["M1", "T1", "B5", "B1", "B2"]
    assert Product.objects.get(name="B2").current_price == Decimal("90.00")


def test_listing_html_shows_the_option_facets(client, shop):
    body = client.get("/catalog/?size=42&in_stock=on").content.decode()
    assert 'data-testid="count-size-42">(1)' in body
    assert 'data-testid="count-size-43">(1)' in body
    assert 'data-testid="result-count">1 product' in body


def test_a_product_without_active_variants_is_not_listed(shop):
    Variant.objects.filter(product=shop["products"]["M1"]).update(status="inactive")
    from apps.catalog.services import refresh_variant_summary

    refresh_variant_summary([shop["products"]["M1"].pk])
    summary, names = page(shop)
    assert "M1" not in names and summary.total == 4
