"""SEO building blocks shared by every app's structured data: absolute URLs, image URLs, and
JSON-LD in a `<script>` that is safe inside HTML.

JSON-LD goes out in `<script type="application/ld+json" nonce=...>` with `<`, `>` and `&` escaped
as in Django's `json_script`, so a product called `</script><script>…` cannot end the element.
Domain data (a product's offer, a category trail) is built by its own app
(`apps/catalog/templatetags/catalog_seo.py`); the generic tags are in `templatetags/seo.py`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

SCHEMA = "https://schema.org"
_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def absolute_url(request: HttpRequest | None, url: str | None) -> str:
    """An absolute http(s) URL for `url`; site-relative paths are resolved against the request.

    Anything else (javascript:, data:, protocol-relative, bare relative paths) gives ''.
    """
    url = str(url or "")
    if url.startswith(("http://", "https://")):
        return url
    if not url.startswith("/") or url.startswith("//"):
        return ""
    return request.build_absolute_uri(url) if request is not None else url


def image_url(image: Any) -> str:
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
        if url := absolute_url(request, crumb[1]):
            element["item"] = url
        elements.append(element)
    return {"@context": SCHEMA, "@type": "BreadcrumbList", "itemListElement": elements}
