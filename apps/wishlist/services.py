"""Wishlist writes: merging a browser's list into an account, hearts, and the snapshot policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.catalog.products import ProductState, product_states, variant_states

from .models import AlertOptOut, WishlistItem
from .payload import ClientItem, Skipped

# Snapshot trust policy. The browser's priceSnapshot is only a claim: it lives in localStorage
# where anyone can edit it, and it drives the "price dropped" badge and the alert e-mails. We
# have no price history to check it against, so a claimed snapshot is TRUSTED only when it is a
# well-formed amount (>= 0, two decimals, see payload.parse_price) AND lies within a factor of
# SNAPSHOT_BAND of the server's current price, which covers real sales and price rises. Anything
# else (missing, negative, "1e9", a 100x "drop") is replaced by the SERVER's current price at the
# moment of the merge, and the item is marked snapshot_source=server. Signed-in hearts always
# take the server's price.
SNAPSHOT_BAND = Decimal(5)


def trusted_snapshot(claimed: Decimal | None, current_price: Decimal) -> Decimal | None:
    """The claimed snapshot if the policy above trusts it, else None (use the server's price)."""
    if claimed is None or claimed < 0:
        return None
    if current_price == 0:
        return claimed if claimed == 0 else None
    if current_price / SNAPSHOT_BAND <= claimed <= current_price * SNAPSHOT_BAND:
        return claimed
    return None


def _clamp_added_at(added_at: datetime | None, state: ProductState, now: datetime) -> datetime:
    """Nobody saved a product before it existed or in the future; unreadable means now."""
    if added_at is None or added_at > now:
        return now
    return max(added_at, state.created_at)


@dataclass
class MergeResult:
    added: list[int] = field(default_factory=list)
    already_saved: list[int] = field(default_factory=list)
    # Saved, but with the server's price because the browser's snapshot was not trustworthy.
    server_priced: list[int] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    count: int = 0

    def as_dict(self) -> dict:
        return {
            "added": self.added,
            "alreadySaved": self.already_saved,
            "serverPriced": self.server_priced,
            "skipped": [s.as_dict() for s in self.skipped],
            "count": self.count,
        }


def ids_cache_key(user_id: int) -> str:
    return f"wishlist:ids:{user_id}"


def forget_saved_ids(user_id: int) -> None:
    """Drop the cached ids behind hearts and the counter, now and again after commit."""
    cache.delete(ids_cache_key(user_id))
    transaction.on_commit(lambda: cache.delete(ids_cache_key(user_id)))


def merge(user: AbstractBaseUser, items: list[ClientItem]) -> MergeResult:
    """Store a browser's wishlist in the account, idempotently.

    Same payload twice, two tabs at once, a retry after a lost response: the unique constraint
    on (user, product) plus get_or_create keep one row per product, and an existing row is only
    replaced by a strictly earlier save (a conditional UPDATE, so racing merges cannot undo
    each other). Rows are written in product-id order so concurrent merges never deadlock.
    """
    now = timezone.now()
    for attempt in range(3):
        result = MergeResult()
        # Read inside the retry: a product deleted since the last attempt is skipped this time.
        states = product_states(item.product_id for item in items)
        accepted: list[tuple[ClientItem, ProductState, Decimal | None]] = []
        for item in items:
            state = states.get(item.product_id)
            if state is None or not state.is_active:
                result.skipped.append(Skipped(item.product_id, "unavailable"))
                continue
            trusted = trusted_snapshot(item.price_snapshot, state.current_price)
            accepted.append((item, state, trusted))
        accepted.sort(key=lambda entry: entry[0].product_id)
        try:
            with transaction.atomic():
                added, already = _merge_rows(user, accepted, now)
            break
        except IntegrityError:
            # get_or_create already recovers from a concurrent insert of the same row; this
            # covers the rest of the race: a product deleted between the read above and the
            # COMMIT (PostgreSQL checks the deferred foreign key there).
            if attempt == 2:
                raise
    forget_saved_ids(user.pk)
    result.added, result.already_saved = added, already
    result.server_priced = [item.product_id for item, _, trusted in accepted if trusted is None]
    result.count = WishlistItem.objects.filter(user=user).count()
    return result


def _merge_rows(
    user: AbstractBaseUser,
    accepted: list[tuple[ClientItem, ProductState, Decimal | None]],
    now: datetime,
) -> tuple[list[int], list[int]]:
    added: list[int] = []
    already: list[int] = []
    # One query for the rows this account already has: a retried merge costs no per-item reads.
    existing = dict(
        WishlistItem.objects.filter(
            user=user, product_id__in=[item.product_id for item, _, _ in accepted]
        ).values_list("product_id", "added_at")
    )
    for item, state, trusted in accepted:
        snapshot = trusted if trusted is not None else state.current_price
        source = (
            WishlistItem.SnapshotSource.CLIENT
            if trusted is not None
            else WishlistItem.SnapshotSource.SERVER
        )
        added_at = _clamp_added_at(item.added_at, state, now)
        if item.product_id in existing:
            created = False
        else:
            # get_or_create recovers from the race where a concurrent merge inserts the same
            # row between our read and our insert (IntegrityError inside a savepoint, re-get).
            _, created = WishlistItem.objects.get_or_create(
                user=user,
                product_id=item.product_id,
                defaults={
                    "price_snapshot": snapshot,
                    "snapshot_source": source,
                    "added_at": added_at,
                    "in_stock_at_save": state.in_stock,
                    "stock_seen": state.in_stock,
                },
            )
        if created:
            added.append(item.product_id)
            continue
        already.append(item.product_id)
        stored_at = existing.get(item.product_id)
        if stored_at is None or added_at < stored_at:
            # Earliest snapshot kept: only a strictly earlier save replaces the stored one, and
            # the condition is re-checked in the UPDATE itself so racing merges cannot undo it.
            WishlistItem.objects.filter(
                user=user, product_id=item.product_id, added_at__gt=added_at
            ).update(price_snapshot=snapshot, snapshot_source=source, added_at=added_at)
    return added, already


class ProductUnavailable(Exception):
    """The product does not exist or is not for sale: it cannot be hearted."""


def set_saved(
    user: AbstractBaseUser, product_id: int, saved: bool, variant_id: object = None
) -> bool:
    """Heart (saved=True) or un-heart a product for a signed-in shopper; returns the new state.

    The form says which state it wants rather than "toggle", so a double click or a retried
    request lands in the same state instead of flipping twice. `variant_id` names the variant
    the shopper was looking at (a size): its price is the snapshot and alerts follow it; one
    that is not a variant of this product is ignored.
    """
    forget_saved_ids(user.pk)
    if not saved:
        WishlistItem.objects.filter(user=user, product_id=product_id).delete()
        return False
    state = product_states([product_id]).get(product_id)
    if state is None or not state.is_active:
        raise ProductUnavailable(product_id)
    seen = None
    if str(variant_id or "").isdigit() and int(variant_id) < 2**63:
        seen = variant_states([int(variant_id)]).get(int(variant_id))
        if seen is not None and (seen.pk != product_id or not seen.is_active):
            seen = None
    WishlistItem.objects.get_or_create(
        user=user,
        product_id=product_id,
        defaults={
            "variant_id": int(variant_id) if seen else None,
            "price_snapshot": (seen or state).current_price,
            "snapshot_source": WishlistItem.SnapshotSource.SERVER,
            "in_stock_at_save": (seen or state).in_stock,
            "stock_seen": (seen or state).in_stock,
        },
    )
    return True


def opt_out_of_alerts(user_id: int) -> bool:
    """Stop alert e-mails for this user; idempotent. False if the account no longer exists."""
    if not get_user_model().objects.filter(pk=user_id).exists():
        return False
    try:
        AlertOptOut.objects.get_or_create(user_id=user_id)
    except IntegrityError:  # the account was deleted in between
        return False
    return True
