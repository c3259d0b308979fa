"""Catalog structured data: product and category JSON-LD for search engines.

    {% load catalog_seo %}
    {% block structured_data %}{% product_group_jsonld page %}{% endblock %}  (product page)
    {% block structured_data %}{% category_breadcrumb_jsonld category product %}{% endblock %}

Built on core's generic SEO tags (`apps/core/templatetags/seo.py`): the same escaping and nonce.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.utils.safestring import SafeString

from apps.core.seo import SCHEMA, absolute_url, image_url, jsonld_script
from apps.core.templatetags.seo import breadcrumb_jsonld

register = template.Library()


def product_data(
    product: Any,
    request: HttpRequest | None,
    *,
    in_stock: bool,
    images: list[Any],
    currency: str,
) -> dict:
    """schema.org Product with one Offer (name, image, price, currency, availability)."""
    url = absolute_url(request, product.get_absolute_url())
    price = product.current_price
    if getattr(product, "status", "active") == "archived":
        availability = f"{SCHEMA}/Discontinued"
    else:
        availability = f"{SCHEMA}/InStock" if in_stock else f"{SCHEMA}/OutOfStock"
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "Product",
        "name": product.name,
        "sku": product.sku,
        "url": url,
        "offers": {
            "@type": "Offer",
            "url": url,
            "price": str(price.quantize(Decimal("0.01"))) if isinstance(price, Decimal) else price,
            "priceCurrency": currency,
            "availability": availability,
        },
    }
    pictures = [absolute_url(request, image_url(i)) for i in images]
    if pictures := [i for i in pictures if i]:
        data["image"] = pictures
    if description := (getattr(product, "description", "") or "").strip():
        data["description"] = description[:5000]
    return data


# schema.org properties for the options a variant can vary by; others are named additionalProperty.
_VARIES_BY = {"size": "size", "colour": "color", "color": "color", "material": "material"}


def product_group_data(page: Any, request: HttpRequest | None, currency: str | None) -> dict:
    """A product page (catalog.products.ProductPage) as schema.org data: a Product with one
    Offer when it has no options, else a ProductGroup with one Product/Offer per variant."""
    product = page.product
    currency = currency or settings.SHOP_CURRENCY
    image = page.images[0] if page.images else None
    if not page.has_options:
        variant = page.variants[0]
        data = product_data(
            product,
            request,
            in_stock=variant.stock_total > 0,
            images=[image] if image else [],
            currency=currency,
        )
        data["sku"] = variant.sku
        data["offers"]["price"] = str(variant.price)
        return data
    url = absolute_url(request, product.get_absolute_url())
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "ProductGroup",
        "name": product.name,
        "url": url,
        "productGroupID": product.sku,
        "variesBy": [
            f"{SCHEMA}/{_VARIES_BY[group.slug]}"
            for group in page.groups
            if group.slug in _VARIES_BY
        ],
        "hasVariant": [],
    }
    if description := (product.description or "").strip():
        data["description"] = description[:5000]
    if image and (picture := absolute_url(request, image_url(image))):
        data["image"] = [picture]
    for variant in page.variants:
        variant_url = absolute_url(request, variant.get_absolute_url())
        item: dict[str, Any] = {
            "@type": "Product",
            "name": variant.name,
            "sku": variant.sku,
            "url": variant_url,
            "offers": {
                "@type": "Offer",
                "url": variant_url,
                "price": str(variant.price),
                "priceCurrency": currency,
                "availability": f"{SCHEMA}/InStock"
                if variant.stock_total > 0
                else f"{SCHEMA}/OutOfStock",
            },
        }
        for slug, value in variant.options.items():
            if slug in _VARIES_BY:
                item[_VARIES_BY[slug]] = value
            else:
                item.setdefault("additionalProperty", []).append(
                    {"@type": "PropertyValue", "name": slug, "value": value}
                )
        data["hasVariant"].append(item)
    return data


@register.simple_tag(takes_context=True)
def product_group_jsonld(context: template.Context, page: Any) -> SafeString:
    """JSON-LD for a product page: Product, or ProductGroup with its variants (no query)."""
    data = product_group_data(page, context.get("request"), context.get("SHOP_CURRENCY"))
    return jsonld_script(data, context.get("csp_nonce"))


@register.simple_tag(takes_context=True)
def category_breadcrumb_jsonld(
    context: template.Context, category: Any, product: Any = None
) -> SafeString:
    """Breadcrumb JSON-LD for a category (and optionally a product in it): Home, then each
    ancestor category by its materialised path in one query, then the product."""
    from apps.catalog.models import Category

    crumbs: list[Any] = [("Home", "/")]
    if category is not None:
        parts = category.path.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        by_path = {c.path: c for c in Category.objects.filter(path__in=prefixes[:-1])}
        crumbs += [by_path[p] for p in prefixes[:-1] if p in by_path]
        crumbs.append(category)
    if product is not None:
        crumbs.append((product.name, product.get_absolute_url()))
    return breadcrumb_jsonld(context, crumbs)
