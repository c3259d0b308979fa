"""Render a page's blocks: batch-load their data, cache published renders, never draft ones.

Block partials are rendered WITHOUT the request (no user, no CSRF token), so a cached render is
the same for everyone and can hold nothing personal.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from apps.catalog.listing import products_for_specs
from apps.core.context_processors import shop
from apps.core.fragments import new_marker, refill

from . import cache as keys
from . import selectors
from .blocks import (
    Built,
    banner_hidden_reason,
    ends_at_of,
    get_type,
    starts_at_of,
    validate_block,
)
from .selectors import BlockState


@dataclass
class Rendered:
    state: BlockState
    html: SafeString = mark_safe("")
    error: str = ""  # why it cannot show; shoppers never see the block, marketers see this
    hidden_reason: str = ""
    warnings: list[str] = field(default_factory=list)
    slot: str = ""  # the marker standing in for the CSRF token in html
    # For viewer-aware blocks: the template and context to render again for a signed-in viewer.
    template: str = ""
    viewer_context: dict | None = None
    # When the render must be rendered again (its cache entry's end): a whole cached page that
    # shows it expires no later (apps.core.pagecache). 0 when unknown.
    expires: float = 0.0

    @property
    def visible_to_shoppers(self) -> bool:
        return (
            bool(self.html) and not self.error and not self.hidden_reason and self.state.is_active
        )


# The first product grid's first cards are the page's first row of product images: loaded at once
# with high priority rather than lazily (catalog_cards `eager`).
EAGER_CARDS = 4


def _first_grid(states: list[BlockState]) -> str | None:
    """The key of the page's first shown product grid (states come in page order)."""
    return next((s.key for s in states if s.type == "product_grid" and s.is_active), None)


def _render_batch(
    states: list[BlockState], private: bool = False, first_grid: str | None = None
) -> dict[str, dict]:
    """Validate every block, fetch all their catalog data in one batch, render each partial.
    `first_grid` names the page's first product grid (maybe not in this batch: cached blocks are
    left out of it), whose first cards load eagerly."""
    now = timezone.now()
    planned = []
    specs = []
    for state in states:
        try:
            block_type = get_type(state.type)
            content = validate_block(state.type, state.content)
        except ValidationError as exc:
            planned.append((state, None, None, "Invalid content: " + " ".join(exc.messages), 0, 0))
            continue
        wanted = block_type.specs(content)
        planned.append((state, block_type, content, "", len(specs), len(specs) + len(wanted)))
        specs.extend(wanted)
    fetched = products_for_specs(specs) if specs else []
    results: dict[str, dict] = {}
    base_context = shop(None)
    marker = new_marker()
    for state, block_type, content, error, start, end in planned:
        if error:
            results[state.key] = {
                "html": "",
                "error": error,
                "warnings": [],
                "hidden": "",
                "template": "",
                "viewer": None,
            }
            continue
        built: Built = block_type.build(content, fetched[start:end], now)
        eager = EAGER_CARDS if state.key == first_grid else 0
        # Every grid after the first prefixes its cards' ids with its key: a product shown in two
        # grids (new and on sale) must not repeat ids (label targets, valid HTML).
        prefix = "" if state.key == first_grid else f"{state.key}-"
        html = ""
        if not built.error and not built.hidden_reason:
            html = render_to_string(
                block_type.template,
                {
                    **base_context,
                    **built.context,
                    "block_key": state.key,
                    "csrf_token": marker,
                    "private_render": private,
                    "eager_cards": eager,
                    "card_id_prefix": prefix,
                },
            )
        results[state.key] = {
            "html": html,
            "error": built.error,
            "warnings": built.warnings,
            "hidden": built.hidden_reason,
            "slot": marker,
            "template": block_type.template,
            "viewer": {
                **built.context,
                "block_key": state.key,
                "private_render": private,
                "eager_cards": eager,
                "card_id_prefix": prefix,
            }
            if block_type.viewer_aware
            else None,
        }
    return results


def for_viewer(rendered: list[Rendered], request: HttpRequest) -> list[Rendered]:
    """A signed-in shopper's own version of the viewer-aware blocks (product grids: their hearts),
    rendered with the request so product cards go through the catalog's viewer-aware card
    renderer (`product_cards`, cached per product and viewer state). Anonymous shoppers get the
    shared render as it is. The products come with the cached render: no SQL here."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return rendered
    for item in rendered:
        if item.viewer_context is not None and item.html:
            item.html = mark_safe(render_to_string(item.template, item.viewer_context, request))
    return rendered


def with_csrf(rendered: list[Rendered], token: str) -> list[Rendered]:
    """Shared renders carry no visitor's CSRF token: forms in them (add to cart without
    JavaScript) get a random marker new for every render (apps.core.fragments), stored with the
    render, and each request swaps in its own token when it serves the block."""
    for item in rendered:
        if item.slot and item.slot in item.html:
            item.html = refill(item.html, item.slot, token)
    return rendered


def _to_rendered(state: BlockState, result: dict) -> Rendered:
    hidden = result["hidden"]
    if state.type == "promo_banner" and isinstance(state.content, dict):
        # A cached render may predate the banner's start or end: decide again now.
        hidden = banner_hidden_reason(state.content, timezone.now())
    return Rendered(
        state=state,
        html=mark_safe(result["html"]),
        error=result["error"],
        hidden_reason=hidden,
        warnings=result["warnings"],
        slot=result.get("slot", ""),
        template=result.get("template", ""),
        viewer_context=result.get("viewer"),
        expires=result.get("expires", 0.0),
    )


def _ttl(state: BlockState) -> int:
    ttl = keys.RENDER_TTL
    if state.type == "promo_banner":
        # Render again when the banner starts or ends, so it appears and goes on time.
        now = timezone.now()
        for moment in (starts_at_of(state.content), ends_at_of(state.content)):
            if moment is not None and moment > now:
                ttl = max(1, min(ttl, int((moment - now).total_seconds()) + 1))
    return ttl


def live_blocks(page: str) -> list[Rendered]:
    """The published page, served from Redis when warm (no SQL at all)."""
    version = cache.get(keys.version_key(page))
    states = cache.get(keys.blocks_key(page, version)) if version is not None else None
    if states is None:
        version, states = selectors.published_with_version(page)
        cache.set(keys.version_key(page), version, keys.VERSION_TTL)
        cache.set(keys.blocks_key(page, version), states, keys.BLOCKS_TTL)
    active = [s for s in states if s.is_active]
    catalog_version = keys.catalog_version()
    render_keys = {
        s.key: keys.render_key(page, s.pk, s.rev, version, catalog_version) for s in active
    }
    cached = cache.get_many(list(render_keys.values())) if render_keys else {}
    results = {key: cached[k] for key, k in render_keys.items() if k in cached}
    missing = [s for s in active if s.key not in results]
    if missing:
        fresh = _render_batch(missing, first_grid=_first_grid(active))
        for state in missing:
            ttl = _ttl(state)
            fresh[state.key]["expires"] = time.time() + ttl
            cache.set(render_keys[state.key], fresh[state.key], ttl)
        results.update(fresh)
    return [_to_rendered(s, results[s.key]) for s in active]


def draft_blocks(states: list[BlockState]) -> list[Rendered]:
    """A preview render: straight from the database, never reading or writing the shared cache."""
    results = _render_batch(states, private=True, first_grid=_first_grid(states))
    return [_to_rendered(s, results[s.key]) for s in states]


def regions(rendered: list[Rendered], staff: bool) -> dict[str, list[Rendered]]:
    """Blocks grouped by region; shoppers only get the ones that can show."""
    grouped: dict[str, list[Rendered]] = {}
    for item in rendered:
        if staff or item.visible_to_shoppers:
            grouped.setdefault(item.state.region, []).append(item)
    return grouped


def shared_blocks(page: str, states: list[BlockState]) -> list[Rendered]:
    """A preview link's snapshot: blocks it left as published may be READ from the live render
    cache (same block, same rev, so the same HTML); nothing is ever written to the shared cache,
    and a cold key is not warmed by it either."""
    version = cache.get(keys.version_key(page))
    catalog_version = cache.get(keys.CATALOG_VERSION.key)
    render_keys = {}
    if version is not None and catalog_version is not None:
        render_keys = {
            s.key: keys.render_key(page, s.pk, s.rev, version, int(catalog_version))
            for s in states
            if not s.status and s.pk is not None and s.is_active
        }
    cached = cache.get_many(list(render_keys.values())) if render_keys else {}
    results = {key: cached[k] for key, k in render_keys.items() if k in cached}
    missing = [s for s in states if s.key not in results]
    if missing:
        results.update(_render_batch(missing, private=True, first_grid=_first_grid(states)))
    return [_to_rendered(s, results[s.key]) for s in states]
