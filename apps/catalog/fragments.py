"""Rendered catalog fragments (facets, results with their product cards) cached in Redis.

A warm listing then costs no SQL at all. Keys carry everything the HTML depends on:

- the catalog version, bumped by every product, price, image, attribute, stock or category write
  (signals and services), so a price is never shown stale;
- the fragment variant, the scheme and host, and the exact path and query string (page links,
  the filter form's echoed inputs and the wishlist button's `next` all repeat them; the
  product page's canonical link and JSON-LD are absolute URLs).

Stock that checkout decrements does not bump the version (it would flush the catalog on every
order); checkout re-checks stock under lock. So a fragment lives at most STOCK_LAG seconds
counted from when its facet counts were computed, and the stock it shows lags by at most that.

Only anonymous shoppers share fragments: a signed-in shopper's hearts are their own. The CSRF
token differs per shopper, so a fragment is stored with a slot (a random marker new for every
render, apps.core.fragments) that every response fills with its own token.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.http import HttpRequest

from apps.core import fragments as core_fragments

from .selectors import STOCK_LAG, catalog_version

if TYPE_CHECKING:
    from .products import ProductPage

TEMPLATE = "catalog/list.html"
# Which partials each variant of the listing is made of.
VARIANTS: dict[str, tuple[str, ...]] = {
    "page": ("facets", "results"),
    "fragment": ("fragment",),
    "more": ("more",),
}
PRODUCT_TEMPLATE = "catalog/product.html"
PRODUCT_PARTS = ("title", "seo", "structured_data", "meta_description", "product")


# The first row of the grid at its widest (shop.css): the images a shopper sees before scrolling.
EAGER_CARDS = 4

# Cards carry their own price and stock in the key: they can live as long as the version does.
CARD_TTL = 3600


def cacheable(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


def fragment_key(request: HttpRequest, variant: str, version: int) -> str:
    return f"catalog:html:{version}:{variant}:{core_fragments.request_digest(request)}"


def cached_parts(key: str) -> dict[str, str] | None:
    return cache.get(key)


def render_parts(
    request: HttpRequest, variant: str, context: dict, *, key: str | None = None
) -> dict[str, str]:
    """The variant's partials, with the CSRF slot in place of the token; stored if keyed, with
    the time after which they must not be shown (their facet counts' age). A page or a new set
    of results starts at the top of the screen: its first row of cards loads eagerly; "load
    more" cards arrive below the fold."""
    context = {**context, "eager_cards": 0 if variant == "more" else EAGER_CARDS}
    parts = core_fragments.render_slotted(request, TEMPLATE, VARIANTS[variant], context)
    if key is None:
        # Not shared (a junk or non-canonical query): nothing that embeds it is stored either.
        parts[core_fragments.EXPIRES] = 0
        return parts
    age = time.time() - context["page"].summary.computed_at
    ttl = int(STOCK_LAG - age)
    parts[core_fragments.EXPIRES] = time.time() + ttl
    if ttl > 0:
        cache.set(key, parts, ttl)
    return parts


def product_key(request: HttpRequest) -> str | None:
    """Anonymous shoppers share a product page's parts; a query string (never produced by the
    shop's own links) is rendered fresh, so junk URLs never fill Redis."""
    if not cacheable(request) or request.META.get("QUERY_STRING"):
        return None
    return f"catalog:product:{catalog_version()}:{core_fragments.request_digest(request)}"


def render_product_parts(
    request: HttpRequest, context: dict, key: str | None, *, shared: bool = False
) -> dict[str, str]:
    """The product page's parts with the CSRF slot; stored for STOCK_LAG s (its stock badge).
    Unkeyed parts may still be `shared` (a choice's own address, see `shared_choice`): the page
    cache then stores the whole response for as long, and the parts need no entry of their own."""
    parts = core_fragments.render_slotted(request, PRODUCT_TEMPLATE, PRODUCT_PARTS, context)
    # Neither kept nor shared: a page that embeds them is not stored either.
    parts[core_fragments.EXPIRES] = time.time() + STOCK_LAG if key or shared else 0
    if key is not None:
        cache.set(key, parts, STOCK_LAG)
    return parts


def shared_choice(request: HttpRequest, page: ProductPage) -> bool:
    """Whether an anonymous request for a product's option choice may be answered from the page
    cache (stored for STOCK_LAG s, like the plain product page) because its query names exactly
    the choice the page shows, as the shop itself writes it: the option picker's fields (each
    option once, each value one this product has) or the `?variant=<sku>` it pushes. Anything
    else (junk, unknown values, repeated fields) is rendered fresh and never stored, so a
    product's entries are bounded by its choices."""
    query = request.GET  # as the view read the choice from it
    if not cacheable(request) or not query:
        return False
    named = {name: values[0] for name, values in query.lists() if len(values) == 1}
    if len(named) != len(query):
        return False  # a repeated field
    if page.variant is not None and named == {"variant": page.variant.sku}:
        return True
    return named == page.selected


def share(request: HttpRequest) -> None:
    """Let the page cache store this response for STOCK_LAG s (it shows stock)."""
    core_fragments.limit_until(request, time.time() + STOCK_LAG)


fill = core_fragments.fill
