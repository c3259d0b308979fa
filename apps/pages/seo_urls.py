"""sitemap.xml and robots.txt: included in shop/urls.py before the catch-all."""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from . import views
from .sitemaps import SITEMAPS

urlpatterns = [
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("robots.txt", views.robots_txt, name="robots"),
]
