"""The `world` every security test runs in: five roles and one real object behind every endpoint.

Shopper A owns a cart line, a placed order, a wishlist item and an alert opt-out link; shopper B
has a cart of their own (so "someone else's line" is a real line, not a missing one); staff_perm
is a marketer with exactly the permissions the shop's staff tools check, and has a layout draft
with text nobody else may see; staff_plain is staff with no permission at all.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.db import transaction
from django.test import Client
from django.utils import timezone

from apps.accounts.models import Address
from apps.cart.models import Cart, CartLine
from apps.checkout import services as checkout_services
from apps.layout import scheduling, sharing
from apps.layout import selectors as layout_selectors
from apps.layout import services as layout_services
from apps.wishlist import services as wishlist_services
from apps.wishlist.tokens import make_opt_out_token
from tests.checkout.factories import ADDRESS, CouponFactory, card_token, cart_with, reviewed
from tests.factories import ProductFactory, StaffFactory, UserFactory, variant_of
from tests.layout.factories import banner, hero, publish_home, rich
from tests.pages.factories import PageFactory

# Texts that exist in exactly one private place; the access matrix looks for them in bodies.
ORDER_NAME = "Alice Ordername-Private"
CART_LINE_NAME = "Alice private cart teapot"
B_CART_LINE_NAME = "Bob private cart kettle"
WISH_NAME = "Alice private wished clock"
ADDRESS_NAME = "Alice Savedaddress-Private"
DRAFT_HEADING = "Draft secret heading"
DRAFT_PROSE = "Draft secret prose"
DRAFT_PAGE_BODY = "Unpublished launch body"

# What a marketer needs, and nothing more: the layout tools check the first, page previews
# the second (apps/layout/context.py PERMISSION, apps/pages/selectors.py can_preview).
STAFF_PERMISSIONS = (("layout", "change_layoutblock"), ("pages", "view_dynamicpage"))


@dataclass
class World:
    users: dict[str, Any]
    product: Any
    cart_line_a: Any
    cart_line_b: Any
    order: Any
    wish_product: Any
    opt_out_token: str
    page_live: Any
    page_draft: Any
    hero_key: str
    block_keys: dict[str, str]  # a published block's key per type
    draft_key: str
    revision: Any
    address_a: Any = None  # a saved address in shopper A's book (not the default)
    # The marketer's preview link to their draft (and its signed address) and pending schedule.
    preview_link: Any = None
    preview_address: str = ""
    schedule: Any = None


def _marketer() -> Any:
    user = StaffFactory(username="staff-perm")
    for app_label, codename in STAFF_PERMISSIONS:
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


def _placed_order(user: Any) -> Any:
    """A real, paid order through the checkout service, as the review step would place it."""
    product = ProductFactory(name="Alice ordered vase")
    cart = cart_with((product, 1), user=user)
    result = checkout_services.complete_checkout(
        cart_id=cart.pk,
        token=uuid.uuid4(),
        details={**ADDRESS, "full_name": ORDER_NAME},
        shipping_method="standard",
        reviewed=reviewed(cart, user=user),
        payment_token=card_token(),
        card_last4="4242",
        user=user,
    )
    assert result.created and result.order.status == result.order.Status.PAID
    return result.order


def build_world() -> World:
    shopper_a = UserFactory(username="shopper-a", first_name="Alice")
    shopper_b = UserFactory(username="shopper-b", first_name="Bob")
    staff_perm = _marketer()
    users = {
        "anonymous": None,
        "shopper_a": shopper_a,
        "shopper_b": shopper_b,
        "staff_plain": StaffFactory(username="staff-plain"),
        "staff_perm": staff_perm,
    }
    product = ProductFactory(name="Visible lamp")
    order = _placed_order(shopper_a)
    cart_a, _ = Cart.objects.get_or_create(user=shopper_a)
    line_a = CartLine.objects.create(
        cart=cart_a, variant=variant_of(ProductFactory(name=CART_LINE_NAME)), quantity=1
    )
    line_b = cart_with((ProductFactory(name=B_CART_LINE_NAME), 1), user=shopper_b).lines.get()
    CouponFactory(code="SAVE10")
    wish_product = ProductFactory(name=WISH_NAME)
    wishlist_services.set_saved(shopper_a, wish_product.pk, True)

    revision = publish_home(
        ("hero", hero("Live heading")),
        ("main", rich("<p>Live prose</p>")),
        ("main", banner("Live banner")),
    )
    published = layout_selectors.published_states("home")
    hero_block = next(s for s in published if s.type == "hero")
    layout_services.set_fields(
        staff_perm, "home", hero_block.key, {"content": {"heading": DRAFT_HEADING}}
    )
    draft_key = layout_services.insert_block(
        staff_perm, "home:main", 0, "rich_text", {"html": f"<p>{DRAFT_PROSE}</p>"}
    )
    link = sharing.create_link(staff_perm, "home", 24)
    pending = scheduling.schedule(staff_perm, "home", timezone.now() + timedelta(days=2))
    return World(
        preview_link=link,
        preview_address=sharing.address(link),
        schedule=pending,
        users=users,
        product=product,
        cart_line_a=line_a,
        cart_line_b=line_b,
        order=order,
        wish_product=wish_product,
        opt_out_token=make_opt_out_token(shopper_a.pk),
        page_live=PageFactory(slug="about-us", title="About us", body="<p>Live about body</p>"),
        page_draft=PageFactory(
            slug="secret-launch",
            title="Secret launch",
            body=f"<p>{DRAFT_PAGE_BODY}</p>",
            is_published=False,
        ),
        hero_key=hero_block.key,
        block_keys={state.type: state.key for state in published},
        draft_key=draft_key,
        revision=revision,
        address_a=Address.objects.create(
            user=shopper_a,
            full_name=ADDRESS_NAME,
            address_line1="3 Private Lane",
            postal_code="10115",
            city="Berlin",
            country="DE",
        ),
    )


@pytest.fixture(scope="module")
def _module_world(django_db_setup, django_db_blocker):
    """Built once per module inside a transaction that is rolled back at the module's end.

    Each test runs in a savepoint inside it (pytest-django's `db`), so tests stay isolated while
    the ~40 objects are created 1 time instead of ~450 times. Nothing is ever committed.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def world(_module_world, db) -> World:
    return _module_world


def client_for(
    world: World, role: str, *, enforce_csrf: bool = False, endpoint: Any = None
) -> Client:
    """A client signed in as `role`, whose session asks for the layout draft view.

    Asking is not being allowed: only a user with the layout permission may ever get the draft,
    so every role carries the same session flag and the matrix proves the view decides. An
    endpoint that is reached part-way through a flow (a later checkout step) puts what the earlier
    steps stored into the session too, for every role alike.
    """
    client = Client(enforce_csrf_checks=enforce_csrf)
    user = world.users[role]
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session["layout_mode"] = "draft"
    if endpoint is not None and endpoint.session is not None:
        session.update(endpoint.session(world))
    session.save()
    return client
