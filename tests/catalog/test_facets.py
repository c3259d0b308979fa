from __future__ import annotations

import re
from decimal import Decimal

import pytest

from apps.catalog import selectors
from apps.catalog.filters import CatalogFilters
from tests.catalog.factories import small_catalog

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    return small_catalog()


def summary(**kwargs):
    return selectors.cached_facet_summary(CatalogFilters(**kwargs), selectors.catalog_meta())


def test_unfiltered_counts(shop):
    result = summary()
    colour, size = shop["colour"].pk, shop["size"].pk
    assert result.total == 4
    assert result.counts[colour] == {"red": 2, "blue": 2, "green": 1}
    assert result.counts[size] == {"S": 2, "M": 2}
    assert (result.price_low, result.price_high) == (Decimal("10.00"), Decimal("40.00"))
    assert result.in_stock_count == 3


def test_a_facet_is_counted_under_the_other_filters_not_its_own(shop):
    colour, size = shop["colour"].pk, shop["size"].pk
    result = summary(attributes=((colour, ("red",)),))
    assert result.total == 2
    # Ticking red must not hide blue or green: colour ignores its own filter.
    assert result.counts[colour] == {"red": 2, "blue": 2, "green": 1}
    assert result.counts[size] == {"S": 1, "M": 1}
    assert (result.price_low, result.price_high) == (Decimal("10.00"), Decimal("20.00"))
    assert result.in_stock_count == 1


def test_two_facets(shop):
    colour, size = shop["colour"].pk, shop["size"].pk
    result = summary(attributes=((colour, ("red",)), (size, ("M",))))
    assert result.total == 1
    assert result.counts[colour] == {"red": 1, "blue": 1, "green": 1}
    assert result.counts[size] == {"S": 1, "M": 1}


def test_values_of_one_attribute_are_alternatives(shop):
    result = summary(attributes=((shop["colour"].pk, ("blue", "red")),))
    assert result.total == 3


def test_price_range_ignores_the_price_filter_and_stock_ignores_stock(shop):
    result = summary(price_min=Decimal("15"), price_max=Decimal("35"))
    assert result.total == 2
    assert (result.price_low, result.price_high) == (Decimal("10.00"), Decimal("40.00"))
    stocked = summary(in_stock=True)
    assert stocked.total == 3 and stocked.in_stock_count == 3


def test_listing_shows_the_counts_and_results(client, shop):
    response = client.get("/catalog/?colour=red")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="count-size-s">(1)' in body
    assert 'data-testid="count-colour-blue">(2)' in body
    assert 'data-testid="result-count">2 products' in body
    # Product names, not the whole body: a random CSRF token can contain "P5".
    assert re.findall(r'class="product-name">([^<]+)<', body) == ["P1", "P2"]
    assert 'value="red" checked' in body


def test_facet_cache_follows_catalog_changes(client, shop):
    assert summary().total == 4
    shop["products"]["P4"].status = "archived"
    shop["products"]["P4"].save()
    result = summary()
    assert result.total == 3
    # P4 was the only green product: an archived product's attributes are not counted.
    assert result.counts[shop["colour"].pk] == {"red": 2, "blue": 2}
    assert result.counts[shop["size"].pk] == {"S": 2, "M": 1}
    assert (result.price_low, result.price_high) == (Decimal("10.00"), Decimal("30.00"))
    assert result.in_stock_count == 2
