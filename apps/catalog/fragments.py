"""Rendered catalog fragments (facets, results with their product cards) cached in Redis.

A warm listing then costs no SQL at all. Keys carry everything the HTML depends on:

- the catalog version, bumped by every product, price, image, attribute, stock or category write
  (signals and services), so a price is never shown stale;
- the fragment variant and the exact path and query string (page links, the filter form's
  echoed inputs and the wishlist button's `next` all repeat them).

Stock that checkout decrements does not bump the version (it would flush the catalog on every
order); checkout re-checks stock under lock. So a fragment lives at most STOCK_LAG seconds
counted from when its facet counts were computed, and the stock it shows lags by at most that.

Only anonymous shoppers share fragments: a signed-in shopper's hearts are their own. The CSRF
token differs per shopper, so a fragment is stored with a slot that every response fills with
its own token.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.functional import cached_property
from django.utils.safestring import SafeString, mark_safe

from .selectors import STOCK_LAG, catalog_version

TEMPLATE = "catalog/list.html"
# Which partials each variant of the listing is made of.
VARIANTS: dict[str, tuple[str, ...]] = {
    "page": ("facets", "results"),
    "fragment": ("fragment",),
    "more": ("more",),
}
PRODUCT_TEMPLATE = "catalog/product.html"
PRODUCT_PARTS = ("title", "seo", "structured_data", "meta_description", "product")


class _CsrfSlot:
    """An unguessable, deployment-wide stand-in for the CSRF token inside cached HTML.

    Derived from SECRET_KEY so every web process fills the fragments any other one stored, and
    no shopper can type it into an echoed field to have someone's token written there.
    """

    @cached_property
    def value(self) -> str:
        digest = hmac.new(settings.SECRET_KEY.encode(), b"catalog-csrf-slot", hashlib.sha256)
        return "csrfslot" + digest.hexdigest()[:32]


CSRF_SLOT = _CsrfSlot()
# Where a cached product card's wishlist button repeats the page address (see catalog_cards).
NEXT_SLOT = "\x00next\x00"
# Cards carry their own price and stock in the key: they can live as long as the version does.
CARD_TTL = 3600


def cacheable(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


def fragment_key(request: HttpRequest, variant: str, version: int) -> str:
    where = f"{request.path}?{request.META.get('QUERY_STRING', '')}"
    digest = hashlib.blake2b(where.encode(), digest_size=16).hexdigest()
    return f"catalog:html:{version}:{variant}:{digest}"


def cached_parts(key: str) -> dict[str, str] | None:
    return cache.get(key)


def _render_slotted(
    request: HttpRequest, template: str, names: tuple[str, ...], context: dict
) -> dict[str, str]:
    """Named partials of one template, rendered with the CSRF slot in place of the token."""
    context = {**context, "csrf_token": CSRF_SLOT.value}
    return {name: render_to_string(f"{template}#{name}", context, request) for name in names}


def render_parts(
    request: HttpRequest, variant: str, context: dict, *, key: str | None = None
) -> dict[str, str]:
    """The variant's partials, with the CSRF slot in place of the token; stored if keyed."""
    parts = _render_slotted(request, TEMPLATE, VARIANTS[variant], context)
    if key is not None:
        age = time.time() - context["page"].summary.computed_at
        ttl = int(STOCK_LAG - age)
        if ttl > 0:
            cache.set(key, parts, ttl)
    return parts


def product_key(request: HttpRequest) -> str | None:
    """Anonymous shoppers share a product page's parts; a query string (never produced by the
    shop's own links) is rendered fresh, so junk URLs never fill Redis."""
    if not cacheable(request) or request.META.get("QUERY_STRING"):
        return None
    return f"catalog:product:{catalog_version()}:{request.path}"


def render_product_parts(request: HttpRequest, context: dict, key: str | None) -> dict[str, str]:
    """The product page's parts with the CSRF slot; stored for STOCK_LAG s (its stock badge)."""
    parts = _render_slotted(request, PRODUCT_TEMPLATE, PRODUCT_PARTS, context)
    if key is not None:
        cache.set(key, parts, STOCK_LAG)
    return parts


def fill(request: HttpRequest, parts: dict[str, str]) -> dict[str, SafeString]:
    """The shopper's own CSRF token in every slot (the token is only minted if a form needs it)."""
    slot = CSRF_SLOT.value
    token = get_token(request) if any(slot in html for html in parts.values()) else ""
    return {name: mark_safe(html.replace(slot, token)) for name, html in parts.items()}  # noqa: S308
