"""The home page's default published layout, built from whatever catalog exists."""

from __future__ import annotations

from apps.catalog.models import Category, Product


def default_home_blocks() -> list[dict]:
    top = list(
        Category.objects.filter(is_active=True, parent=None).order_by("sort_order", "name")[:6]
    )
    if not top:
        top = list(Category.objects.filter(is_active=True).order_by("path")[:6])
    skus = list(
        Product.objects.filter(status=Product.Status.ACTIVE)
        .order_by("-current_price")
        .values_list("sku", flat=True)[:4]
    )
    blocks = [
        {
            "placement": "home:hero",
            "type": "hero",
            "content": {
                "heading": "Everything you need, one click away",
                "text": "New arrivals every week. Free returns within 30 days.",
                "cta_label": "Shop the catalog",
                "cta_url": "/catalog/",
            },
        },
        {
            "placement": "home:main",
            "type": "promo_banner",
            "content": {"text": "10% off your first order", "coupon_code": "WELCOME10"},
        },
    ]
    if top:
        blocks.append(
            {
                "placement": "home:main",
                "type": "product_grid",
                "content": {
                    "title": f"Popular in {top[0].name}",
                    "source": "category",
                    "category": top[0].pk,
                    "limit": 8,
                },
            }
        )
    if skus:
        blocks.append(
            {
                "placement": "home:main",
                "type": "product_grid",
                "content": {"title": "Staff picks", "source": "skus", "skus": skus, "limit": 4},
            }
        )
    if len(top) > 1:
        blocks.append(
            {
                "placement": "home:main",
                "type": "product_grid",
                "content": {
                    "title": f"New in {top[1].name}",
                    "source": "category",
                    "category": top[1].pk,
                    "limit": 4,
                },
            }
        )
    if top:
        blocks.append(
            {
                "placement": "home:main",
                "type": "category_tiles",
                "content": {"title": "Shop by category", "categories": [c.pk for c in top]},
            }
        )
    blocks.append(
        {
            "placement": "home:sidebar",
            "type": "rich_text",
            "content": {
                "title": "Why Hypershop",
                # /help/delivery/ is published by the pages app's seed_pages, run next to this.
                "html": "<ul><li>Fast delivery</li><li>Secure checkout</li>"
                "<li>30-day returns</li></ul>"
                '<p><a href="/help/delivery/">Delivery and returns</a></p>',
            },
        }
    )
    for index, block in enumerate(blocks):
        block["sort_order"] = (index + 1) * 10
    return blocks
