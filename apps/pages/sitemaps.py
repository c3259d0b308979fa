"""sitemap.xml section for CMS pages (core serves it; see apps/core/sitemaps.py)."""

from __future__ import annotations

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet

from apps.core import sitemaps

from .models import DynamicPage


class PageSitemap(Sitemap):
    """Live pages that ask to be indexed (a noindex page has no place in a sitemap)."""

    changefreq = "weekly"
    priority = 0.5

    def items(self) -> QuerySet[DynamicPage]:
        return DynamicPage.objects.live().filter(noindex=False).only("slug", "updated_at")

    def lastmod(self, item: DynamicPage) -> datetime:
        return item.updated_at


def register() -> None:
    sitemaps.register("pages", PageSitemap)
