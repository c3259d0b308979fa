"""Generic SEO tags any page type can use: meta/Open Graph tags and breadcrumb JSON-LD.

{% load seo %}
{% block seo %}{% seo_meta title=... description=... canonical=... og_image=... %}{% endblock %}
{% block structured_data %}{% breadcrumb_jsonld crumbs %}{% endblock %}
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.conf import settings
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from apps.core.seo import absolute_url, breadcrumb_data, image_url, jsonld_script

register = template.Library()


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
    canonical_url = absolute_url(request, canonical) or (
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
    image = absolute_url(request, image_url(og_image))
    if image:
        tags.append(("property", "og:image", image))
    tags.append(("name", "twitter:card", "summary_large_image" if image else "summary"))
    lines.append(format_html_join("\n", '<meta {}="{}" content="{}">', tags))
    return mark_safe("\n".join(lines))


@register.simple_tag(takes_context=True)
def breadcrumb_jsonld(context: template.Context, crumbs: Iterable[Any]) -> SafeString:
    """Breadcrumb JSON-LD; renders nothing for an empty trail."""
    data = breadcrumb_data(crumbs, context.get("request"))
    if not data["itemListElement"]:
        return mark_safe("")
    return jsonld_script(data, context.get("csp_nonce"))
