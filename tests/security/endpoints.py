"""Every URL pattern of the project, declared: who may use it, with which methods, what it changes.

The registry test walks the URL resolver and fails for any pattern missing here, so a new view is
covered by the access matrix, the CSRF check, the fuzzer and the header check the day it is added.

Access levels:
- "public": anyone.
- "authenticated": signed-in users; anonymous visitors are sent to the login page.
- "owner": signed-in users, and only for their own objects (another user gets 404).
- "session-owner": anyone, but only on their own session's or account's objects (a cart line):
  another caller's request is answered like any bad input and changes nothing.
- "staff:<app_label.codename>": staff with that permission; other staff get 403, shoppers and
  anonymous visitors are sent to the login page (or get 403/404).
- "internal": not an application endpoint (static/media serving in DEBUG only).

A route may be declared more than once (`variant`) when one pattern serves different things,
such as the CMS catch-all serving a published page to everyone and a draft to previewers only.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.utils import timezone

from apps.layout.blocks import REGISTRY
from tests.checkout.factories import card_token
from tests.factories import PASSWORD

from .conftest import (
    ADDRESS_NAME,
    CART_LINE_NAME,
    DRAFT_HEADING,
    DRAFT_PAGE_BODY,
    DRAFT_PROSE,
    ORDER_NAME,
    WISH_NAME,
)

ADDRESS_FIELDS = (
    "full_name",
    "phone",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "country",
)
NEW_ADDRESS = {
    "full_name": "New Name",
    "address_line1": "5 New Street",
    "postal_code": "10115",
    "city": "Berlin",
    "country": "DE",
}

# What the address step stores for a shopper part-way through checkout.
STEP_ADDRESS = {
    "email": "b@example.com",
    "full_name": "Step Shopper",
    "phone": "",
    "address_line1": "2 Step Street",
    "address_line2": "",
    "postal_code": "10115",
    "city": "Berlin",
    "country": "DE",
}

ROLES = ("anonymous", "shopper_a", "shopper_b", "staff_plain", "staff_perm")
SIGNED_IN = ROLES[1:]
NO_CART = ("anonymous", "staff_plain", "staff_perm")  # roles the world gives no cart


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
    # A valid POST body (from the world): what the owner would send. The access matrix sends it
    # as every role, so a missing ownership check shows up as a write or a leak.
    data: Callable[[Any], dict] | None = None
    # The body is JSON (`data` and the fuzzer's payloads are sent as application/json).
    json: bool = False
    # Statuses for a role, overriding the access level's rule: {"anonymous": (401,)}, or for
    # one method only {"POST anonymous": (302,)}.
    expect: dict[str, tuple[int, ...]] = field(default_factory=dict)
    # Text (or texts) that only `private_to` may see, in the body or a redirect's Location.
    private_text: Callable[[Any], str | tuple[str, ...]] | None = None
    # Roles allowed to see private_text; None: derived from the access level.
    private_to: tuple[str, ...] | None = None
    # Why a mutating endpoint takes no CSRF token (the CSRF test then checks it refuses a bad
    # request without changing anything instead).
    csrf_exempt: str = ""
    variant: str = ""
    # Builds the path with a hostile value in the URL's variable part, for the path fuzzer.
    fuzz_path: Callable[[str], str] | None = None
    # Session keys an earlier step of a flow would have stored (a later checkout step), set for
    # every role before the request.
    session: Callable[[Any], dict] | None = None

    @property
    def name(self) -> str:
        return (self.route or "/") + (f"[{self.variant}]" if self.variant else "")

    def secrets(self, world: Any) -> tuple[str, ...]:
        if self.private_text is None:
            return ()
        found = self.private_text(world)
        return (found,) if isinstance(found, str) else tuple(found)

    def body(self, payload: Any) -> dict:
        """Keyword arguments for Client.post with this endpoint's encoding."""
        if self.json:
            return {"data": json.dumps(payload), "content_type": "application/json"}
        return {"data": payload}


def acts(endpoint: Endpoint, role: str) -> bool:
    """May `role` change state through this endpoint (with the owner's objects in the path)?"""
    access = endpoint.access
    if access == "public":
        return True
    if access == "authenticated":
        return role != "anonymous"
    if access in ("owner", "session-owner"):
        return role == "shopper_a"
    if access.startswith("staff:"):
        return role == "staff_perm"
    return False


def may_see_private(endpoint: Endpoint, role: str) -> bool:
    if endpoint.private_to is not None:
        return role in endpoint.private_to
    return endpoint.access != "public" and acts(endpoint, role)


def _layout(suffix: str) -> Callable[[Any], str]:
    return lambda w: f"/layout/home/{suffix}"


def _block(action: str, key: str = "hero_key") -> Callable[[Any], str]:
    return lambda w: f"/layout/home/block/{getattr(w, key)}/{action}/"


LAYOUT = "staff:layout.change_layoutblock"


def in_three_days() -> str:
    """A valid 'Publish at…' value (the form's datetime-local format, shop time)."""
    return timezone.localtime(timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")


def block_fields(type_name: str) -> tuple[str, ...]:
    """The form fields of a block type's editor, as the fuzzer should vary them."""
    return tuple(REGISTRY[type_name].edit_form_class().base_fields)


# A valid editor payload per block type; test_registry checks every registered type has one.
BLOCK_DATA: dict[str, Callable[[Any], dict]] = {
    "hero": lambda w: {"heading": "Added hero"},
    "product_grid": lambda w: {"source": "skus", "skus": w.product.sku, "limit": "4"},
    "promo_banner": lambda w: {"text": "Added banner"},
    "rich_text": lambda w: {"html": "<p>Added prose</p>"},
    "category_tiles": lambda w: {"categories": str(w.product.category_id)},
}

ENDPOINTS: list[Endpoint] = [
    Endpoint(
        "",
        "public",
        path=lambda w: "/",
        private_text=lambda w: (DRAFT_HEADING, DRAFT_PROSE),
        private_to=("staff_perm",),
    ),
    Endpoint("healthz", "public", path=lambda w: "/healthz"),
    # accounts
    Endpoint(
        "accounts/login/",
        "public",
        methods=("GET", "POST"),
        mutates=True,
        path=lambda w: "/accounts/login/",
        params=("username", "password", "next"),
        data=lambda w: {"username": "nobody", "password": "wrong"},
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
        data=lambda w: {
            "username": "newcomer",
            "first_name": "New",
            "email": "newcomer@example.com",
            "password1": "a-long-enough-passphrase-42",
            "password2": "a-long-enough-passphrase-42",
        },
        # Signed-in users are sent home; an anonymous signup redirects once the account exists.
        expect={role: (200, 302) for role in ROLES} | {"POST anonymous": (302,)},
    ),
    # the account area (issue 20)
    Endpoint(
        "accounts/",
        "authenticated",
        methods=("GET", "POST"),
        mutates=True,
        path=lambda w: "/accounts/",
        params=("first_name", "last_name"),
        data=lambda w: {"first_name": "Renamed"},
    ),
    Endpoint(
        "accounts/orders/",
        "authenticated",
        path=lambda w: "/accounts/orders/",
        params=("page",),
        private_text=lambda w: w.order.number,
        private_to=("shopper_a",),
    ),
    Endpoint(
        "accounts/addresses/",
        "authenticated",
        path=lambda w: "/accounts/addresses/",
        private_text=lambda w: ADDRESS_NAME,
        private_to=("shopper_a",),
    ),
    Endpoint(
        "accounts/addresses/new/",
        "authenticated",
        methods=("GET", "POST"),
        mutates=True,
        path=lambda w: "/accounts/addresses/new/",
        params=ADDRESS_FIELDS,
        data=lambda w: NEW_ADDRESS,
    ),
    Endpoint(
        "accounts/addresses/<int:pk>/",
        "owner",
        methods=("GET", "POST"),
        mutates=True,
        path=lambda w: f"/accounts/addresses/{w.address_a.pk}/",
        fuzz_path=lambda v: f"/accounts/addresses/{v}/",
        params=ADDRESS_FIELDS,
        data=lambda w: NEW_ADDRESS,
        private_text=lambda w: ADDRESS_NAME,
    ),
    Endpoint(
        "accounts/addresses/<int:pk>/delete/",
        "owner",
        methods=("POST",),
        mutates=True,
        path=lambda w: f"/accounts/addresses/{w.address_a.pk}/delete/",
        fuzz_path=lambda v: f"/accounts/addresses/{v}/delete/",
    ),
    Endpoint(
        "accounts/addresses/<int:pk>/default/",
        "owner",
        methods=("POST",),
        mutates=True,
        path=lambda w: f"/accounts/addresses/{w.address_a.pk}/default/",
        fuzz_path=lambda v: f"/accounts/addresses/{v}/default/",
        params=("kind",),
        data=lambda w: {"kind": "shipping"},
    ),
    Endpoint(
        "accounts/delete/",
        "authenticated",
        methods=("GET", "POST"),
        mutates=True,
        path=lambda w: "/accounts/delete/",
        params=("password", "confirm"),
        data=lambda w: {"password": PASSWORD, "confirm": "on"},
    ),
    Endpoint(
        "accounts/password/",
        "authenticated",
        methods=("GET", "POST"),
        mutates=True,
        path=lambda w: "/accounts/password/",
        params=("old_password", "new_password1", "new_password2"),
        data=lambda w: {
            "old_password": PASSWORD,
            "new_password1": "another-long-passphrase-58",
            "new_password2": "another-long-passphrase-58",
        },
    ),
    Endpoint(
        "accounts/password/reset/",
        "public",
        methods=("GET", "POST"),
        mutates=True,
        path=lambda w: "/accounts/password/reset/",
        params=("email",),
        data=lambda w: {"email": "shopper-a@example.com"},
        expect={f"POST {role}": (302,) for role in ROLES},
    ),
    Endpoint(
        "accounts/password/reset/sent/", "public", path=lambda w: "/accounts/password/reset/sent/"
    ),
    Endpoint(
        "accounts/password/reset/<uidb64>/<token>/",
        "public",
        methods=("GET", "POST"),
        mutates=True,
        # A made-up link: refused with a 400 for everyone (a real one is tested in tests/accounts).
        path=lambda w: "/accounts/password/reset/MQ/made-up-token/",
        fuzz_path=lambda v: f"/accounts/password/reset/{v}/set-password/",
        params=("new_password1", "new_password2"),
        data=lambda w: {"new_password1": "x-long-passphrase-1", "new_password2": "x"},
        expect={role: (400,) for role in ROLES},
    ),
    Endpoint(
        "accounts/email/",
        "authenticated",
        methods=("GET", "POST"),
        mutates=True,
        path=lambda w: "/accounts/email/",
        params=("email", "password"),
        data=lambda w: {"email": "fresh-address@example.com", "password": PASSWORD},
    ),
    Endpoint(
        "accounts/email/confirm/<str:token>/",
        "public",
        methods=("GET", "POST"),
        mutates=True,
        # A forged link: refused for everyone (a real one is tested in tests/accounts).
        path=lambda w: "/accounts/email/confirm/forged-token/",
        fuzz_path=lambda v: f"/accounts/email/confirm/{v}/",
        expect={role: (400,) for role in ROLES},
    ),
    # catalog
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
        fuzz_path=lambda v: f"/catalog/{v}/",
        params=("q", "sort", "page", "price_min", "price_max"),
    ),
    Endpoint(
        "products/<slug:slug>/",
        "public",
        path=lambda w: w.product.get_absolute_url(),
        fuzz_path=lambda v: f"/products/{v}/",
    ),
    Endpoint(
        "search/suggest/",
        "public",
        # A plain request (the matrix's) is sent to the search page; htmx gets the listbox.
        path=lambda w: "/search/suggest/?q=" + w.product.name[:4],
        params=("q",),
        expect={role: (302,) for role in ROLES},
    ),
    # cart: one cart per account or anonymous session, found from the request alone
    Endpoint(
        "cart/",
        "public",
        path=lambda w: "/cart/",
        private_text=lambda w: CART_LINE_NAME,
        private_to=("shopper_a",),
    ),
    Endpoint(
        "cart/add/",
        "public",
        methods=("POST",),
        mutates=True,
        path=lambda w: "/cart/add/",
        params=("product_id", "quantity", "next"),
        data=lambda w: {"product_id": str(w.product.pk), "quantity": "2"},
    ),
    Endpoint(
        "cart/lines/<str:line_id>/",
        "session-owner",
        methods=("POST",),
        mutates=True,
        path=lambda w: f"/cart/lines/{w.cart_line_a.pk}/",
        fuzz_path=lambda v: f"/cart/lines/{v}/",
        params=("quantity",),
        data=lambda w: {"quantity": "3"},
        # Another caller's request is refused like a stale line: redirect to their own cart.
        expect={role: (302,) for role in ROLES},
        private_text=lambda w: CART_LINE_NAME,
    ),
    Endpoint(
        "cart/lines/<str:line_id>/remove/",
        "session-owner",
        methods=("POST",),
        mutates=True,
        path=lambda w: f"/cart/lines/{w.cart_line_a.pk}/remove/",
        fuzz_path=lambda v: f"/cart/lines/{v}/remove/",
        expect={role: (302,) for role in ROLES},
    ),
    # checkout
    Endpoint(
        "checkout/",
        "public",
        path=lambda w: "/checkout/",
        expect={role: (302,) for role in ROLES},
    ),
    Endpoint(
        "checkout/coupon/",
        "public",
        methods=("POST",),
        mutates=True,
        path=lambda w: "/checkout/coupon/",
        params=("code",),
        data=lambda w: {"code": "SAVE10"},
    ),
    Endpoint(
        "checkout/coupon/remove/",
        "public",
        methods=("POST",),
        mutates=True,
        path=lambda w: "/checkout/coupon/remove/",
    ),
    Endpoint(
        "checkout/place/",
        "public",
        methods=("POST",),
        mutates=True,
        path=lambda w: "/checkout/place/",
        params=("checkout_token", "expected_total"),
        # Shopper A's own token: only A is shown the order it placed.
        data=lambda w: {"checkout_token": str(w.order.checkout_token), "expected_total": "1"},
        expect={role: (302,) for role in ROLES},
        private_text=lambda w: w.order.number,
        private_to=("shopper_a",),
    ),
    Endpoint(
        "checkout/webhooks/payments/",
        "public",
        methods=("POST",),
        mutates=True,
        path=lambda w: "/checkout/webhooks/payments/",
        params=("id", "type", "order", "amount"),
        json=True,
        # Unsigned: every caller is refused; a signed event is tested in tests/checkout.
        data=lambda w: {"id": "evt_1", "type": "payment.succeeded", "order": w.order.number},
        expect={role: (400,) for role in ROLES},
        csrf_exempt="the payment provider's server posts it, authenticated by an HMAC signature "
        "of the body instead of a session",
    ),
    Endpoint(
        "checkout/orders/",
        "authenticated",
        path=lambda w: "/checkout/orders/",
        private_text=lambda w: w.order.number,
        private_to=("shopper_a",),
    ),
    Endpoint(
        "checkout/orders/<str:number>/",
        "owner",
        path=lambda w: w.order.get_absolute_url(),
        fuzz_path=lambda v: f"/checkout/orders/{v}/",
        # Anonymous shoppers see orders their own session placed; others get 404, no login.
        expect={"anonymous": (404,)},
        private_text=lambda w: ORDER_NAME,
    ),
    Endpoint(
        "checkout/<str:name>/",
        "public",
        methods=("GET", "POST"),
        mutates=True,
        variant="address",
        path=lambda w: "/checkout/address/",
        fuzz_path=lambda v: f"/checkout/{v}/",
        params=(
            "email",
            "full_name",
            "phone",
            "address_line1",
            "address_line2",
            "postal_code",
            "city",
            "country",
        ),
        # No cart, no checkout: those roles are sent to the cart.
        expect={role: (302,) for role in NO_CART}
        | {"POST shopper_a": (302,), "POST shopper_b": (302,)},
        data=lambda w: {
            "email": "a@example.com",
            "full_name": "A",
            "address_line1": "1 Way",
            "postal_code": "10115",
            "city": "Berlin",
            "country": "DE",
        },
        # Shopper A's previous order prefills A's address form, A's book fills A's picker only.
        private_text=lambda w: (ORDER_NAME, ADDRESS_NAME),
        private_to=("shopper_a",),
    ),
    Endpoint(
        "checkout/address/saved/",
        "owner",
        path=lambda w: f"/checkout/address/saved/?saved={w.address_a.pk}",
        params=("saved",),
        private_text=lambda w: ADDRESS_NAME,
    ),
    # The later steps, each with what the steps before it stored in the session.
    Endpoint(
        "checkout/<str:name>/",
        "public",
        variant="shipping",
        methods=("GET", "POST"),
        mutates=True,
        path=lambda w: "/checkout/shipping/",
        session=lambda w: {"checkout": {"address": STEP_ADDRESS}},
        params=("method",),
        data=lambda w: {"method": "express"},
        expect={role: (302,) for role in NO_CART}
        | {"POST shopper_a": (302,), "POST shopper_b": (302,)},
    ),
    Endpoint(
        "checkout/<str:name>/",
        "public",
        variant="payment",
        methods=("GET", "POST"),
        mutates=True,
        path=lambda w: "/checkout/payment/",
        session=lambda w: {"checkout": {"address": STEP_ADDRESS, "shipping": "standard"}},
        params=("card_number", "expiry", "cvc"),
        data=lambda w: {"card_number": "4242 4242 4242 4242", "expiry": "12/40", "cvc": "123"},
        expect={role: (302,) for role in NO_CART}
        | {"POST shopper_a": (302,), "POST shopper_b": (302,)},
    ),
    Endpoint(
        "checkout/<str:name>/",
        "public",
        variant="review",
        # The review is placed through checkout/place/; a POST here shows the review again.
        methods=("GET", "POST"),
        mutates=True,
        path=lambda w: "/checkout/review/",
        session=lambda w: {
            "checkout": {
                "address": STEP_ADDRESS,
                "shipping": "standard",
                "payment": {"token": card_token(), "last4": "4242"},
            }
        },
        expect={role: (302,) for role in NO_CART},
    ),
    # wishlist
    Endpoint(
        "wishlist/",
        "public",
        path=lambda w: "/wishlist/",
        private_text=lambda w: WISH_NAME,
        private_to=("shopper_a",),
    ),
    Endpoint(
        "wishlist/preview/",
        "public",
        path=lambda w: f"/wishlist/preview/?i={w.product.pk}:1.00",
        params=("i",),
    ),
    Endpoint(
        "wishlist/items/<int:product_id>/",
        "authenticated",
        methods=("POST",),
        mutates=True,
        path=lambda w: f"/wishlist/items/{w.product.pk}/",
        fuzz_path=lambda v: f"/wishlist/items/{v}/",
        params=("saved", "next"),
        data=lambda w: {"saved": "1"},
        expect={role: (302,) for role in ROLES},
    ),
    Endpoint(
        "wishlist/merge/",
        "authenticated",
        methods=("POST",),
        mutates=True,
        json=True,
        path=lambda w: "/wishlist/merge/",
        params=("items",),
        data=lambda w: {"items": [{"productId": w.product.pk, "priceSnapshot": "1.00"}]},
        # A script calls it: 401 rather than a redirect to the login page.
        expect={"anonymous": (401,)},
    ),
    Endpoint(
        "wishlist/alerts/stop/<str:token>/",
        "public",
        methods=("GET", "POST"),
        mutates=True,
        path=lambda w: f"/wishlist/alerts/stop/{w.opt_out_token}/",
        fuzz_path=lambda v: f"/wishlist/alerts/stop/{v}/",
        csrf_exempt="the signed token in the link identifies the shopper; mail clients send "
        "RFC 8058 one-click POSTs without a CSRF token",
    ),
    # layout: the marketer's draft tools
    Endpoint(
        "layout/<slug:page>/mode/",
        LAYOUT,
        methods=("POST",),
        mutates=True,
        path=_layout("mode/"),
        params=("mode",),
        data=lambda w: {"mode": "draft"},
    ),
    # One add form per block type, each with that type's own fields.
    *(
        Endpoint(
            "layout/<slug:page>/add/",
            LAYOUT,
            variant=type_name,
            methods=("GET", "POST"),
            mutates=True,
            path=_layout(f"add/?type={type_name}&region=main&position=0"),
            params=("type", "region", "position", *block_fields(type_name)),
            data=BLOCK_DATA[type_name],
        )
        for type_name in BLOCK_DATA
    ),
    Endpoint(
        "layout/<slug:page>/block/<str:key>/edit/",
        LAYOUT,
        variant="hero",
        methods=("GET", "POST"),
        mutates=True,
        path=_block("edit"),
        fuzz_path=lambda v: f"/layout/home/block/{v}/edit/",
        params=block_fields("hero"),
        data=lambda w: {"heading": "Edited hero"},
        private_text=lambda w: DRAFT_HEADING,
    ),
    Endpoint(
        "layout/<slug:page>/block/<str:key>/edit/",
        LAYOUT,
        variant="rich_text-draft",
        methods=("GET", "POST"),
        mutates=True,
        path=_block("edit", "draft_key"),
        params=block_fields("rich_text"),
        data=BLOCK_DATA["rich_text"],
        # The block exists only in the marketer's draft.
        private_text=lambda w: DRAFT_PROSE,
    ),
    Endpoint(
        "layout/<slug:page>/block/<str:key>/edit/",
        LAYOUT,
        variant="promo_banner",
        methods=("GET", "POST"),
        mutates=True,
        path=lambda w: f"/layout/home/block/{w.block_keys['promo_banner']}/edit/",
        params=block_fields("promo_banner"),
        data=BLOCK_DATA["promo_banner"],
    ),
    Endpoint(
        "layout/<slug:page>/block/<str:key>/move/",
        LAYOUT,
        methods=("POST",),
        mutates=True,
        path=_block("move", "draft_key"),
        fuzz_path=lambda v: f"/layout/home/block/{v}/move/",
        params=("direction",),
        data=lambda w: {"direction": "down"},
    ),
    Endpoint(
        "layout/<slug:page>/block/<str:key>/toggle/",
        LAYOUT,
        methods=("POST",),
        mutates=True,
        path=_block("toggle"),
        fuzz_path=lambda v: f"/layout/home/block/{v}/toggle/",
        params=("active",),
        data=lambda w: {"active": "0"},
    ),
    Endpoint(
        "layout/<slug:page>/block/<str:key>/delete/",
        LAYOUT,
        methods=("POST",),
        mutates=True,
        path=_block("delete"),
        fuzz_path=lambda v: f"/layout/home/block/{v}/delete/",
    ),
    Endpoint(
        "layout/<slug:page>/publish/",
        LAYOUT,
        methods=("GET", "POST"),
        mutates=True,
        path=_layout("publish/"),
        fuzz_path=lambda v: f"/layout/{v}/publish/",
    ),
    Endpoint(
        "layout/<slug:page>/rebase/",
        LAYOUT,
        methods=("POST",),
        mutates=True,
        path=_layout("rebase/"),
    ),
    Endpoint(
        "layout/<slug:page>/discard/",
        LAYOUT,
        methods=("POST",),
        mutates=True,
        path=_layout("discard/"),
    ),
    Endpoint("layout/<slug:page>/revisions/", LAYOUT, path=_layout("revisions/")),
    Endpoint(
        "layout/<slug:page>/revisions/<int:pk>/restore/",
        LAYOUT,
        methods=("POST",),
        mutates=True,
        path=lambda w: f"/layout/home/revisions/{w.revision.pk}/restore/",
        fuzz_path=lambda v: f"/layout/home/revisions/{v}/restore/",
    ),
    Endpoint(
        "layout/<slug:page>/revisions/<int:pk>/",
        LAYOUT,
        path=lambda w: f"/layout/home/revisions/{w.revision.pk}/",
        fuzz_path=lambda v: f"/layout/home/revisions/{v}/",
    ),
    Endpoint(
        "layout/<slug:page>/device/",
        LAYOUT,
        methods=("POST",),
        mutates=True,
        path=_layout("device/"),
        params=("device",),
        data=lambda w: {"device": "phone"},
    ),
    # Preview links: only the draft's owner makes, refreshes and revokes them.
    Endpoint(
        "layout/<slug:page>/links/",
        LAYOUT,
        methods=("GET", "POST"),
        mutates=True,
        path=_layout("links/"),
        fuzz_path=lambda v: f"/layout/{v}/links/",
        params=("hours",),
        data=lambda w: {"hours": "24"},
    ),
    Endpoint(
        "layout/<slug:page>/links/<int:pk>/revoke/",
        LAYOUT,
        methods=("POST",),
        mutates=True,
        path=lambda w: f"/layout/home/links/{w.preview_link.pk}/revoke/",
        fuzz_path=lambda v: f"/layout/home/links/{v}/revoke/",
    ),
    Endpoint(
        "layout/<slug:page>/links/<int:pk>/refresh/",
        LAYOUT,
        methods=("POST",),
        mutates=True,
        path=lambda w: f"/layout/home/links/{w.preview_link.pk}/refresh/",
        fuzz_path=lambda v: f"/layout/home/links/{v}/refresh/",
    ),
    # The address a preview link opens: anyone holding it sees the snapshot (the draft heading
    # is the point of sharing it), a hostile or unknown token is a 404 page.
    Endpoint(
        "layout/preview/<str:token>/",
        "public",
        path=lambda w: f"/layout/preview/{w.preview_address}/",
        fuzz_path=lambda v: f"/layout/preview/{v}/",
    ),
    Endpoint(
        "layout/<slug:page>/schedules/",
        LAYOUT,
        methods=("GET", "POST"),
        mutates=True,
        path=_layout("schedules/"),
        fuzz_path=lambda v: f"/layout/{v}/schedules/",
        params=("run_at",),
        data=lambda w: {"run_at": in_three_days()},
        # The world's draft is already scheduled: a second schedule is refused with a message.
        expect={"POST staff_perm": (400,)},
    ),
    Endpoint(
        "layout/<slug:page>/schedules/<int:pk>/move/",
        LAYOUT,
        methods=("POST",),
        mutates=True,
        path=lambda w: f"/layout/home/schedules/{w.schedule.pk}/move/",
        fuzz_path=lambda v: f"/layout/home/schedules/{v}/move/",
        params=("run_at",),
        data=lambda w: {"run_at": in_three_days()},
    ),
    Endpoint(
        "layout/<slug:page>/schedules/<int:pk>/cancel/",
        LAYOUT,
        methods=("POST",),
        mutates=True,
        path=lambda w: f"/layout/home/schedules/{w.schedule.pk}/cancel/",
        fuzz_path=lambda v: f"/layout/home/schedules/{v}/cancel/",
    ),
    # pages: SEO files and the CMS catch-all
    Endpoint(
        "sitemap.xml",
        "public",
        path=lambda w: "/sitemap.xml",
        private_text=lambda w: w.page_draft.slug,
        private_to=(),
    ),
    Endpoint(
        "sitemap-<section>.xml",
        "public",
        path=lambda w: "/sitemap-pages.xml",
        fuzz_path=lambda v: f"/sitemap-{v}.xml",
        params=("p",),
        private_text=lambda w: w.page_draft.slug,
        private_to=(),
    ),
    Endpoint("robots.txt", "public", path=lambda w: "/robots.txt"),
    Endpoint("favicon.ico", "public", path=lambda w: "/favicon.ico"),
    Endpoint(
        "<pagepath:slug>/",
        "public",
        variant="published",
        path=lambda w: w.page_live.get_absolute_url(),
    ),
    Endpoint(
        "<pagepath:slug>/",
        "staff:pages.view_dynamicpage",
        variant="draft",
        path=lambda w: w.page_draft.get_absolute_url(),
        fuzz_path=lambda v: f"/{v}/",
        # A draft page does not exist for anyone else: 404, never a login prompt.
        expect={role: (404,) for role in ("anonymous", "shopper_a", "shopper_b")},
        private_text=lambda w: DRAFT_PAGE_BODY,
    ),
    Endpoint("^media/(?P<path>.*)$", "internal"),
]

# The URL namespace of django.contrib.admin's site, which checks staff status and model
# permissions itself; the access test samples it separately. Any other view, even one mounted
# under /admin/, must be declared.
ADMIN_NAMESPACE = "admin"


def by_route() -> dict[str, list[Endpoint]]:
    routes: dict[str, list[Endpoint]] = {}
    for endpoint in ENDPOINTS:
        routes.setdefault(endpoint.route, []).append(endpoint)
    return routes
