"""Which pages carry layout blocks: their regions, their address, and the fragment refreshed after
an edit.

The home page is built in. Other apps add their own kind of page by registering a key prefix
(`pages` registers "page", so CMS page 5 is the layout page "page-5"): layout calls back into
them and never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import HttpRequest
from django.urls import reverse


@dataclass(frozen=True)
class Surface:
    key: str
    regions: tuple[str, ...]
    url: str
    # "<template>#<partial>": the `#layout` fragment answered to htmx after each edit.
    fragment: str
    # Extra template context the fragment needs (the CMS page around the blocks), or None when
    # the requesting user may not see this page at all.
    context: Callable[[HttpRequest], dict | None] = field(default=lambda request: {})
    # The same, for a preview link's visitor (no account): what the page shows around the
    # blocks, decided by the marketer who shared it, not by the visitor.
    shared_context: Callable[[], dict] = field(default=lambda: {})


Resolver = Callable[[str, int], "Surface | None"]
_resolvers: dict[str, Resolver] = {}


def register(prefix: str, resolver: Resolver) -> None:
    """`resolver(key, ident)` answers for keys "<prefix>-<ident>"; None when there is no page."""
    _resolvers[prefix] = resolver


def home() -> Surface:
    return Surface(
        key="home",
        regions=("hero", "main", "sidebar"),
        url=reverse("home"),
        fragment="layout/home.html#layout",
    )


def resolve(key: str) -> Surface | None:
    if key == "home":
        return home()
    prefix, _, ident = key.rpartition("-")
    resolver = _resolvers.get(prefix)
    if resolver is None or not ident.isdigit() or len(ident) > 18 or ident != str(int(ident)):
        return None
    return resolver(key, int(ident))
