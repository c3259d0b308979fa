"""Every URL pattern of the project, declared: who may use it, with which methods, what it changes.

The registry test walks the URL resolver and fails for any pattern missing here, so a new view is
covered by the access matrix, the CSRF check and the fuzzer the day it is added.

Access levels:
- "public": anyone.
- "authenticated": signed-in users; anonymous visitors are sent to the login page.
- "owner": signed-in users, and only for their own objects (another user gets 404).
- "staff:<app_label.codename>": staff with that permission; other staff get 403, shoppers and
  anonymous visitors are sent to the login page (or get 403/404).
- "internal": not an application endpoint (static/media serving in DEBUG only).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ROLES = ("anonymous", "shopper_a", "shopper_b", "staff_plain", "staff_perm")


@dataclass(frozen=True)
class Endpoint:
    route: str
    access: str
    methods: tuple[str, ...] = ("GET",)
    mutates: bool = False
    # Builds a concrete path from the `world` fixture (objects owned by shopper_a).
    path: Callable[[Any], str] | None = None
    # Query parameters (GET) or form fields (POST) the fuzzer varies.
    params: tuple[str, ...] = ()
    # Extra statuses accepted for a role, e.g. {"anonymous": (302,)}.
    expect: dict[str, tuple[int, ...]] = field(default_factory=dict)
    # Text that only the owner / permitted user may see in the body.
    private_text: Callable[[Any], str] | None = None


ENDPOINTS: list[Endpoint] = [
    Endpoint("", "public", path=lambda w: "/"),
    Endpoint("healthz", "public", path=lambda w: "/healthz"),
    Endpoint(
        "accounts/login/",
        "public",
        methods=("GET", "POST"),
        mutates=True,
        path=lambda w: "/accounts/login/",
        params=("username", "password", "next"),
        expect={role: (200, 302) for role in ROLES},
    ),
    Endpoint(
        "accounts/logout/",
        "public",
        methods=("POST",),
        mutates=True,
        path=lambda w: "/accounts/logout/",
    ),
    Endpoint(
        "accounts/signup/",
        "public",
        methods=("GET", "POST"),
        mutates=True,
        path=lambda w: "/accounts/signup/",
        params=("username", "first_name", "email", "password1", "password2", "next"),
        expect={role: (200, 302) for role in ROLES},
    ),
    Endpoint(
        "catalog/",
        "public",
        path=lambda w: "/catalog/",
        params=("q", "sort", "page", "page_size", "price_min", "price_max", "in_stock", "colour"),
    ),
    Endpoint(
        "catalog/<path:path>/",
        "public",
        path=lambda w: w.product.category.get_absolute_url(),
        params=("q", "sort", "page", "price_min", "price_max"),
    ),
    Endpoint("products/<slug:slug>/", "public", path=lambda w: w.product.get_absolute_url()),
    Endpoint("^media/(?P<path>.*)$", "internal"),
]

# Patterns under these prefixes belong to django.contrib.admin, which checks staff status and
# model permissions itself; the access test samples them separately.
ADMIN_PREFIX = "admin/"


def by_route() -> dict[str, Endpoint]:
    return {endpoint.route: endpoint for endpoint in ENDPOINTS}
