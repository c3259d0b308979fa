"""Cart writes: add, change, remove, coupon code, merge on login. Each validates its raw input
and raises CartError with a sentence for the shopper; nothing changes when it does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import Case, F, PositiveIntegerField, Q, Sum, When
from django.http import HttpRequest
from django.utils import timezone

from apps.catalog import products as catalog

from .models import MAX_LINE_QUANTITY, Cart, CartLine
from .selectors import SESSION_CART_COUNT, SESSION_CART_ID, cart_for_request


class CartError(Exception):
    """A request the shopper can fix; `str(error)` is shown to them."""


@dataclass(frozen=True)
class Change:
    line: CartLine | None
    message: str
    level: str = "success"
    product: Any = None


def parse_quantity(raw: object) -> int:
    try:
        quantity = int(str(raw).strip())
    except (TypeError, ValueError):
        raise CartError("Enter the quantity as a whole number, e.g. 1 or 2.") from None
    if quantity < 1:
        raise CartError("The quantity must be at least 1 (use Remove to take an item out).")
    if quantity > MAX_LINE_QUANTITY:
        raise CartError(f"You can buy at most {MAX_LINE_QUANTITY} of one item.")
    return quantity


def parse_id(raw: object, what: str) -> int:
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        raise CartError(f"That {what} does not exist.") from None
    if not 0 < value < 2**63:
        raise CartError(f"That {what} does not exist.")
    return value


def get_or_create_cart(request: HttpRequest) -> Cart:
    cart = cart_for_request(request)
    if cart is not None:
        return cart
    user = request.user if request.user.is_authenticated else None
    if user is not None:
        cart, _ = Cart.objects.get_or_create(user=user)
        return cart
    cart = Cart.objects.create()
    request.session[SESSION_CART_ID] = cart.pk
    return cart


def remember_count(request: HttpRequest, count: int) -> None:
    """Keep the badge count in the session so every page shows it without a query."""
    if request.session.get(SESSION_CART_COUNT) != count:
        request.session[SESSION_CART_COUNT] = count


def count_items(cart: Cart) -> int:
    return CartLine.objects.filter(cart=cart).aggregate(n=Sum("quantity"))["n"] or 0


def variant_to_add(variant_id: object, product_id: object, quantity: object) -> tuple[Any, int]:
    """Validate an add-to-cart request before any cart exists: (variant, quantity).

    A form names the variant; a product without options may be named by its product instead
    (its one variant is bought), one with options must have them chosen first.
    """
    wanted_variant = variant_id not in (None, "")
    key = parse_id(variant_id if wanted_variant else product_id, "product")
    wanted = parse_quantity(quantity)
    if wanted_variant:
        variant = catalog.sellable_variant(key)
    else:
        variant, count = catalog.only_variant(key)
        if variant is None and count > 1:
            raise CartError("Choose a size or colour on the product page first.")
    if variant is None:
        raise CartError("That product is no longer available.")
    if variant.stock_total <= 0:
        raise CartError(f"Sorry, {variant.name} is out of stock.")
    return variant, wanted


def add_variant(cart: Cart, product: Any, wanted: int) -> Change:
    """Add `wanted` units of a variant from variant_to_add(), capped by stock (with a message
    saying so), in one upsert: no read-then-write race between two tabs of one cart."""
    limit = min(product.stock_total, MAX_LINE_QUANTITY)
    table = connection.ops.quote_name(CartLine._meta.db_table)
    least = "LEAST" if connection.vendor == "postgresql" else "MIN"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (cart_id, variant_id, quantity, added_at) "
            f"VALUES (%s, %s, %s, %s) "
            f"ON CONFLICT (cart_id, variant_id) DO UPDATE "
            f"SET quantity = {least}({table}.quantity + EXCLUDED.quantity, %s) "
            f"RETURNING id, quantity",
            [cart.pk, product.pk, min(wanted, limit), timezone.now(), limit],
        )
        line_id, quantity = cursor.fetchone()
    line = CartLine(pk=line_id, cart=cart, variant_id=product.pk, quantity=quantity)
    if quantity >= limit and limit == product.stock_total:
        return Change(
            line,
            f"Only {product.stock_total} of {product.name} left: your cart has {quantity}.",
            "warning",
            product,
        )
    return Change(line, f"Added {product.name} to your cart (now {quantity}).", product=product)


def _line(cart: Cart, line_id: object) -> CartLine:
    lid = parse_id(line_id, "cart line")
    line = CartLine.objects.filter(pk=lid, cart=cart).first()
    if line is None:  # unknown, or another shopper's line: the same answer
        raise CartError("That item is not in your cart any more.")
    return line


def set_quantity(cart: Cart, line_id: object, quantity: object) -> Change:
    line = _line(cart, line_id)
    wanted = parse_quantity(quantity)
    product = catalog.live_variants([line.variant_id]).get(line.variant_id)
    if product is None or not product.is_active or product.stock_total <= 0:
        raise CartError("This product is no longer available: please remove it.")
    if wanted > product.stock_total:
        raise CartError(f"Only {product.stock_total} of {product.name} left.")
    line.quantity = wanted
    line.save(update_fields=["quantity"])
    return Change(line, f"{product.name}: quantity is now {wanted}.")


def remove_line(cart: Cart, line_id: object) -> Change:
    line = _line(cart, line_id)
    line.delete()
    return Change(None, "Item removed from your cart.")


def set_coupon_code(cart: Cart, code: str) -> None:
    cart.coupon_code = code
    cart.save(update_fields=["coupon_code", "updated_at"])


def clear_cart(cart_id: int, ordered: dict[int, int]) -> None:
    """Take what was ordered ({variant_id: quantity}) out of the cart after a paid order, and
    the used coupon code. Lines added while the gateway was charging (another tab) stay, and so
    do units added to an ordered line in the meantime. Two conditional statements, no read."""
    if ordered:
        lines = CartLine.objects.filter(cart_id=cart_id)
        fully = Q()
        for variant_id, quantity in ordered.items():
            fully |= Q(variant_id=variant_id, quantity__lte=quantity)
        lines.filter(fully).delete()
        lines.filter(variant_id__in=ordered).update(
            quantity=Case(
                *(When(variant_id=vid, then=F("quantity") - qty) for vid, qty in ordered.items()),
                default=F("quantity"),
                output_field=PositiveIntegerField(),
            )
        )
    Cart.objects.filter(pk=cart_id).exclude(coupon_code="").update(coupon_code="")


@transaction.atomic
def merge_anonymous_cart(anonymous: Cart, user: AbstractBaseUser) -> list[str]:
    """Move the anonymous cart's lines into the user's cart; say what changed, line by line.

    Quantities add up, capped by stock; an unavailable product is dropped with a note.
    """
    user_cart = Cart.objects.select_for_update().filter(user=user).first()
    if user_cart is None:
        anonymous.user = user
        anonymous.save(update_fields=["user", "updated_at"])
        return []
    incoming = list(CartLine.objects.filter(cart=anonymous))
    existing = {line.variant_id: line for line in CartLine.objects.filter(cart=user_cart)}
    products = catalog.live_variants(line.variant_id for line in incoming)
    notes: list[str] = []
    for line in incoming:
        product = products.get(line.variant_id)
        if product is None or not product.is_active or product.stock_total <= 0:
            name = product.name if product else "A product"
            notes.append(f"{name} is no longer available and was not added.")
            continue
        limit = min(product.stock_total, MAX_LINE_QUANTITY)
        mine = existing.get(line.variant_id)
        if mine is None:
            CartLine.objects.create(
                cart=user_cart, variant_id=line.variant_id, quantity=min(line.quantity, limit)
            )
            notes.append(f"Added {min(line.quantity, limit)} × {product.name}.")
        else:
            wanted = mine.quantity + line.quantity
            new_quantity = min(wanted, limit)
            if new_quantity != mine.quantity:
                mine.quantity = new_quantity
                mine.save(update_fields=["quantity"])
            capped = " (all we have)" if new_quantity == product.stock_total < wanted else ""
            notes.append(f"{product.name}: now {new_quantity}{capped}.")
    if anonymous.coupon_code and not user_cart.coupon_code:
        set_coupon_code(user_cart, anonymous.coupon_code)
        notes.append(f"Coupon {anonymous.coupon_code} kept.")
    anonymous.delete()
    return notes
