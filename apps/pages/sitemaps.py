"""sitemap.xml sections: CMS pages, categories and active products, each with lastmod.

Catalog rows are read with the narrowest query a sitemap needs (slug/path and updated_at); the
catalog selectors build product cards, which would cost a stock subquery per row here.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet

from apps.catalog.models import Category, Product

from .models import DynamicPage


class PageSitemap(Sitemap):
    """Live pages that ask to be indexed (a noindex page has no place in a sitemap)."""

    changefreq = "weekly"
    priority = 0.5

    def items(self) -> QuerySet[DynamicPage]:
        return DynamicPage.objects.live().filter(noindex=False).only("slug", "updated_at")

    def lastmod(self, item: DynamicPage) -> datetime:
        return item.updated_at


class CategorySitemap(Sitemap):
    changefreq = "daily"
    priority = 0.6

    def items(self) -> QuerySet[Category]:
        return Category.objects.filter(is_active=True).only("path", "updated_at").order_by("path")

    def lastmod(self, item: Category) -> datetime:
        return item.updated_at


class ProductSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self) -> QuerySet[Product]:
        return (
            Product.objects.filter(status=Product.Status.ACTIVE)
            .only("slug", "updated_at")
            .order_by("pk")
        )

    def lastmod(self, item: Product) -> datetime:
        return item.updated_at


SITEMAPS: dict[str, type[Sitemap]] = {
    "pages": PageSitemap,
    "categories": CategorySitemap,
    "products": ProductSitemap,
}
