"""sitemap.xml sections: categories and active products, each with lastmod (core serves them).

Catalog rows are read with the narrowest query a sitemap needs (slug/path and updated_at); the
catalog selectors build product cards, which would cost a stock subquery per row here.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet

from apps.core import sitemaps

from .models import Category, Product


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


def register() -> None:
    sitemaps.register("categories", CategorySitemap)
    sitemaps.register("products", ProductSitemap)
