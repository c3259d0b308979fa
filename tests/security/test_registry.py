"""Every URL pattern must be declared in tests/security/endpoints.py."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver, path

from apps.layout.blocks import REGISTRY

from .endpoints import ADMIN_NAMESPACE, BLOCK_DATA, by_route

HOW_TO_DECLARE = (
    "These URL patterns are not declared: add an Endpoint(...) for each to ENDPOINTS in "
    "tests/security/endpoints.py (who may use it, methods, whether it mutates): "
)


def all_routes(patterns=None, prefix: str = "") -> list[str]:
    """Every routed pattern as one string, admin site excluded (it is matched by namespace, so a
    project view mounted under admin/ still counts)."""
    routes: list[str] = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == ADMIN_NAMESPACE:
                continue
            routes += all_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            routes.append(prefix + str(pattern.pattern))
    return routes


def undeclared(patterns=None) -> list[str]:
    declared = by_route()
    return [route for route in all_routes(patterns) if route not in declared]


def test_every_url_pattern_is_declared():
    missing = undeclared()
    assert not missing, HOW_TO_DECLARE + str(missing)


def test_an_undeclared_view_is_caught_even_under_admin():
    """The check can fail: a new view anywhere, the admin's path included, is reported."""
    from django.contrib import admin

    def view(request):
        raise AssertionError

    patterns = [
        *get_resolver().url_patterns,
        path("admin/export/", view),
        path("reports/<int:year>/", view),
    ]
    assert sorted(set(undeclared(patterns)) - set(undeclared())) == [
        "admin/export/",
        "reports/<int:year>/",
    ]
    assert any(
        isinstance(p, URLResolver) and p.namespace == ADMIN_NAMESPACE
        for p in get_resolver().url_patterns
    ), "the admin site moved: update ADMIN_NAMESPACE"
    assert admin.site.name == ADMIN_NAMESPACE


def test_every_block_type_has_an_editor_declared():
    """Each block type's add form is its own endpoint variant (its own fields fuzzed)."""
    assert set(BLOCK_DATA) == set(REGISTRY), (
        "Give every block type a valid editor payload in BLOCK_DATA (tests/security/endpoints.py)"
    )


def test_no_stale_declarations():
    routes = set(all_routes())
    stale = [
        route
        for route, endpoints in by_route().items()
        if route not in routes and any(e.access != "internal" for e in endpoints)
    ]
    assert not stale, f"Declared in tests/security/endpoints.py but no longer routed: {stale}"
