"""Helpers for answering htmx requests with a page's named partial.

The body carries hx-boost, so boosted link clicks and form posts are htmx requests that still
want the whole page: only non-boosted htmx requests get a fragment.
"""

from __future__ import annotations

from django.http import HttpRequest


def wants_fragment(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted


def page_or_partial(request: HttpRequest, template: str, partial: str) -> str:
    """The whole page for a normal or boosted request, `template#partial` for an htmx fragment."""
    return f"{template}#{partial}" if wants_fragment(request) else template
