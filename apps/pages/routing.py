"""Which first path segments belong to real routes, so a CMS page can never claim them.

Derived from the URL resolver (not a hand-kept list): every app's URLs are walked and the literal
first segment of each route is reserved, plus the static and media prefixes, which are served
outside the URLconf in production.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

ALWAYS_RESERVED = frozenset({"admin", "static", "media"})
_REGEX_LITERAL = re.compile(r"^\^?([A-Za-z0-9_.~-]+)")


def _first_segment(route: str) -> str | None:
    """The literal first segment of a route ("accounts/" -> "accounts"), None if it has none."""
    head = route.split("/", 1)[0]
    if not head or "<" in head:
        return None
    return head.lower()


def _pattern_route(entry: URLPattern | URLResolver) -> tuple[str, bool]:
    """(route text, is_regex) for one URL entry."""
    pattern = entry.pattern
    if isinstance(pattern, RoutePattern):
        return str(pattern._route), False
    return str(pattern.regex.pattern), True


def _collect(entries, prefix: str, found: set[str]) -> None:
    for entry in entries:
        if isinstance(entry, URLResolver) and entry.app_name == "pages":
            continue  # the catch-all itself reserves nothing
        route, is_regex = _pattern_route(entry)
        if is_regex:
            match = _REGEX_LITERAL.match(route)
            route = match.group(1) + ("/" if "/" in route else "") if match else ""
        full = prefix + route
        segment = _first_segment(full)
        if segment:
            found.add(segment)
        elif isinstance(entry, URLResolver) and "<" not in full:
            _collect(entry.url_patterns, full, found)


def _prefix_segment(url: str | None) -> str | None:
    if not url or "://" in url:
        return None
    return _first_segment(url.strip("/") + "/")


def reserved_segments() -> frozenset[str]:
    """First path segments no CMS page may use: every app route's, admin, static and media."""
    found: set[str] = set(ALWAYS_RESERVED)
    _collect(get_resolver().url_patterns, "", found)
    for url in (settings.STATIC_URL, settings.MEDIA_URL):
        if segment := _prefix_segment(url):
            found.add(segment)
    return frozenset(found)
