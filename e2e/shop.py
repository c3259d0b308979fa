"""A demo shop for the look-and-accessibility journeys: seed_demo's catalog (with its locally drawn
images), the default home layout with the CMS page and coupon it advertises (seed_pages,
seed_coupons), and the media files served by live_server.

Tests that use it set ``settings.ROOT_URLCONF = "e2e.shop"`` so product images load (the test
settings run with DEBUG off, where Django serves no media).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.management import call_command
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, re_path
from django.views.static import serve

from apps.catalog import products as catalog_pages
from apps.catalog.models import Product


def media(request: HttpRequest, path: str) -> HttpResponse:
    """MEDIA_ROOT is read per request: each test points it at its own temporary folder."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [
    re_path(r"^media/(?P<path>.*)$", media),
    path("", include("shop.urls")),
]


@dataclass
class DemoShop:
    product: Product  # in stock, on sale (compare-at price), with several images
    low_stock: Product  # "only N left"
    cms_path: str


def demo_shop(products: int = 48) -> DemoShop:
    call_command("seed_demo", products=products, verbosity=0)
    call_command("seed_layout", verbosity=0)
    call_command("seed_coupons", verbosity=0)
    call_command("seed_pages", verbosity=0)
    # What each product page shows first (its preselected variant): on sale, in stock with
    # several pictures; and "only N left". Read through the catalog's own page read model.
    pages = [
        catalog_pages.product_page(slug, {})
        for slug in Product.objects.filter(status=Product.Status.ACTIVE)
        .order_by("pk")
        .values_list("slug", flat=True)
    ]
    on_sale = [p for p in pages if p.display.compare_at and p.display.stock_total > 3]
    product = next((p for p in on_sale if len(p.images) > 1), on_sale[0] if on_sale else None)
    low = next((p for p in pages if p.display.low_stock), None)
    assert product is not None and low is not None, "seed_demo gave no sale or low-stock product"
    product, low = product.product, low.product
    return DemoShop(
        product=product,
        low_stock=low,
        cms_path="/help/delivery/",
    )
