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

from functools import lru_cache

from django import template
from django.core.cache import cache
from django.template import Engine, Template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from apps.catalog import skeletons
from apps.catalog.cards import card
from apps.catalog.fragments import CARD_TTL
from apps.catalog.selectors import catalog_version
from apps.core.fragments import new_marker

register = template.Library()

CARD_TEMPLATE = "partials/product_card.html"
FACET_OPTION = "catalog/list.html#facet_option"
# Every missing card of a page in ONE render of the card template (a loop around an include):
# the include's template is looked up once, and the context is pushed once, not per card. The
# boundary is the render's own marker, so no product name or page content can contain it.
BATCH = (
    "{% for product, eager_image in card_batch %}"
    '{% include "' + CARD_TEMPLATE + '" %}{{ card_boundary }}'
    "{% endfor %}"
)
# What the card's shared partials (add_to_cart, wishlist_heart) read when given a card rather
# than the product page's variant: set once for the batch, so no lookup fails per card.
CARD_DEFAULTS = {"variant": None, "add_blocked": False, "in_cart": 0}


def _viewer_state(context: template.Context, product) -> str:
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return "anon"
    return "saved" if product.pk in context.get("wishlist_ids", ()) else "unsaved"


@lru_cache(maxsize=4)
def _batch_template(engine: Engine) -> Template:
    return engine.from_string(BATCH)


def _render_missing(
    context: template.Context, todo: list[tuple[str, bool, object]], id_prefix: str
) -> dict[str, tuple[str, str]]:
    """{key: (marker, html)} for the cards not found in the cache: an anonymous viewer's from
    their shape's skeleton (apps.catalog.skeletons), a signed-in viewer's in one pass."""
    if not todo:
        return {}
    marker = new_marker()
    batch = _batch_template(context.template.engine)
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {
            key: (marker, _from_skeleton(context, batch, card(product), eager, marker, id_prefix))
            for key, eager, product in todo
        }
    with context.push(
        card_batch=[(card(product), eager) for _key, eager, product in todo],
        card_boundary=marker + "b",
        card_id_prefix=id_prefix,
        csrf_token=marker + "c",
        heart_next=marker + "n",
        **CARD_DEFAULTS,
    ):
        # Each card ends at a boundary: the last piece is what follows the final one (nothing).
        html = str(batch.render(context)).split(marker + "b")[:-1]
    return {key: (marker, piece) for (key, _eager, _product), piece in zip(todo, html, strict=True)}


def _from_skeleton(
    context: template.Context, batch: Template, shown, eager: bool, marker: str, id_prefix: str
) -> str:
    """One anonymous card from its shape's skeleton; the slots (CSRF token, the heart's `next`)
    and the id prefix are values too."""
    return skeletons.render(
        context,
        batch,
        lambda p: {
            "card_batch": [p["card"]],
            "card_boundary": "",
            "card_id_prefix": p["card_id_prefix"],
            "csrf_token": p["csrf_token"],
            "heart_next": p["heart_next"],
            **CARD_DEFAULTS,
        },
        csrf_token=marker + "c",
        heart_next=marker + "n",
        card_id_prefix=id_prefix,
        card=(shown, eager),
    )


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
    missing = _render_missing(
        context,
        [
            (key, n < eager, product)
            for n, (product, key) in enumerate(zip(products, keys, strict=True))
            if key not in found
        ],
        id_prefix,
    )
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


@register.simple_tag(takes_context=True)
def facet_rows(context: template.Context, options, slug: str, unit: str) -> list[SafeString]:
    """A facet's option rows (`catalog/list.html#facet_option`), each from its shape's skeleton:
    a facet list prints hundreds of them and differs only in their text."""
    row = _facet_option(context.template.engine)
    return [
        mark_safe(skeletons.render(context, row, dict, item=option, slug=slug, unit=unit))  # noqa: S308
        for option in options
    ]


@lru_cache(maxsize=4)
def _facet_option(engine: Engine) -> Template:
    return engine.get_template(FACET_OPTION)
