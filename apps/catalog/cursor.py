"""Keyset cursors for "load more": the position after the last card shown, as an opaque token.

A cursor is (ordering, sort value, pk) of the last card. The next page is then the rows
`WHERE (sort value, pk) > (cursor)` in that ordering: an index range scan however deep the
shopper has scrolled, and stable when products are added or removed in between (an OFFSET
would repeat or skip cards).

The token is signed (django.core.signing, its own salt): the shopper cannot forge a position,
so a cursor is one the shop itself issued and a URL carrying it may share the fragment cache.
Decoding still checks every type and bound: a token signed under an old SECRET_KEY fallback, or
a bug, must not reach the database as a wrong type (a 500). Any failure is `InvalidCursor`; the
view answers it with a 400 for htmx "load more" and with the numbered page otherwise.

Relevance (search) has no cursor: its key is a computed float rank that no index orders, so
search pages stay on OFFSET (the matches of a search are few and ranked in full anyway).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core import signing

SALT = "catalog.cursor"
MAX_TOKEN_LENGTH = 600
MAX_PK = 2**63 - 1
MAX_PRICE = Decimal("9999999999.99")  # Product.current_price: max_digits=12, decimal_places=2
MAX_NAME_LENGTH = 200  # Product.name
# The orderings that can be paged by cursor, and the Product field each one sorts by.
KEYSET_FIELDS: dict[str, str] = {
    "price_asc": "current_price",
    "price_desc": "current_price",
    "newest": "created_at",
    "name": "name",
}


class InvalidCursor(ValueError):
    """A token that is not a cursor the shop issued for this ordering."""


@dataclass(frozen=True)
class Cursor:
    ordering: str  # a key of KEYSET_FIELDS
    value: Decimal | datetime.datetime | str
    pk: int


def encode(cursor: Cursor) -> str:
    """The token for a cursor. Deterministic: the same card gives the same URL (cache keys)."""
    value = (
        cursor.value.isoformat() if isinstance(cursor.value, datetime.datetime) else cursor.value
    )
    return signing.dumps([cursor.ordering, str(value), cursor.pk], salt=SALT)


def decode(token: str, ordering: str) -> Cursor:
    """The cursor in `token`, which must have been issued for `ordering`."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidCursor("Not a position in this list.")
    try:
        payload = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, UnicodeError) as error:
        raise InvalidCursor("Not a position in this list.") from error
    if not (isinstance(payload, list) and len(payload) == 3):
        raise InvalidCursor("Not a position in this list.")
    name, raw, pk = payload
    if name not in KEYSET_FIELDS or not isinstance(raw, str):
        raise InvalidCursor("Not a position in this list.")
    if name != ordering:
        raise InvalidCursor("This position belongs to another sort order.")
    if type(pk) is not int or not 0 < pk <= MAX_PK:
        raise InvalidCursor("Not a position in this list.")
    return Cursor(ordering=name, value=_parse_value(KEYSET_FIELDS[name], raw), pk=pk)


def _parse_value(field: str, raw: str) -> Decimal | datetime.datetime | str:
    if field == "current_price":
        try:
            price = Decimal(raw)
        except InvalidOperation as error:
            raise InvalidCursor("Not a position in this list.") from error
        if not price.is_finite() or not 0 <= price <= MAX_PRICE or price != round(price, 2):
            raise InvalidCursor("Not a position in this list.")
        return price
    if field == "created_at":
        try:
            moment = datetime.datetime.fromisoformat(raw)
        except ValueError as error:
            raise InvalidCursor("Not a position in this list.") from error
        if moment.tzinfo is None:
            raise InvalidCursor("Not a position in this list.")
        return moment
    if len(raw) > MAX_NAME_LENGTH or "\x00" in raw:
        raise InvalidCursor("Not a position in this list.")
    return raw
