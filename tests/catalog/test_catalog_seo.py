from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from apps.catalog.products import product_page
from tests.factories import CategoryFactory, ProductFactory, ProductImageFactory

pytestmark = pytest.mark.django_db

JSONLD = re.compile(r'<script type="application/ld\+json"( nonce="[^"]+")?>(.*?)</script>', re.S)


def render(source: str, **context) -> str:
    request = RequestFactory().get("/products/x/?ref=1")
    ctx = {"request": request, "SHOP_NAME": "Hypershop", "SHOP_CURRENCY": "EUR", **context}
    return Template("{% load seo catalog_seo %}" + source).render(Context(ctx))


def jsonld(html: str) -> list[dict]:
    return [json.loads(match.group(2)) for match in JSONLD.finditer(html)]


def page_of(product):
    return product_page(product.slug, {})


def test_product_without_options_is_one_product_and_offer():
    product = ProductFactory(name="Trail shoe", sku="TS-1", current_price=Decimal("89.5"))
    ProductImageFactory(product=product)
    variant = product.variants.get()
    html = render("{% product_group_jsonld page %}", page=page_of(product), csp_nonce="abc123")
    assert 'nonce="abc123"' in html
    [data] = jsonld(html)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Product"
    assert data["name"] == "Trail shoe"
    assert data["sku"] == variant.sku
    assert data["url"] == f"http://testserver/products/{product.slug}/"
    assert data["image"] == [f"http://testserver{product.images.get().image.url}"]
    offer = data["offers"]
    assert offer == {
        "@type": "Offer",
        "url": data["url"],
        "price": str(variant.price),
        "priceCurrency": "EUR",
        "availability": "https://schema.org/InStock",
    }


def test_out_of_stock_product_without_images_costs_no_query(django_assert_num_queries):
    product = ProductFactory(stock=0)
    page = page_of(product)
    with django_assert_num_queries(0):  # the page already holds stock and images
        [data] = jsonld(render("{% product_group_jsonld page %}", page=page))
    assert data["offers"]["availability"] == "https://schema.org/OutOfStock"
    assert "image" not in data


def test_product_jsonld_cannot_break_out_of_the_script_element():
    product = ProductFactory(
        name="</script><script>alert(1)</script>", description="Tom & Jerry <b>"
    )
    html = render("{% product_group_jsonld page %}", page=page_of(product))
    assert "</script><script>" not in html
    assert html.count("</script>") == 1
    assert "\\u003C/script\\u003E" in html
    assert "\\u0026" in html
    [data] = jsonld(html)
    assert data["name"] == "</script><script>alert(1)</script>"
    assert data["description"] == "Tom & Jerry <b>"


@pytest.mark.parametrize("depth", [1, 4])
def test_category_breadcrumb_one_query_at_any_depth(django_assert_num_queries, depth):
    category = None
    for i in range(depth):
        category = CategoryFactory(name=f"C{i}", slug=f"c{i}", parent=category)
    product = ProductFactory(category=category, name="Boot")
    with django_assert_num_queries(1 if depth > 1 else 0):
        html = render("{% category_breadcrumb_jsonld category product %}", category=category,
                      product=product)  # fmt: skip
    [data] = jsonld(html)
    names = [e["name"] for e in data["itemListElement"]]
    assert names == ["Home", *[f"C{i}" for i in range(depth)], "Boot"]
    assert data["itemListElement"][-2]["item"] == f"http://testserver/catalog/{category.path}/"
