"""SEO tags any page type can use: meta/Open Graph tags and JSON-LD structured data.

    {% load seo %}
    {% block seo %}{% seo_meta title=... description=... canonical=... og_image=... %}{% endblock %}
    {% block structured_data %}{% product_jsonld product %}{% endblock %}

JSON-LD goes out in `<script type="application/ld+json" nonce=...>` with `<`, `>` and `&` escaped
as in Django's `json_script`, so a product called `</script><script>…` cannot end the element.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Sum
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

SCHEMA = "https://schema.org"
_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def _absolute(request: HttpRequest | None, url: str | None) -> str:
    """An absolute http(s) URL for `url`; site-relative paths are resolved against the request.

    Anything else (javascript:, data:, protocol-relative, bare relative paths) gives ''.
    """
    url = str(url or "")
    if url.startswith(("http://", "https://")):
        return url
    if not url.startswith("/") or url.startswith("//"):
        return ""
    return request.build_absolute_uri(url) if request is not None else url


def _image_url(image: Any) -> str:
    """URL of an ImageField file, a model with `.image`, or a plain string; '' when missing."""
    if not image:
        return ""
    if isinstance(image, str):
        return image
    file = getattr(image, "image", image)
    try:
        return file.url if file else ""
    except ValueError:  # a FieldFile with no file
        return ""


def jsonld_script(data: dict, nonce: Any = None) -> SafeString:
    """`<script type="application/ld+json">` holding `data`, safe inside HTML."""
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    payload = payload.translate(_JSON_SCRIPT_ESCAPES)
    if nonce:
        return format_html(
            '<script type="application/ld+json" nonce="{}">{}</script>', nonce, mark_safe(payload)
        )
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


@register.simple_tag(takes_context=True)
def seo_meta(
    context: template.Context,
    title: str | None = None,
    description: str | None = None,
    canonical: str | None = None,
    og_image: Any = None,
    noindex: bool = False,
    og_type: str = "website",
) -> SafeString:
    """Canonical link, robots, Open Graph and Twitter card tags for the current page.

    The canonical URL defaults to this request's path without its query string. The
    `<meta name="description">` itself stays in base.html's `meta_description` block.
    """
    request = context.get("request")
    shop_name = context.get("SHOP_NAME") or settings.SHOP_NAME
    canonical_url = _absolute(request, canonical) or (
        request.build_absolute_uri(request.path) if request is not None else ""
    )
    tags: list[tuple[str, str, str]] = []
    lines: list[SafeString] = []
    if canonical_url:
        lines.append(format_html('<link rel="canonical" href="{}">', canonical_url))
    if noindex:
        lines.append(format_html('<meta name="robots" content="{}">', "noindex, follow"))
    tags += [
        ("property", "og:site_name", shop_name),
        ("property", "og:type", og_type or "website"),
        ("property", "og:title", title or shop_name),
    ]
    if canonical_url:
        tags.append(("property", "og:url", canonical_url))
    if description:
        tags.append(("property", "og:description", str(description)))
    image = _absolute(request, _image_url(og_image))
    if image:
        tags.append(("property", "og:image", image))
    tags.append(("name", "twitter:card", "summary_large_image" if image else "summary"))
    lines.append(format_html_join("\n", '<meta {}="{}" content="{}">', tags))
    return mark_safe("\n".join(lines))


def _availability(product: Any, in_stock: bool | None) -> str:
    if getattr(product, "status", "active") == "archived":
        return f"{SCHEMA}/Discontinued"
    if in_stock is None:
        total = getattr(product, "stock_total", None)
        if total is None:
            from apps.catalog.models import Stock

            total = (
                Stock.objects.filter(variant__product=product, variant__status="active").aggregate(
                    total=Sum("quantity")
                )["total"]
                or 0
            )
        in_stock = total > 0
    return f"{SCHEMA}/InStock" if in_stock else f"{SCHEMA}/OutOfStock"


def _product_images(product: Any, image: Any) -> list[Any]:
    if image:
        return [image]
    primary = getattr(product, "primary_images", None)
    if primary is not None:
        return list(primary)
    return list(product.images.all())


def product_data(
    product: Any,
    request: HttpRequest | None,
    *,
    in_stock: bool | None = None,
    image: Any = None,
    currency: str | None = None,
) -> dict:
    """schema.org Product with one Offer (name, image, price, currency, availability)."""
    url = _absolute(request, product.get_absolute_url())
    price = product.current_price
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
            "priceCurrency": currency or settings.SHOP_CURRENCY,
            "availability": _availability(product, in_stock),
        },
    }
    images = [_absolute(request, _image_url(i)) for i in _product_images(product, image)]
    if images := [i for i in images if i]:
        data["image"] = images
    if description := (getattr(product, "description", "") or "").strip():
        data["description"] = description[:5000]
    return data


@register.simple_tag(takes_context=True)
def product_jsonld(
    context: template.Context, product: Any, in_stock: bool | None = None, image: Any = None
) -> SafeString:
    """Product JSON-LD. Uses `stock_total`/`primary_images` from catalog's card queryset when
    present (no extra query); otherwise one aggregate for stock and the (prefetchable) images."""
    if product is None:
        return mark_safe("")
    data = product_data(
        product,
        context.get("request"),
        in_stock=in_stock,
        image=image,
        currency=context.get("SHOP_CURRENCY"),
    )
    return jsonld_script(data, context.get("csp_nonce"))


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
        product.stock_total = variant.stock_total
        data = product_data(
            product, request, in_stock=variant.stock_total > 0, image=image, currency=currency
        )
        data["sku"] = variant.sku
        data["offers"]["price"] = str(variant.price)
        return data
    url = _absolute(request, product.get_absolute_url())
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
    if image and (image_url := _absolute(request, _image_url(image))):
        data["image"] = [image_url]
    for variant in page.variants:
        variant_url = _absolute(request, variant.get_absolute_url())
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


def _crumb(item: Any) -> tuple[str, str] | None:
    if isinstance(item, dict):
        return str(item.get("name", "")), str(item.get("url", "") or "")
    if isinstance(item, list | tuple) and len(item) == 2:
        return str(item[0]), str(item[1] or "")
    name = getattr(item, "name", None) or getattr(item, "title", None)
    if name is None:
        return None
    url = item.get_absolute_url() if hasattr(item, "get_absolute_url") else ""
    return str(name), url


def breadcrumb_data(crumbs: Iterable[Any], request: HttpRequest | None) -> dict:
    """schema.org BreadcrumbList from (name, url) pairs, {"name", "url"} dicts or model objects."""
    elements = []
    for item in crumbs or []:
        crumb = _crumb(item)
        if not crumb or not crumb[0]:
            continue
        element: dict[str, Any] = {
            "@type": "ListItem",
            "position": len(elements) + 1,
            "name": crumb[0],
        }
        if url := _absolute(request, crumb[1]):
            element["item"] = url
        elements.append(element)
    return {"@context": SCHEMA, "@type": "BreadcrumbList", "itemListElement": elements}


@register.simple_tag(takes_context=True)
def breadcrumb_jsonld(context: template.Context, crumbs: Iterable[Any]) -> SafeString:
    """Breadcrumb JSON-LD; renders nothing for an empty trail."""
    data = breadcrumb_data(crumbs, context.get("request"))
    if not data["itemListElement"]:
        return mark_safe("")
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
