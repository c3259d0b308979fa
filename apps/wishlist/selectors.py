"""Wishlist reads: the ids behind the hearts and counter, and the rows of the wishlist page."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache

from apps.catalog.models import Product
from apps.catalog.products import sizes_in_stock
from apps.catalog.selectors import products_by_ids

from .models import WishlistItem
from .services import ids_cache_key, trusted_snapshot


def saved_product_ids(user: AbstractBaseUser) -> frozenset[int]:
    """Ids of the products a signed-in shopper has saved: cached per user (every page shows
    the counter), one query on a miss; services drop the entry on every change."""
    if not user.is_authenticated:
        return frozenset()
    key = ids_cache_key(user.pk)
    ids = cache.get(key)
    if ids is None:
        ids = frozenset(
            WishlistItem.objects.filter(user=user).order_by().values_list("product_id", flat=True)
        )
        cache.set(key, ids, 3600)
    return ids


@dataclass(frozen=True, slots=True)
class WishlistRow:
    """One line of the wishlist page. `product` is a card product (with stock_total and
    primary_images) when it is still for sale, else the bare product for its name."""

    product: Product
    available: bool
    saved_price: Decimal | None
    price_dropped: bool
    back_in_stock: bool
    sizes: tuple[str, ...] = ()  # option labels in stock ("42", "Red / M") for products in options

    @property
    def in_stock(self) -> bool:
        return self.available and self.product.stock_total > 0


def _row(
    product: Product,
    saved_price: Decimal | None,
    was_in_stock: bool | None,
    sizes: list[str] | None = None,
) -> WishlistRow:
    in_stock = product.stock_total > 0
    return WishlistRow(
        product=product,
        available=True,
        saved_price=saved_price,
        price_dropped=saved_price is not None and product.current_price < saved_price,
        back_in_stock=was_in_stock is False and in_stock,
        sizes=tuple(sizes or ()),
    )


def wishlist_rows(user: AbstractBaseUser) -> list[WishlistRow]:
    """The signed-in wishlist, newest first, with the sizes each has in stock: four queries
    whatever its length."""
    items = list(WishlistItem.objects.filter(user=user).select_related("product"))
    cards = products_by_ids(item.product_id for item in items)
    sizes = sizes_in_stock(pid for pid, card in cards.items() if card.has_options)
    rows = []
    for item in items:
        card = cards.get(item.product_id)
        if card is None:
            rows.append(WishlistRow(item.product, False, item.price_snapshot, False, False))
        else:
            rows.append(_row(card, item.price_snapshot, item.in_stock_at_save, sizes.get(card.pk)))
    return rows


def preview_rows(items: list[tuple[int, Decimal | None]]) -> tuple[list[WishlistRow], int]:
    """Rows for an anonymous shopper's browser-held list; also how many are no longer sold.

    The saved prices come from the browser, so they are shown (and compared) only when the
    snapshot policy would trust them.
    """
    cards = products_by_ids(product_id for product_id, _ in items)
    rows = []
    for product_id, claimed in items:
        card = cards.get(product_id)
        if card is not None:
            rows.append(_row(card, trusted_snapshot(claimed, card.current_price), None))
    return rows, len(items) - len(rows)
