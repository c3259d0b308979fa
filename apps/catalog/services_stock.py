"""Stock writes for checkout: allocate (decrement) and restock, always on rows already locked.

Both run inside the caller's transaction. Rows are locked in primary-key order by
`selectors_checkout.lock_stock`, and written back in one UPDATE whatever the number of lines.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from .models import Product, Stock


class InsufficientStock(Exception):
    """Raised with {product_id: units available} for every product that cannot be served."""

    def __init__(self, shortages: dict[int, int]) -> None:
        super().__init__(f"insufficient stock: {shortages}")
        self.shortages = shortages


def allocate(
    locked_rows: list[Stock], wanted: dict[int, int], products: dict[int, Product]
) -> dict[int, list[list[int]]]:
    """Take `wanted[product_id]` units from the locked rows, primary warehouse first.

    Returns {product_id: [[stock_id, quantity], ...]}. Raises InsufficientStock (and writes
    nothing) if any product lacks units.
    """
    rows_by_product: dict[int, list[Stock]] = {}
    for row in locked_rows:
        rows_by_product.setdefault(row.product_id, []).append(row)
    shortages = {
        pid: sum(r.quantity for r in rows_by_product.get(pid, []))
        for pid, quantity in wanted.items()
        if sum(r.quantity for r in rows_by_product.get(pid, [])) < quantity
    }
    if shortages:
        raise InsufficientStock(shortages)
    allocations: dict[int, list[list[int]]] = {}
    changed: list[Stock] = []
    for pid, quantity in wanted.items():
        primary = products[pid].primary_warehouse_id if pid in products else None
        rows = sorted(rows_by_product[pid], key=lambda r: (r.warehouse_id != primary, r.pk))
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
            allocations.setdefault(pid, []).append([row.pk, take])
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
