"""Stock: levels, locking, allocation and restock, for every app that reads or takes stock.

Stock is held per variant and warehouse. The one stock-total subquery lives here
(`stock_total`); listing, cards, the product page, the cart and checkout all use it.

Writes run inside the caller's transaction on rows locked by `lock_stock` in primary-key order
(one fixed order for every transaction, so two checkouts never wait on each other in a cycle),
and are written back in one UPDATE whatever the number of lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from django.db import transaction
from django.db.models import Exists, OuterRef, Sum
from django.db.models.functions import Coalesce

from .models import Stock, Variant


def stock_total(of: str = "variant") -> Coalesce:
    """Units across warehouses, as a subquery: of a variant (outer row is a Variant) or of a
    product's active variants (outer row is a Product)."""
    if of == "product":
        rows = Stock.objects.filter(
            variant__product=OuterRef("pk"), variant__status=Variant.Status.ACTIVE
        ).values("variant__product")
    else:
        rows = Stock.objects.filter(variant=OuterRef("pk")).values("variant")
    return Coalesce(rows.annotate(total=Sum("quantity")).values("total"), 0)


def variant_in_stock() -> Exists:
    """For a Variant queryset: some warehouse holds at least one unit."""
    return Exists(Stock.objects.filter(variant=OuterRef("pk"), quantity__gt=0))


def lock_stock(variant_ids: Iterable[int]) -> list[Stock]:
    """Lock every stock row of these variants in primary-key order. Call inside atomic()."""
    ids = sorted({int(i) for i in variant_ids})
    if not ids:
        return []
    return list(Stock.objects.filter(variant_id__in=ids).order_by("pk").select_for_update())


class InsufficientStock(Exception):
    """Raised with {variant_id: units available} for every variant that cannot be served."""

    def __init__(self, shortages: dict[int, int]) -> None:
        super().__init__(f"insufficient stock: {shortages}")
        self.shortages = shortages


class _Sellable(Protocol):
    primary_warehouse_id: int | None


def allocate(
    locked_rows: list[Stock], wanted: dict[int, int], variants: dict[int, _Sellable]
) -> dict[int, list[list[int]]]:
    """Take `wanted[variant_id]` units from the locked rows, the product's primary warehouse
    first. Returns {variant_id: [[stock_id, quantity], ...]}. Raises InsufficientStock (and
    writes nothing) if any variant lacks units."""
    rows_by_variant: dict[int, list[Stock]] = {}
    for row in locked_rows:
        rows_by_variant.setdefault(row.variant_id, []).append(row)
    available = {vid: sum(r.quantity for r in rows_by_variant.get(vid, [])) for vid in wanted}
    shortages = {vid: available[vid] for vid, qty in wanted.items() if available[vid] < qty}
    if shortages:
        raise InsufficientStock(shortages)
    allocations: dict[int, list[list[int]]] = {}
    changed: list[Stock] = []
    for vid, quantity in wanted.items():
        primary = variants[vid].primary_warehouse_id if vid in variants else None
        rows = sorted(rows_by_variant[vid], key=lambda r: (r.warehouse_id != primary, r.pk))
        remaining = quantity
        for row in rows:
            if remaining == 0:
                break
            take = min(row.quantity, remaining)
            if take == 0:
                continue
            row.quantity -= take
            remaining -= take
            changed.append(row)
            allocations.setdefault(vid, []).append([row.pk, take])
    if changed:
        Stock.objects.bulk_update(changed, ["quantity"])
    return allocations


def restock(allocations: Iterable[list[int]]) -> None:
    """Give back units taken by `allocate` ([[stock_id, qty], ...]), locking rows in pk order."""
    amounts: dict[int, int] = {}
    for stock_id, quantity in allocations:
        amounts[stock_id] = amounts.get(stock_id, 0) + quantity
    if not amounts:
        return
    with transaction.atomic():
        rows = list(Stock.objects.filter(pk__in=amounts).order_by("pk").select_for_update())
        for row in rows:
            row.quantity += amounts[row.pk]
        Stock.objects.bulk_update(rows, ["quantity"])
