"""Every URL pattern must be declared in tests/security/endpoints.py."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver

from .endpoints import ADMIN_PREFIX, by_route


def all_routes() -> list[str]:
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    return list(walk(get_resolver().url_patterns))


def test_every_url_pattern_is_declared():
    declared = by_route()
    undeclared = [
        route
        for route in all_routes()
        if route not in declared and not route.startswith(ADMIN_PREFIX)
    ]
    assert not undeclared, (
        "These URL patterns are not declared: add an Endpoint(...) for each to ENDPOINTS in "
        f"tests/security/endpoints.py (who may use it, methods, whether it mutates): {undeclared}"
    )


def test_no_stale_declarations():
    routes = set(all_routes())
    stale = [
        route
        for route, endpoints in by_route().items()
        if route not in routes and any(e.access != "internal" for e in endpoints)
    ]
    assert not stale, f"Declared in tests/security/endpoints.py but no longer routed: {stale}"
