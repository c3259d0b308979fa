from __future__ import annotations

import pytest

from apps.catalog import selectors
from apps.catalog.filters import CatalogFilters
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def names(q: str, sort: str = "relevance") -> list[str]:
    page = selectors.catalog_page(CatalogFilters(q=q), selectors.catalog_meta(), sort=sort)
    return [p.name for p in page.products]


def test_name_matches_outrank_description_matches():
    ProductFactory(name="Blue Parka", description="Keeps you dry in the rain and wind.")
    ProductFactory(name="Rain Jacket", description="A light shell.")
    ProductFactory(name="Rain Rain Poncho", description="Rain, rain and more rain.")
    ProductFactory(name="Sun Hat", description="For sunny days.")
    result = names("rain")
    assert "Sun Hat" not in result
    assert (
        result.index("Rain Rain Poncho") < result.index("Rain Jacket") < result.index("Blue Parka")
    )


def test_search_stems_and_sorts_on_request():
    ProductFactory(name="Hiking Boots", current_price="90.00")
    ProductFactory(name="Boot Laces", current_price="5.00")
    assert set(names("boot")) == {"Hiking Boots", "Boot Laces"}
    assert names("boots", sort="price_asc") == ["Boot Laces", "Hiking Boots"]


def test_search_vector_follows_edits():
    product = ProductFactory(name="Plain Mug")
    assert names("teapot") == []
    product.name = "Teapot"
    product.save()
    assert names("teapot") == ["Teapot"]


def test_search_page_through_the_view(client):
    ProductFactory(name="Rain Jacket")
    ProductFactory(name="Sun Hat")
    body = client.get("/catalog/", {"q": "jacket"}).content.decode()
    assert "Rain Jacket" in body and "Sun Hat" not in body
    assert "1 product for “jacket”" in body
