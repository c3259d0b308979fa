from __future__ import annotations

import json
import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

JSONLD = re.compile(r'<script type="application/ld\+json"( nonce="[^"]+")?>(.*?)</script>', re.S)


def render(source: str, **context) -> str:
    request = RequestFactory().get("/products/x/?ref=1")
    ctx = {"request": request, "SHOP_NAME": "Hypershop", "SHOP_CURRENCY": "EUR", **context}
    return Template("{% load seo %}" + source).render(Context(ctx))


def jsonld(html: str) -> list[dict]:
    return [json.loads(match.group(2)) for match in JSONLD.finditer(html)]


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
