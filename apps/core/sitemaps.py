"""The sitemap.xml registry: each app that has pages worth indexing registers its sections.

Core serves `/sitemap.xml` and `/sitemap-<section>.xml` (`seo_urls.py`) without knowing the
apps: catalog registers categories and products, pages its CMS pages, from their `ready()`.
"""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap

SITEMAPS: dict[str, type[Sitemap]] = {}


def register(section: str, sitemap: type[Sitemap]) -> None:
    """Serve `sitemap` as `/sitemap-<section>.xml` and list it in the index."""
    SITEMAPS[section] = sitemap
