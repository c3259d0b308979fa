"""A demo shop for the look-and-accessibility journeys: seed_demo's catalog (with its locally drawn
images), the default home layout, a CMS page, a coupon, and the media files served by live_server.

Tests that use it set ``settings.ROOT_URLCONF = "e2e.shop"`` so product images load (the test
settings run with DEBUG off, where Django serves no media).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.management import call_command
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, re_path
from django.views.static import serve

from apps.catalog import inventory
from apps.catalog.models import Product
from tests.checkout.factories import CouponFactory
from tests.pages.factories import PageFactory


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
    CouponFactory(code="WELCOME10", value=Decimal("10"))
    page = PageFactory(
        slug="help/delivery",
        title="Delivery and returns",
        body=(
            "<h2>Delivery</h2><p>We ship within <strong>two working days</strong> across Europe."
            "</p><h2>Returns</h2><p>Changed your mind? Send it back within 30 days for a full "
            'refund. <a href="/catalog/">Keep shopping</a>.</p>'
        ),
    )
    active = (
        Product.objects.filter(status=Product.Status.ACTIVE, has_options=False)
        .annotate(units=inventory.stock_total("product"), pictures=Count("images"))
        .order_by("pk")
    )
    on_sale = active.filter(compare_at_price__isnull=False, units__gt=3)
    product = on_sale.filter(pictures__gt=1).first() or on_sale.first()
    low = active.filter(units__gt=0, units__lte=3).first()
    assert product is not None and low is not None, "seed_demo gave no sale or low-stock product"
    return DemoShop(
        product=product,
        low_stock=low,
        cms_path=page.get_absolute_url(),
    )
