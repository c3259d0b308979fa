"""`{% product_cards products as cards %}`: the listing's product cards, each cached in Redis.

A card's key carries everything its HTML shows or depends on: the catalog version (bumped by
every product, price, image or category write), the product, its price and its stock (read live
with the page, so a cached card never shows stale stock or price) and whether the viewer is
anonymous, or signed in with the product saved or not. The two per-request values inside a card
are slots written with a random marker new for every card render and stored with the card
(apps.core.fragments): the CSRF token (here given the enclosing render's own token or marker) and
the wishlist button's `next` (filled here with the page's own address).

The first `eager` cards are the first row a shopper sees: their images load at once with
`fetchpriority="high"` (the largest contentful paint of a listing is one of them) instead of
`loading="lazy"`, which would wait for layout before even asking for them. They are cached apart
(`:e` in the key), so a product's card keeps one HTML per position class, not per page.
`id_prefix` goes before every id in a card, for a page showing the same product in two grids.
"""

from __future__ import annotations

from django import template
from django.core.cache import cache
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from apps.catalog.fragments import CARD_TTL
from apps.catalog.selectors import catalog_version
from apps.core.fragments import new_marker

register = template.Library()

CARD_TEMPLATE = "partials/product_card.html"


def _viewer_state(context: template.Context, product) -> str:
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return "anon"
    return "saved" if product.pk in context.get("wishlist_ids", ()) else "unsaved"


@register.simple_tag(takes_context=True)
def product_cards(
    context: template.Context, products, eager: int = 0, id_prefix: str = ""
) -> list[SafeString]:
    """A private render (a marketer's draft, a preview link: `private_render` in the context)
    renders its cards itself and neither reads nor writes the shared card cache."""
    private = bool(context.get("private_render"))
    version = 0 if private else catalog_version()
    eager = eager if isinstance(eager, int) else 0
    keys = [
        f"catalog:card:{version}:{p.pk}:{p.current_price}:{p.stock_total}:"
        f"{_viewer_state(context, p)}{':e' if n < eager else ''}:{id_prefix}"
        for n, p in enumerate(products)
    ]
    found = cache.get_many(keys) if keys and not private else {}
    # (marker, html) pairs; anything else (a card stored before slots had markers) is re-rendered.
    found = {k: v for k, v in found.items() if isinstance(v, tuple) and len(v) == 2}
    missing: dict[str, tuple[str, str]] = {}
    card = context.template.engine.get_template(CARD_TEMPLATE)
    for n, (product, key) in enumerate(zip(products, keys, strict=True)):
        if key not in found:
            marker = new_marker()
            slots = {"csrf_token": marker + "c", "heart_next": marker + "n"}
            with context.push(
                product=product, eager_image=n < eager, card_id_prefix=id_prefix, **slots
            ):
                missing[key] = (marker, str(card.render(context)))
    if missing and not private:
        cache.set_many(missing, CARD_TTL)
    request = context.get("request")
    here = escape(request.get_full_path()) if request is not None else ""
    token = str(context.get("csrf_token", ""))
    cards = []
    for key in keys:
        marker, html = found.get(key) or missing[key]
        html = html.replace(marker + "c", token).replace(marker + "n", here)
        cards.append(mark_safe(html))  # noqa: S308
    return cards
