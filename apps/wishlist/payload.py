"""Validation of what browsers send: the merge payload and the anonymous preview's item list.

Nothing here touches the database. Anything malformed at the top level raises PayloadError (a
4xx for the view); a bad individual item is skipped with a reason so the rest still merges.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

# Far more than anyone hearts by hand; the script refuses to store more than this too.
MAX_ITEMS = 200
# Bytes: 200 items of {"productId":…,"priceSnapshot":…,"addedAt":…} fit in well under 32 KiB.
MAX_BODY_BYTES = 64 * 1024
MAX_PRODUCT_ID = 2**63 - 1
# No price in this shop comes anywhere near this: larger claims are treated as garbage.
MAX_PRICE = Decimal("9999999999.99")


class PayloadError(ValueError):
    """The request as a whole is unusable; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True, slots=True)
class ClientItem:
    product_id: int
    # None when the browser sent no usable number: the server's price is used instead.
    price_snapshot: Decimal | None
    # None when missing or unreadable: "now" is used instead.
    added_at: datetime | None


@dataclass(frozen=True, slots=True)
class Skipped:
    product_id: object
    reason: str

    def as_dict(self) -> dict:
        pid = self.product_id if isinstance(self.product_id, int | str) else None
        return {"productId": pid, "reason": self.reason}


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number")


def parse_product_id(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        value = int(value)
    if isinstance(value, int) and 0 < value <= MAX_PRODUCT_ID:
        return value
    return None


def parse_price(value: object) -> Decimal | None:
    """A non-negative amount with at most two decimals and a sane size, else None."""
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        return None
    if isinstance(value, str) and len(value) > 20:
        return None
    try:
        price = Decimal(value) if not isinstance(value, str) else Decimal(value.strip())
    except InvalidOperation:
        return None
    if not price.is_finite() or price < 0 or price > MAX_PRICE:
        return None
    if price != price.quantize(Decimal("0.01")):
        return None
    return abs(price.quantize(Decimal("0.01")))  # abs(): no "-0.00"


def parse_added_at(value: object) -> datetime | None:
    """Epoch milliseconds (what Date.now() gives) or an ISO 8601 string, as an aware datetime."""
    try:
        if isinstance(value, int) and not isinstance(value, bool):
            return datetime.fromtimestamp(value / 1000, tz=UTC)
        if isinstance(value, str) and len(value) <= 40:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return None


def parse_merge_body(body: bytes) -> tuple[list[ClientItem], list[Skipped]]:
    """`{"items": [{"productId": 1, "priceSnapshot": "19.99", "addedAt": 1700000000000}, …]}`.

    Only these three keys are read: anything else in the payload (a "userId", say) is ignored,
    because whose wishlist it is comes from the session alone.
    """
    if len(body) > MAX_BODY_BYTES:
        raise PayloadError("That wishlist is too large to merge at once.", status=413)
    try:
        data = json.loads(body, parse_float=Decimal, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise PayloadError("The wishlist could not be read (malformed JSON).") from exc
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise PayloadError('Expected a JSON object with an "items" list.')
    raw_items = data["items"]
    if len(raw_items) > MAX_ITEMS:
        raise PayloadError(f"At most {MAX_ITEMS} wishlist items can be merged at once.", status=413)
    items: dict[int, ClientItem] = {}
    skipped: list[Skipped] = []
    for raw in raw_items:
        if not isinstance(raw, dict):
            skipped.append(Skipped(None, "invalid"))
            continue
        product_id = parse_product_id(raw.get("productId"))
        if product_id is None:
            skipped.append(Skipped(raw.get("productId"), "invalid"))
            continue
        item = ClientItem(
            product_id=product_id,
            price_snapshot=parse_price(raw.get("priceSnapshot")),
            added_at=parse_added_at(raw.get("addedAt")),
        )
        previous = items.get(product_id)
        # The same product twice in one payload: the earliest save wins, as in the database.
        if previous is None or _earlier(item.added_at, previous.added_at):
            items[product_id] = item
    return list(items.values()), skipped


def _earlier(a: datetime | None, b: datetime | None) -> bool:
    return a is not None and (b is None or a < b)


def parse_preview_items(values: list[str]) -> list[tuple[int, Decimal | None]]:
    """`?i=12:19.99&i=15:5.00` from the anonymous wishlist page: ids with their saved price."""
    parsed: dict[int, Decimal | None] = {}
    for value in values[:MAX_ITEMS]:
        raw_id, _, raw_price = value.partition(":")
        product_id = parse_product_id(raw_id.strip())
        if product_id is not None and product_id not in parsed:
            parsed[product_id] = parse_price(raw_price) if raw_price else None
    return list(parsed.items())
