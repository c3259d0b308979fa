"""Listing orders over the index: a page of a filtered set without sorting the set.

Each order is the array of listable product ids in the listing's ORDER BY (name, price or
created_at, then id), cut in chunks of CHUNK positions with one bitmap per chunk. A page at
offset k skips whole chunks by the cardinality of (result & chunk), a few microseconds each,
then sorts only the members of the chunks it returns. A keyset cursor (`after_pk`) starts at
that product's position. Descending sorts walk the same order backwards (the keys are unique
with the id as tie-breaker, so "-price, -id" is exactly "price, id" reversed).

Orders are rebuilt lazily, and only when a change moved a product in them (a stock change
moves nothing). Names compare as code points: the same order as PostgreSQL's only under the
C collation (checked at build; otherwise the name sort stays in SQL).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pyroaring import BitMap

from .index import FacetIndex, bitmap

CHUNK = 4096

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


def build_order(index: FacetIndex, key: str) -> Order:
    ids = np.frombuffer(index.active.to_array(), dtype=np.uint32).astype(np.int64)
    if key == "name":
        names = index.names
        ids = np.array(sorted(ids.tolist(), key=lambda p: (names[p], p)), dtype=np.int64)
    else:
        values = getattr(index, key)[ids]
        ids = ids[np.lexsort((ids, values))]
    pos = np.full(len(index.price), -1, dtype=np.int64)
    pos[ids] = np.arange(len(ids))
    chunks = [bitmap(ids[i : i + CHUNK]) for i in range(0, len(ids), CHUNK)]
    return Order(ids=ids, pos=pos, chunks=chunks)


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
