"""Card templates rendered once per *shape*, then filled per card: cards at string-join speed.

Used for the anonymous product cards (catalog_cards.product_cards) and a facet list's option rows
(catalog_cards.facet_rows), through `render`.

Rendering 24 cards through Django's template engine was the largest part of a cold listing
(~0.3 ms a card: every `{{ }}` is a lookup, a localisation and an escape, every `{% if %}` a
resolve). But two cards of the same shape (same fields empty or set, same flags, same number of
swatches) differ only in the text they print. So a card is taken apart (`take`) into

- its *shape*: every flag, every empty value (printed as it is), every list's length;
- its *values*: every non-empty text or number, in a fixed order;

and the card template is rendered ONCE per shape, with a numbered marker in place of each value
(`skeleton`). A card is then that skeleton with each marker replaced by its value rendered as the
template would (`render_value_in_context`: localised, then escaped). The skeleton holds no
content, only the template's own text and markers, so no product text can be mistaken for a
marker; markers are digits (a random prefix per process), so they survive where the template
puts a value: attributes, URLs, `stringformat`.

A card is taken apart through its fields AND its properties (`Display.out_of_stock` is a flag of
the shape, computed from the real stock, not from a marker). A template that computes with a
value (compares it, slices it, filters it into other text) would print the marker's result, not
the value's: tests/catalog/test_card_skeletons.py renders hundreds of random cards both ways and
requires identical HTML, so such a template change fails there. Only anonymous cards take this
path: a signed-in card's heart reads per-visitor state (`product.pk in wishlist_ids`) that a
shape cannot see.

Skeletons are code, not data (no product's text or price is in one), kept per process like
compiled templates, at most SKELETONS of them.
"""

from __future__ import annotations

import dataclasses
import html
import re
import secrets
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from types import SimpleNamespace
from typing import Any

from django.template.base import render_value_in_context

from apps.core.lru import LRU

SKELETONS = 512
# Markers: a random 18-digit prefix (never 0-led) and a 6-digit value index (a card with a
# thousand swatches still fits).
_PREFIX = str(secrets.randbelow(9 * 10**17) + 10**17)
_MARKER = re.compile(_PREFIX + r"(\d{6})")
MAX_VALUES = 10**6


def marker(index: int) -> str:
    return f"{_PREFIX}{index:06d}"


@cache
def _names(cls: type) -> tuple[str, ...]:
    """A dataclass's fields, then its properties, in a fixed order."""
    fields = [f.name for f in dataclasses.fields(cls)]
    properties = sorted(
        name
        for klass in cls.__mro__
        for name, member in vars(klass).items()
        if isinstance(member, property)
    )
    return (*fields, *properties)


def take(value: Any, shape: list, values: list) -> Any:
    """`value` with each non-empty text or number replaced by its marker (appended to
    `values`), everything that decides the markup appended to `shape`."""
    if value is None or isinstance(value, bool):
        shape.append(value)
        return value
    if isinstance(value, str | int | Decimal):
        if not value:  # printed as it is: part of the shape
            shape.append((type(value).__name__, str(value)))
            return value
        shape.append("v")
        values.append(value)
        return marker(len(values) - 1)
    if isinstance(value, tuple):
        shape.append(("t", len(value)))
        return tuple(take(item, shape, values) for item in value)
    if isinstance(value, dict):
        shape.append(("d", *value))
        return {key: take(item, shape, values) for key, item in value.items()}
    if dataclasses.is_dataclass(value):
        cls = type(value)
        shape.append(cls)
        return SimpleNamespace(**{n: take(getattr(value, n), shape, values) for n in _names(cls)})
    raise TypeError(f"a card cannot hold a {type(value).__name__}")


class Skeletons(LRU):
    """Rendered skeletons by shape, at most `budget` of them, least recently used dropped first."""

    def parts(self, key: tuple, render: Callable[[], str]) -> list:
        """The skeleton for `key` as parts (text at even indexes, value indexes at odd ones),
        rendered by `render()` when this process has not seen the shape yet."""
        parts = self.get(key)
        if parts is None:
            pieces = _MARKER.split(render())
            parts = [int(p) if i % 2 else p for i, p in enumerate(pieces)]
            self.put(key, parts)
        return parts


def fill(parts: list, values: list, context) -> str:
    """The skeleton with every marker replaced by its value, rendered as `{{ value }}` would."""
    shown: dict[int, str] = {}
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            if part not in shown:
                value = values[part]
                # A plain str is only escaped (what render_value_in_context does to one).
                shown[part] = (
                    html.escape(value)
                    if type(value) is str and context.autoescape
                    else render_value_in_context(value, context)
                )
            out.append(shown[part])
        else:
            out.append(part)
    return "".join(out)


def render(context, template, render_with: Callable[[dict], dict], **names: Any) -> str:
    """`template` rendered with the context `render_with(proxies)` adds, from the skeleton of
    the shape of `names` (each a value, a dict, a dataclass or a tuple of them): the skeleton is
    rendered once per template and shape (`proxies`: the names with markers for their values),
    then filled with this call's values. What the template prints must depend only on these."""
    shape: list = []
    values: list = []
    proxies = {name: take(value, shape, values) for name, value in names.items()}
    if len(values) > MAX_VALUES:
        raise ValueError("more values than markers can number")

    def first() -> str:
        with context.push(**render_with(proxies)):
            return str(template.render(context))

    return fill(_SKELETONS.parts((template, *names, *shape), first), values, context)


_SKELETONS = Skeletons(SKELETONS)
