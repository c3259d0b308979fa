from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.catalog.models import Product
from tests.factories import CategoryFactory, ProductFactory

from .factories import PageFactory

pytestmark = pytest.mark.django_db
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def locs(client, url: str) -> dict[str, str | None]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    return {
        u.findtext("s:loc", namespaces=NS): u.findtext("s:lastmod", namespaces=NS)
        for u in root.findall("s:url", NS)
    }


def test_index_lists_the_sections(client):
    root = ET.fromstring(client.get("/sitemap.xml").content)
    sections = {e.findtext("s:loc", namespaces=NS) for e in root.findall("s:sitemap", NS)}
    assert sections == {
        "http://testserver/sitemap-pages.xml",
        "http://testserver/sitemap-categories.xml",
        "http://testserver/sitemap-products.xml",
    }


def test_pages_section_lists_exactly_the_published_indexable_pages(client):
    PageFactory(slug="about")
    PageFactory(slug="help/shipping")
    PageFactory(slug="draft", is_published=False)
    PageFactory(slug="later", published_at=timezone.now() + timedelta(days=2))
    PageFactory(slug="hidden", noindex=True)
    found = locs(client, "/sitemap-pages.xml")
    assert set(found) == {"http://testserver/about/", "http://testserver/help/shipping/"}
    assert all(lastmod for lastmod in found.values())


def test_products_section_lists_exactly_the_active_products(client):
    active = ProductFactory.create_batch(3)
    ProductFactory(status=Product.Status.DRAFT)
    ProductFactory(status=Product.Status.ARCHIVED)
    found = locs(client, "/sitemap-products.xml")
    assert set(found) == {f"http://testserver/products/{p.slug}/" for p in active}
    product = active[0]
    assert (
        found[f"http://testserver/products/{product.slug}/"]
        == product.updated_at.date().isoformat()
    )


def test_categories_section_lists_active_categories_with_nested_paths(client):
    parent = CategoryFactory(slug="men")
    CategoryFactory(slug="shoes", parent=parent)
    CategoryFactory(slug="gone", is_active=False)
    found = locs(client, "/sitemap-categories.xml")
    assert set(found) == {"http://testserver/catalog/men/", "http://testserver/catalog/men/shoes/"}


@pytest.mark.parametrize("count", [3, 60])
def test_products_section_query_count(client, django_assert_num_queries, count):
    ProductFactory.create_batch(count)
    with django_assert_num_queries(2):  # count for pagination, then the page of rows
        client.get("/sitemap-products.xml")


def test_sitemap_bad_page_number_is_404(client):
    assert client.get("/sitemap-products.xml?p=999").status_code == 404
    assert client.get("/sitemap-products.xml?p=abc").status_code == 404
    assert client.get("/sitemap-nope.xml").status_code == 404


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "User-agent: *" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Disallow: /checkout/" in text
    assert "Disallow: /admin/" in text
