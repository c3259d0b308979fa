"""The product and catalog pages carry the structured data search engines read."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from tests.factories import CategoryFactory, ProductFactory, ProductImageFactory

pytestmark = pytest.mark.django_db


def jsonld_blocks(body: str) -> list[dict]:
    return [
        json.loads(match)
        for match in re.findall(
            r'<script type="application/ld\+json"[^>]*>(.*?)</script>', body, re.S
        )
    ]


def test_product_page_jsonld_matches_the_product(client):
    category = CategoryFactory(name="Lamps", slug="lamps")
    product = ProductFactory(
        name="Desk lamp </script><script>alert(1)</script>",
        category=category,
        current_price=Decimal("49.90"),
        stock=4,
    )
    ProductImageFactory(product=product)
    body = client.get(product.get_absolute_url()).content.decode()
    blocks = {block["@type"]: block for block in jsonld_blocks(body)}
    item = blocks["Product"]
    assert item["name"] == product.name
    assert item["sku"] == product.sku
    assert Decimal(str(item["offers"]["price"])) == Decimal("49.90")
    assert item["offers"]["priceCurrency"] == "EUR"
    assert item["offers"]["availability"].endswith("InStock")
    assert item["image"]
    crumbs = blocks["BreadcrumbList"]["itemListElement"]
    assert [c["name"] for c in crumbs] == ["Lamps", product.name]
    assert "<script>alert(1)" not in body
    assert '<link rel="canonical" href="http://testserver/products/' in body


def test_category_page_has_breadcrumb_jsonld_and_canonical(client):
    parent = CategoryFactory(name="Home", slug="home-goods")
    child = CategoryFactory(name="Lamps", slug="lamps", parent=parent)
    ProductFactory(category=child)
    body = client.get(child.get_absolute_url()).content.decode()
    crumbs = {b["@type"]: b for b in jsonld_blocks(body)}["BreadcrumbList"]["itemListElement"]
    assert [c["name"] for c in crumbs] == ["Home", "Lamps"]
    assert 'rel="canonical" href="http://testserver/catalog/home-goods/lamps/"' in body
