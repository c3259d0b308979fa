"""The in-memory facet index: compressed bitmaps of product ids, and the queries over them.

Every bitmap holds only listable products (active, with an active variant), so a filter is an
intersection and a count is an intersection's cardinality, never a join.

- `cats[c]`: products whose direct category is c (a subtree is a union);
- `attrs[d][v]`: products with product attribute d = v;
- variants by slot: slot s of a product is its s-th active variant by id. `Slot.all`, `Slot.stock`
  (some warehouse holds a unit), `Slot.opts[slug][v]`, and `Slot.prices`, a sorted int64 array
  of (price in cents << 32 | product id): a price range is whole price bands (`Slot.bands`,
  bounds at build-time quantiles) plus two thin exact slices at the edges. "Some variant
  satisfies p1 and p2" is the union over slots of (p1 & p2) on that slot: the conjunction holds
  on ONE variant, as in `filters.matching_variants`;
- `opt_any[slug][v]`, `stock_any`: the union over slots, for the common one-predicate case;
- per product (numpy, by id): the "from" price in cents (the price range shown), created_at in
  microseconds, and the name, which key the listing orders (see `orders.py`).

`apply(rows)` replaces the products in `rows` (the changed ones, as read by `source.py`): each
is removed from every bitmap, then added back from its current state, if listable.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal

import numpy as np
from pyroaring import BitMap

from ..filters import CatalogFilters

EMPTY = BitMap()
PID_MASK = np.int64(0xFFFFFFFF)
# Price keys are (cents << 32 | id) in an int64: cents are capped at 2**31 - 1 (21,474,836.47),
# in the build's SQL and in the filters alike. A price above that would compare wrongly, so the
# catalog refuses one (models.MAX_PRICE: a validator and a database constraint on Variant.price).
MAX_CENTS = (1 << 31) - 1
# Listing order keys (orders.py), with their place in `apply`'s (price, created, name).
ORDER_KEYS = {"price": 0, "created": 1, "name": 2}
# Past this many moved products since an order was built, it is sorted again from scratch
# (moving one costs a binary search; the update itself is a few O(n) numpy passes).
MAX_MOVES = 5_000


@dataclass
class ProductRow:
    """A listable product as the index needs it; variants are (price cents, options, in stock)
    in variant id order."""

    id: int
    category_id: int
    price: int
    created: int
    name: str
    attributes: list[tuple[int, str]]
    variants: list[tuple[int, dict, bool]]


@dataclass
class Slot:
    all: BitMap = field(default_factory=BitMap)
    stock: BitMap = field(default_factory=BitMap)
    opts: dict[str, dict[str, BitMap]] = field(default_factory=dict)
    prices: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    # One bitmap per price band (FacetIndex.bounds): a range is whole bands plus two edge slices.
    bands: list[BitMap] = field(default_factory=list)


def bitmap(ids) -> BitMap:
    """A BitMap from an id array without a Python loop (~30 ms per million ids)."""
    import array

    arr = array.array("I")
    arr.frombytes(np.ascontiguousarray(ids, dtype=np.uint32).tobytes())
    return BitMap(arr)


def _union(bitmaps: Iterable[BitMap]) -> BitMap:
    bitmaps = list(bitmaps)
    if not bitmaps:
        return BitMap()
    if len(bitmaps) == 1:
        return bitmaps[0]
    return BitMap.union(*bitmaps)


def _cents(value: Decimal, up: bool) -> int:
    cents = value * 100
    return int(math.ceil(cents) if up else math.floor(cents))


class FacetIndex:
    def __init__(self) -> None:
        self.active = BitMap()
        self.cats: dict[int, BitMap] = {}
        self.attrs: dict[int, dict[str, BitMap]] = {}
        self.slots: list[Slot] = []
        self.opt_any: dict[str, dict[str, BitMap]] = {}
        self.stock_any = BitMap()
        self.price = np.zeros(0, dtype=np.int64)
        self.created = np.zeros(0, dtype=np.int64)
        self.names: dict[int, str] = {}
        self.bounds = np.empty(0, dtype=np.int64)  # price band edges in cents, ascending
        # Where the change log was read up to (see source.py) and a counter of applied batches.
        self.xmin = 0
        self.seen: dict[int, int] = {}
        self.generation = 0
        self.name_collation_ok = True
        # Listing orders (orders.py). `moved[key]`: the products a change moved in that order
        # since it was built (None: too many, sort it again); `dirty`: the keys with moves;
        # `building[key]`: the claim of the full rebuild under way (see facetindex._rebuild).
        self.orders: dict = {}
        self.moved: dict[str, set[int] | None] = {}
        self.dirty: set[str] = set()
        self.building: dict[str, object] = {}
        # (slot, low, high) -> bitmap: one summary asks for the same range up to ~6 times.
        self.price_cache: dict[tuple[int, int | None, int | None], BitMap] = {}

    def __getstate__(self) -> dict:
        # The shared copy carries the bitmaps, not the orders (cheap to rebuild from them).
        return {
            **self.__dict__,
            "orders": {},
            "moved": {},
            "dirty": set(),
            "building": {},
            "price_cache": {},
        }

    def __setstate__(self, state: dict) -> None:
        # A copy shared by an older release lacks the newer (empty when shared) attributes.
        self.__dict__.update({"moved": {}, "building": {}, **state})

    # --- building and patching ----------------------------------------------------------------

    def _grow(self, max_id: int) -> None:
        if max_id < len(self.price):
            return
        size = max(max_id + 1, int(len(self.price) * 1.25) + 1024)
        for name in ("price", "created"):
            old = getattr(self, name)
            new = np.zeros(size, dtype=np.int64)
            new[: len(old)] = old
            setattr(self, name, new)

    def _slot(self, s: int) -> Slot:
        while len(self.slots) <= s:
            self.slots.append(Slot())
        return self.slots[s]

    def remove(self, ids: BitMap) -> None:
        """Take products out of every bitmap and array (before adding their new state)."""
        if not ids:
            return
        self.active -= ids
        self.stock_any -= ids
        for bm in self.cats.values():
            bm -= ids
        for values in (*self.attrs.values(), *self.opt_any.values()):
            for bm in values.values():
                bm -= ids
        gone = np.frombuffer(ids.to_array(), dtype=np.uint32).astype(np.int64)
        for slot in self.slots:
            slot.all -= ids
            slot.stock -= ids
            for values in slot.opts.values():
                for bm in values.values():
                    bm -= ids
            for bm in slot.bands:
                bm -= ids
            if len(slot.prices):
                keep = ~np.isin(slot.prices & PID_MASK, gone)
                slot.prices = slot.prices[keep]
        for pid in ids:
            self.names.pop(pid, None)

    def add(self, rows: list[ProductRow]) -> None:
        if not rows:
            return
        self._grow(max(r.id for r in rows))
        new_prices: dict[int, list[int]] = {}
        for row in rows:
            pid = row.id
            self.active.add(pid)
            self.cats.setdefault(row.category_id, BitMap()).add(pid)
            for def_id, value in row.attributes:
                self.attrs.setdefault(def_id, {}).setdefault(value, BitMap()).add(pid)
            self.price[pid] = row.price
            self.created[pid] = row.created
            self.names[pid] = row.name
            for s, (price, options, in_stock) in enumerate(row.variants):
                slot = self._slot(s)
                slot.all.add(pid)
                if in_stock:
                    slot.stock.add(pid)
                    self.stock_any.add(pid)
                for slug, value in options.items():
                    if not isinstance(value, str):
                        continue
                    slot.opts.setdefault(slug, {}).setdefault(value, BitMap()).add(pid)
                    self.opt_any.setdefault(slug, {}).setdefault(value, BitMap()).add(pid)
                new_prices.setdefault(s, []).append((min(price, MAX_CENTS) << 32) | pid)
                if slot.bands:
                    slot.bands[self.band(min(price, MAX_CENTS))].add(pid)
        for s, keys in new_prices.items():
            slot = self.slots[s]
            keys_arr = np.sort(np.array(keys, dtype=np.int64))
            at = np.searchsorted(slot.prices, keys_arr)
            slot.prices = np.insert(slot.prices, at, keys_arr)

    def apply(self, changed: Iterable[int], rows: list[ProductRow]) -> None:
        """Replace the changed products by their current rows (absent: no longer listable),
        and record which products moved in which listing order (`moved`)."""
        ids = BitMap(changed)
        if not ids:
            return
        before = {
            pid: (self.price[pid], self.created[pid], self.names.get(pid))
            for pid in ids & self.active
        }
        self.remove(ids)
        self.add(rows)
        self.price_cache.clear()
        moved: dict[str, list[int]] = {key: [] for key in ORDER_KEYS}
        after = {row.id: (row.price, row.created, row.name) for row in rows}
        for pid in ids:
            old, new = before.get(pid), after.get(pid)
            if old is None and new is None:
                continue  # not listed before, nor now
            for key, i in ORDER_KEYS.items():
                if old is None or new is None or old[i] != new[i]:
                    moved[key].append(pid)
        for key, pids in moved.items():
            self._moved(key, pids)
        self.generation += 1

    def _moved(self, key: str, pids: list[int]) -> None:
        if not pids:
            return
        self.dirty.add(key)
        pending = self.moved.setdefault(key, set())
        if pending is None:
            return
        pending.update(pids)
        if len(pending) > MAX_MOVES:
            self.moved[key] = None  # a full rebuild is cheaper than moving them one by one

    # --- filters over bitmaps -----------------------------------------------------------------

    def product_set(
        self, f: CatalogFilters, q_ids: BitMap | None, skip: str | int | None = None
    ) -> BitMap:
        """`filters.filtered_products(f, skip=skip, variants=False)` as a bitmap."""
        result = self.active
        if f.category_ids is not None:
            result = result & _union(self.cats.get(c, EMPTY) for c in f.category_ids)
        if f.q:
            result = result & (q_ids if q_ids is not None else EMPTY)
        for def_id, values in f.attributes:
            if def_id != skip:
                by_value = self.attrs.get(def_id, {})
                result = result & _union(by_value.get(v, EMPTY) for v in values)
        return result

    def _price_bitmap(self, s: int, low: int | None, high: int | None) -> BitMap:
        key = (s, low, high)
        cached = self.price_cache.get(key)
        if cached is None:
            if len(self.price_cache) > 1024:
                self.price_cache.clear()
            cached = self.price_cache[key] = self._price_slice(self.slots[s], low, high)
        return cached

    def band(self, cents: int) -> int:
        return int(np.searchsorted(self.bounds, cents, side="right"))

    def make_bands(self, count: int = 32) -> None:
        """Cut prices into `count` bands of about equal size (quantiles of slot 0)."""
        if not self.slots or not len(self.slots[0].prices):
            return
        cents = self.slots[0].prices >> 32
        qs = np.quantile(cents, np.linspace(0, 1, count + 1)[1:-1]).astype(np.int64)
        self.bounds = np.unique(qs + 1)
        for slot in self.slots:
            slot_cents = slot.prices >> 32
            cuts = [0, *np.searchsorted(slot_cents, self.bounds, side="left"), len(slot_cents)]
            pids = slot.prices & PID_MASK
            slot.bands = [bitmap(pids[a:b]) for a, b in zip(cuts, cuts[1:], strict=False)]

    def _price_slice(self, slot: Slot, low: int | None, high: int | None) -> BitMap:
        low = 0 if low is None else max(0, low)
        high = MAX_CENTS if high is None else min(high, MAX_CENTS)
        if low > high:
            return BitMap()
        if not slot.bands:
            return self._exact_slice(slot, low, high)
        first, last = self.band(low), self.band(high)
        if first == last:
            return self._exact_slice(slot, low, high)
        parts = slot.bands[first + 1 : last]
        parts.append(self._exact_slice(slot, low, int(self.bounds[first]) - 1))
        parts.append(self._exact_slice(slot, int(self.bounds[last - 1]), high))
        return _union(parts)

    def _exact_slice(self, slot: Slot, low: int, high: int) -> BitMap:
        lo_key, hi_key = low << 32, (high << 32) | 0xFFFFFFFF
        if lo_key > hi_key:
            return BitMap()
        a = int(np.searchsorted(slot.prices, lo_key, side="left"))
        b = int(np.searchsorted(slot.prices, hi_key, side="right"))
        if b <= a:
            return BitMap()
        return bitmap(slot.prices[a:b] & PID_MASK)

    def _slot_predicates(self, f: CatalogFilters, skip: str | int | None):
        """The variant predicates of `f` but `skip`, as a function of a slot (None: none)."""
        has_price = skip != "price" and (f.price_min is not None or f.price_max is not None)
        low = _cents(f.price_min, True) if has_price and f.price_min is not None else None
        high = _cents(f.price_max, False) if has_price and f.price_max is not None else None
        stock = skip != "stock" and f.in_stock
        options = [(slug, values) for d, slug, values in f.options if d != skip]
        if not (has_price or stock or options):
            return None

        def on(s: int) -> BitMap:
            slot = self.slots[s]
            acc = slot.stock if stock else slot.all
            for slug, values in options:
                by_value = slot.opts.get(slug, {})
                acc = acc & _union(by_value.get(v, EMPTY) for v in values)
                if not acc:
                    return acc
            if has_price:
                acc = acc & self._price_bitmap(s, low, high)
            return acc

        return on, has_price, stock, options

    def variant_set(self, f: CatalogFilters, skip: str | int | None = None) -> BitMap | None:
        """Products with ONE active variant matching the variant filters but `skip`; None when
        there are none to match (every listable product qualifies)."""
        preds = self._slot_predicates(f, skip)
        if preds is None:
            return None
        on, has_price, stock, options = preds
        if not has_price and not stock and len(options) == 1:
            slug, values = options[0]
            return _union(self.opt_any.get(slug, {}).get(v, EMPTY) for v in values)
        if stock and not has_price and not options:
            return self.stock_any
        return _union(on(s) for s in range(len(self.slots)))

    def result_set(
        self, f: CatalogFilters, q_ids: BitMap | None, skip: str | int | None = None
    ) -> BitMap:
        """`filters.filtered_products(f, skip=skip)` as a bitmap."""
        products = self.product_set(f, q_ids, skip)
        variants = self.variant_set(f, skip)
        return products if variants is None else products & variants

    def price_range(self, ids: BitMap) -> tuple[Decimal | None, Decimal | None]:
        if not ids:
            return None, None
        prices = self.price[np.frombuffer(ids.to_array(), dtype=np.uint32)]
        return _money(int(prices.min())), _money(int(prices.max()))

    def option_counts(
        self, f: CatalogFilters, q_ids: BitMap | None, def_id: int, slug: str
    ) -> dict[str, int]:
        """As `facets._option_counts`: per value, products with an active variant of that value
        matching the other variant filters, among the products matching the product filters."""
        base = self.product_set(f, q_ids, def_id)
        preds = self._slot_predicates(f, def_id)
        if preds is None:
            by_value = self.opt_any.get(slug, {})
            return _nonzero({v: base.intersection_cardinality(bm) for v, bm in by_value.items()})
        on = preds[0]
        hits: dict[str, list[BitMap]] = {}
        for s, slot in enumerate(self.slots):
            by_value = slot.opts.get(slug)
            if not by_value:
                continue
            mask = on(s) & base
            if not mask:
                continue
            for value, bm in by_value.items():
                hits.setdefault(value, []).append(bm & mask)
        return _nonzero({v: len(_union(parts)) for v, parts in hits.items()})

    def summary(
        self,
        f: CatalogFilters,
        definition_ids: list[int],
        options: dict[int, str],
        q_ids: BitMap | None,
    ):
        """Exactly `facets.facet_summary(f, definition_ids, options)`, from the bitmaps."""
        from ..facets import FacetSummary

        result = self.result_set(f, q_ids)
        out = FacetSummary(total=len(result))
        has_price = f.price_min is not None or f.price_max is not None
        priced = self.result_set(f, q_ids, "price") if has_price else result
        out.price_low, out.price_high = self.price_range(priced)
        out.in_stock_count = len(self.result_set(replace(f, in_stock=True), q_ids))
        active = {d for d, _ in f.attributes}
        for def_id in definition_ids:
            base = self.result_set(f, q_ids, def_id) if def_id in active else result
            by_value = self.attrs.get(def_id, {})
            counts = _nonzero({v: base.intersection_cardinality(bm) for v, bm in by_value.items()})
            if counts:
                out.counts[def_id] = counts
        for def_id, slug in options.items():
            counts = self.option_counts(f, q_ids, def_id, slug)
            if counts:
                out.counts[def_id] = counts
        return out


def _nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {v: n for v, n in counts.items() if n}


def _money(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))
