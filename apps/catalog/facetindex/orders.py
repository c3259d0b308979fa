"""Listing orders over the index: a page of a filtered set without sorting the set.

Each order is the array of listable product ids in the listing's ORDER BY (name, price or
created_at, then id), cut in chunks of CHUNK positions with one bitmap per chunk. A page at
offset k skips whole chunks by the cardinality of (result & chunk), a few microseconds each,
then sorts only the members of the chunks it returns. A keyset cursor (`after_pk`) starts at
that product's position. Descending sorts walk the same order backwards (the keys are unique
with the id as tie-breaker, so "-price, -id" is exactly "price, id" reversed).

Orders are kept up to date incrementally: a sync records, per order, the products it moved
(`FacetIndex.moved`; a stock change moves nothing) and the next page moves just those
(`update`). Past `MAX_MOVES` products the order is sorted again from scratch (`build_order`),
without the lock for the sort (see `facetindex._rebuild`). Names compare as code points: the
same order as PostgreSQL's only under the C collation (checked at build; otherwise the name
sort stays in SQL).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np
from pyroaring import BitMap

from .index import ORDER_KEYS, FacetIndex, bitmap

CHUNK = 4096
NAME_BYTES = 32  # of a name's UTF-8 in the array a full name sort uses (see name_order)
KEYS = tuple(ORDER_KEYS)

# sort -> (order key, ascending)
SORTS = {
    "name": ("name", True),
    "price_asc": ("price", True),
    "price_desc": ("price", False),
    "newest": ("created", False),
}


@dataclass
class Order:
    ids: np.ndarray  # product ids, ascending by (key, id)
    pos: np.ndarray  # by product id: its position in `ids`, or -1
    chunks: list[BitMap]


def snapshot(index: FacetIndex, key: str) -> tuple[np.ndarray, np.ndarray | None]:
    """What a full build sorts, taken under the lock (milliseconds): the listable ids and, for
    the numeric keys, their values. Names are read by `build_order` itself (see there)."""
    ids = np.frombuffer(index.active.to_array(), dtype=np.uint32).astype(np.int64)
    return ids, None if key == "name" else getattr(index, key)[ids]


def build_order(
    index: FacetIndex,
    key: str,
    ids: np.ndarray | None = None,
    values: np.ndarray | None = None,
) -> Order:
    """The whole order, sorted from scratch: the slow part (0.6 s for names at 100,000).

    With a `snapshot` it may run without the lock: a name read while a sync patches it can be
    stale or missing (""), but every product a sync touches after the snapshot is in
    `index.moved[key]`, so `update` takes it out and puts it back at its current place."""
    if ids is None:
        ids, values = snapshot(index, key)
    if key == "name":
        names = index.names
        ids = ids[name_order([names.get(p, "") for p in ids.tolist()])]
    else:
        ids = ids[np.argsort(values, kind="stable")]
    pos = np.full(len(index.price), -1, dtype=np.int64)
    pos[ids] = np.arange(len(ids))
    chunks = [_chunk(ids, i) for i in range(0, len(ids), CHUNK)]
    return Order(ids=ids, pos=pos, chunks=chunks)


def name_order(names: list[str]) -> np.ndarray:
    """The stable argsort of `names` by code points (the ids come ascending: (name, id) order).

    Sorted by numpy as UTF-8 bytes (the same order as code points), which releases the GIL:
    a Python sort of a million names holds it for about half a second, stalling every other
    thread of the process while an order is rebuilt in the background. Only the first
    NAME_BYTES bytes go into the array (memory); runs of equal prefixes with a longer name are
    then sorted by the whole name in Python, run by run."""
    encoded = [name.encode("utf-8", "surrogatepass") for name in names]
    if not encoded:
        return np.empty(0, dtype=np.int64)
    width = max(1, max(map(len, encoded)))
    if width <= NAME_BYTES:
        return np.argsort(np.array(encoded, dtype=f"S{width}"), kind="stable")
    prefixes = np.array([e[:NAME_BYTES] for e in encoded], dtype=f"S{NAME_BYTES}")
    order = np.argsort(prefixes, kind="stable")
    ranked = prefixes[order]
    longer = np.fromiter((len(e) > NAME_BYTES for e in encoded), dtype=bool, count=len(encoded))
    cuts = [0, *(np.flatnonzero(ranked[1:] != ranked[:-1]) + 1).tolist(), len(order)]
    for a, b in zip(cuts, cuts[1:], strict=False):
        if b - a > 1 and longer[order[a:b]].any():
            order[a:b] = sorted(order[a:b].tolist(), key=encoded.__getitem__)
    return order


def _chunk(ids: np.ndarray, start: int) -> BitMap:
    # Sorted first: a BitMap from ascending ids is built about 3 times faster.
    return bitmap(np.sort(ids[start : start + CHUNK]))


def _insertion_points(index: FacetIndex, key: str, kept: np.ndarray, new: np.ndarray):
    """`new` sorted by (key, id), and where each goes in `kept` (non-decreasing)."""
    if key == "name":
        names = index.names
        new = np.array(sorted(new.tolist(), key=lambda p: (names[p], p)), dtype=np.int64)

        def probe(i: int) -> tuple[str, int]:
            p = int(kept[i])
            return names[p], p

        lookup = _Probe(len(kept), probe)
        at = np.array([bisect.bisect_left(lookup, (names[p], p)) for p in new.tolist()])
        return new, at.astype(np.int64)
    column = getattr(index, key)
    values = column[new]
    order = np.lexsort((new, values))
    new, values = new[order], values[order]
    kept_values = column[kept]
    lo = np.searchsorted(kept_values, values, side="left")
    hi = np.searchsorted(kept_values, values, side="right")
    at = lo.copy()
    for i in np.flatnonzero(hi > lo):  # ties on the value: the id decides
        at[i] = lo[i] + np.searchsorted(kept[lo[i] : hi[i]], new[i])
    return new, at


class _Probe:
    """A read-only sequence of (name, id) over `kept` for `bisect` (no list of every name)."""

    def __init__(self, length: int, get) -> None:
        self.length, self.get = length, get

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, i: int):
        return self.get(i)


def update(order: Order, index: FacetIndex, key: str, moved: set[int]) -> None:
    """Move the `moved` products to their current place, in place (under the lock).

    Takes them out (a numpy mask), inserts the listable ones at their sorted places (binary
    search on (key, id)), then rewrites `pos` and the chunk bitmaps only from the first touched
    position: to the last touched one when the length did not change (a rename, a price
    change), else to the end. Same result as `build_order`, in milliseconds for a few
    thousand products instead of a sort of all of them."""
    if not moved:
        return
    size = len(index.price)
    if len(order.pos) < size:
        grown = np.full(size, -1, dtype=np.int64)
        grown[: len(order.pos)] = order.pos
        order.pos = grown
    pos, old = order.pos, order.ids
    touched = np.fromiter(moved, dtype=np.int64, count=len(moved))
    touched = touched[(touched >= 0) & (touched < size)]
    removed = np.sort(pos[touched])
    removed = removed[removed >= 0]
    if len(removed):
        mask = np.ones(len(old), dtype=bool)
        mask[removed] = False
        kept = old[mask]
    else:
        kept = old
    pos[touched] = -1
    listed = np.frombuffer((bitmap(touched) & index.active).to_array(), dtype=np.uint32)
    new, at = _insertion_points(index, key, kept, listed.astype(np.int64))
    ids = np.insert(kept, at, new) if len(new) else kept
    firsts = [int(removed[0])] if len(removed) else []
    lasts = [int(removed[-1])] if len(removed) else []
    if len(new):
        firsts.append(int(at[0]))
        lasts.append(int(at[-1]) + len(new) - 1)
    if not firsts:
        return
    first = min(firsts)
    end = max(lasts) + 1 if len(ids) == len(old) else len(ids)
    pos[ids[first:end]] = np.arange(first, end)
    order.ids = ids
    c0 = first // CHUNK
    if len(ids) == len(old):  # the chunks past the last touched position did not change
        c1 = (end - 1) // CHUNK + 1
        order.chunks[c0:c1] = [_chunk(ids, i * CHUNK) for i in range(c0, c1)]
    else:
        order.chunks[c0:] = [_chunk(ids, i) for i in range(c0 * CHUNK, len(ids), CHUNK)]


def page(
    order: Order,
    result: BitMap,
    ascending: bool,
    *,
    after_pk: int | None = None,
    offset: int = 0,
    limit: int,
) -> list[int] | None:
    """`limit` ids of `result` in this order from `offset` (after `after_pk` when given);
    None when `after_pk` is not in the order (no longer listed: the caller asks SQL)."""
    if limit <= 0 or not order.chunks:
        return []
    count = len(order.chunks)
    start = None
    if after_pk is not None:
        if not 0 <= after_pk < len(order.pos) or order.pos[after_pk] < 0:
            return None
        start = int(order.pos[after_pk])
    if ascending:
        first = 0 if start is None else start // CHUNK
        walk = range(first, count)
    else:
        first = count - 1 if start is None else start // CHUNK
        walk = range(first, -1, -1)
    skip, out = max(0, offset), []
    for j in walk:
        chunk = order.chunks[j]
        partial = start is not None and j == start // CHUNK
        if skip and not partial:
            size = result.intersection_cardinality(chunk)
            if size <= skip:
                skip -= size
                continue
        members = np.frombuffer((result & chunk).to_array(), dtype=np.uint32).astype(np.int64)
        if not len(members):
            continue
        positions = np.sort(order.pos[members])
        if partial:
            positions = positions[positions > start] if ascending else positions[positions < start]
        if not ascending:
            positions = positions[::-1]
        if skip:
            taken = positions[skip:]
            skip = max(0, skip - len(positions))
            positions = taken
        out.extend(order.ids[positions[: limit - len(out)]].tolist())
        if len(out) >= limit:
            break
    return out
