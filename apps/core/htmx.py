"""Helpers for answering htmx requests with a page's named partial."""

from __future__ import annotations

from django.http import HttpRequest


def page_or_partial(request: HttpRequest, template: str, partial: str) -> str:
    """The whole page for a normal request, `template#partial` for an htmx request."""
    return f"{template}#{partial}" if getattr(request, "htmx", False) else template
