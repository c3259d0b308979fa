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
from .selectors import SESSION_CART_COUNT, SESSION_CART_ID


class CartError(Exception):
    """A request the shopper can fix; `str(error)` is shown to them."""


@dataclass(frozen=True)
class Change:
    line: CartLine | None
    message: str
    level: str = "success"
    product: Any = None
    count: int | None = None  # the cart's item count after the change, when it is known


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


def add_to_cart(request: HttpRequest, product: Any, wanted: int) -> Change:
    """Add `wanted` units of a variant from variant_to_add() to the request's cart (made on the
    first add), capped by stock with a message saying so. The line is written by one conditional
    upsert (no read-then-write race between two tabs of one cart) that also returns the new item
    count for the badge."""
    limit = min(product.stock_total, MAX_LINE_QUANTITY)
    first = min(wanted, limit)
    user = request.user if request.user.is_authenticated else None
    added = None
    if user is not None:
        added = _add_line(_USER_CART, user.pk, product.pk, first, limit)
    elif request.session.session_key and (cart_id := request.session.get(SESSION_CART_ID)):
        added = _add_line(_ANONYMOUS_CART, cart_id, product.pk, first, limit)
    if added is None:  # no cart yet, or the session's cart is gone (merged at a login)
        added = _add_line(_CART, _new_cart(request, user).pk, product.pk, first, limit)
    cart_id, line_id, quantity, count = added
    line = CartLine(pk=line_id, cart_id=cart_id, variant_id=product.pk, quantity=quantity)
    if quantity >= limit and limit == product.stock_total:
        return Change(
            line,
            f"Only {product.stock_total} of {product.name} left: your cart has {quantity}.",
            "warning",
            product,
            count,
        )
    return Change(
        line, f"Added {product.name} to your cart (now {quantity}).", product=product, count=count
    )


def _new_cart(request: HttpRequest, user: AbstractBaseUser | None) -> Cart:
    if user is not None:
        cart, _ = Cart.objects.get_or_create(user=user)
        return cart
    cart = Cart.objects.create()
    request.session[SESSION_CART_ID] = cart.pk
    return cart


# Which cart an add goes to, as a condition on the cart table with one parameter.
_USER_CART = "user_id = %s"
_ANONYMOUS_CART = "id = %s AND user_id IS NULL"
_CART = "id = %s"

# On PostgreSQL one statement, one round trip: find the cart, upsert the line unless it already
# holds the limit (then nothing is written: no row lock, no WAL, no commit to flush), and count
# the cart: the other lines (the statement's snapshot) plus this line as written.
_ADD_LINE = """
WITH cart AS (SELECT id FROM {carts} WHERE {where}),
line AS (
    SELECT l.id, l.quantity FROM {lines} l JOIN cart ON l.cart_id = cart.id
    WHERE l.variant_id = %s
),
upsert AS (
    INSERT INTO {lines} AS l (cart_id, variant_id, quantity, added_at)
    SELECT cart.id, %s, %s, %s FROM cart
    WHERE NOT EXISTS (SELECT 1 FROM line WHERE line.quantity = %s)
    ON CONFLICT (cart_id, variant_id) DO UPDATE
    SET quantity = LEAST(l.quantity + EXCLUDED.quantity, %s)
    RETURNING l.id, l.quantity
)
SELECT cart.id, COALESCE(upsert.id, line.id), COALESCE(upsert.quantity, line.quantity),
    COALESCE(upsert.quantity, line.quantity) + (
        SELECT COALESCE(SUM(o.quantity), 0) FROM {lines} o
        WHERE o.cart_id = cart.id AND o.variant_id <> %s
    )
FROM cart LEFT JOIN upsert ON TRUE LEFT JOIN line ON TRUE
"""


def _add_line(
    where: str, key: object, variant_id: int, first: int, limit: int
) -> tuple[int, int, int, int] | None:
    """(cart id, line id, line quantity, cart item count) after adding `first` units (at most
    `limit` in the line) to the cart `where` selects, or None when there is no such cart."""
    carts = connection.ops.quote_name(Cart._meta.db_table)
    lines = connection.ops.quote_name(CartLine._meta.db_table)
    now = timezone.now()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                _ADD_LINE.format(carts=carts, lines=lines, where=where),
                [key, variant_id, variant_id, first, now, limit, limit, variant_id],
            )
            return cursor.fetchone()
        # Elsewhere (SQLite, the embedded default) the same in three statements.
        with transaction.atomic():
            cursor.execute(f"SELECT id FROM {carts} WHERE {where}", [key])
            cart = cursor.fetchone()
            if cart is None:
                return None
            cursor.execute(
                f"INSERT INTO {lines} (cart_id, variant_id, quantity, added_at) "
                f"VALUES (%s, %s, %s, %s) "
                f"ON CONFLICT (cart_id, variant_id) DO UPDATE "
                f"SET quantity = MIN({lines}.quantity + EXCLUDED.quantity, %s) "
                f"RETURNING id, quantity",
                [cart[0], variant_id, first, now, limit],
            )
            line_id, quantity = cursor.fetchone()
            cursor.execute(
                f"SELECT COALESCE(SUM(quantity), 0) FROM {lines} WHERE cart_id = %s", cart
            )
            return cart[0], line_id, quantity, cursor.fetchone()[0]


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
