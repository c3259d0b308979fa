from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from apps.catalog.selectors import card_queryset
from tests.factories import CategoryFactory, ProductFactory, ProductImageFactory

pytestmark = pytest.mark.django_db

JSONLD = re.compile(r'<script type="application/ld\+json"( nonce="[^"]+")?>(.*?)</script>', re.S)


def render(source: str, **context) -> str:
    request = RequestFactory().get("/products/x/?ref=1")
    ctx = {"request": request, "SHOP_NAME": "Hypershop", "SHOP_CURRENCY": "EUR", **context}
    return Template("{% load seo %}" + source).render(Context(ctx))


def jsonld(html: str) -> list[dict]:
    return [json.loads(match.group(2)) for match in JSONLD.finditer(html)]


def test_product_jsonld_parses_and_matches_the_product():
    product = ProductFactory(name="Trail shoe", sku="TS-1", current_price=Decimal("89.5"))
    ProductImageFactory(product=product)
    html = render("{% product_jsonld product %}", product=product, csp_nonce="abc123")
    assert 'nonce="abc123"' in html
    [data] = jsonld(html)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Product"
    assert data["name"] == "Trail shoe"
    assert data["sku"] == "TS-1"
    assert data["url"] == f"http://testserver/products/{product.slug}/"
    assert data["image"] == [f"http://testserver{product.images.get().image.url}"]
    offer = data["offers"]
    assert offer == {
        "@type": "Offer",
        "url": data["url"],
        "price": "89.50",
        "priceCurrency": "EUR",
        "availability": "https://schema.org/InStock",
    }


def test_product_jsonld_out_of_stock_and_card_queryset_annotations(django_assert_num_queries):
    product = ProductFactory(stock=0)
    card = card_queryset().get(pk=product.pk)
    with django_assert_num_queries(0):  # stock_total and primary_images are already loaded
        [data] = jsonld(render("{% product_jsonld product %}", product=card))
    assert data["offers"]["availability"] == "https://schema.org/OutOfStock"
    assert "image" not in data


def test_product_jsonld_cannot_break_out_of_the_script_element():
    product = ProductFactory(
        name="</script><script>alert(1)</script>", description="Tom & Jerry <b>"
    )
    html = render("{% product_jsonld product %}", product=product)
    assert "</script><script>" not in html
    assert html.count("</script>") == 1
    assert "\\u003C/script\\u003E" in html
    assert "\\u0026" in html
    [data] = jsonld(html)
    assert data["name"] == "</script><script>alert(1)</script>"
    assert data["description"] == "Tom & Jerry <b>"


def test_breadcrumb_jsonld_from_pairs_dicts_and_objects():
    category = CategoryFactory(name="Shoes", slug="shoes")
    crumbs = [("Home", "/"), category, {"name": "Trail", "url": "/products/trail/"}]
    [data] = jsonld(render("{% breadcrumb_jsonld crumbs %}", crumbs=crumbs))
    assert data["@type"] == "BreadcrumbList"
    assert data["itemListElement"] == [
        {"@type": "ListItem", "position": 1, "name": "Home", "item": "http://testserver/"},
        {
            "@type": "ListItem",
            "position": 2,
            "name": "Shoes",
            "item": "http://testserver/catalog/shoes/",
        },
        {
            "@type": "ListItem",
            "position": 3,
            "name": "Trail",
            "item": "http://testserver/products/trail/",
        },
    ]


def test_breadcrumb_jsonld_empty_trail_renders_nothing():
    assert render("{% breadcrumb_jsonld crumbs %}", crumbs=[]) == ""


def test_breadcrumb_drops_unsafe_urls():
    [data] = jsonld(render("{% breadcrumb_jsonld c %}", c=[("Evil", "javascript:alert(1)")]))
    assert data["itemListElement"] == [{"@type": "ListItem", "position": 1, "name": "Evil"}]


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


def test_seo_meta_defaults_to_the_request_path_as_canonical():
    html = render("{% seo_meta %}")
    assert '<link rel="canonical" href="http://testserver/products/x/">' in html
    assert '<meta property="og:title" content="Hypershop">' in html
    assert '<meta name="twitter:card" content="summary">' in html
    assert "robots" not in html


def test_seo_meta_with_values_escapes_them():
    html = render(
        "{% seo_meta title=t description=d canonical='/products/x/' og_image=img noindex=True "
        "og_type='product' %}",
        t='Shoe "Pro" <b>',
        d="Fast & light",
        img="/media/x.jpg",
    )
    assert '<meta property="og:title" content="Shoe &quot;Pro&quot; &lt;b&gt;">' in html
    assert '<meta property="og:description" content="Fast &amp; light">' in html
    assert '<meta property="og:image" content="http://testserver/media/x.jpg">' in html
    assert '<meta property="og:type" content="product">' in html
    assert '<meta name="robots" content="noindex, follow">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html


def test_seo_meta_refuses_a_javascript_canonical():
    html = render("{% seo_meta canonical='javascript:alert(1)' %}")
    assert "javascript" not in html
    assert '<link rel="canonical" href="http://testserver/products/x/">' in html
