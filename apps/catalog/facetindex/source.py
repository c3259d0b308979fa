"""Reading the facet index from PostgreSQL: the full build, and the change log sync.

Which changes a process has applied is tracked with transaction ids, not change ids: change ids
are taken when a writer inserts, but become visible when it commits, so a smaller id can appear
after a larger one was read. Instead, each read records its snapshot's xmin (every transaction
older than it had finished); the next read takes every visible change row whose transaction id
is >= that xmin and that it has not applied yet (`seen`). A row can therefore be read at most
once per index, and none is missed (see tests/catalog/test_facet_index_freshness.py).

The full build reads every listable product in three queries, in one REPEATABLE READ snapshot
(when not already inside a transaction) whose xmin becomes the index's starting point; the
sync is ONE query: the change rows, the changed products' current state (with variants, stock
and attributes as JSON), the new xmin and, optionally, the ids matching a search.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction
from pyroaring import BitMap

from ..filters import search_condition, search_rank
from ..models import Product
from .index import FacetIndex, ProductRow, Slot, bitmap

LISTABLE = "p.status = 'active' AND p.max_price IS NOT NULL"

_PRODUCTS_SQL = f"""
SELECT p.id, p.category_id, (p.current_price * 100)::bigint,
       (extract(epoch FROM p.created_at) * 1000000)::bigint, p.name
FROM catalog_product p WHERE {LISTABLE} ORDER BY p.id
"""

_ATTRIBUTES_SQL = f"""
SELECT a.definition_id, a.value, array_agg(a.product_id ORDER BY a.product_id)
FROM catalog_productattribute a JOIN catalog_product p ON p.id = a.product_id AND {LISTABLE}
GROUP BY a.definition_id, a.value
"""

# Slot s = the product's s-th active variant by id. The arrays come unsorted (hash aggregates,
# no sort of millions of rows): bitmaps do not care, the price keys are sorted in numpy. Option
# values that are not JSON strings are left out: options__slug__in could never match them.
_VARIANTS_SQL = f"""
WITH v AS MATERIALIZED (
  SELECT v.product_id AS pid, least((v.price * 100)::bigint, 2147483647) AS cents,
         v.options AS o,
         s.variant_id IS NOT NULL AS st,
         (row_number() OVER (PARTITION BY v.product_id ORDER BY v.id) - 1)::int AS slot
  FROM catalog_variant v JOIN catalog_product p ON p.id = v.product_id AND {LISTABLE}
  LEFT JOIN (SELECT DISTINCT variant_id FROM catalog_stock WHERE quantity > 0) s
    ON s.variant_id = v.id
  WHERE v.status = 'active'
)
SELECT 'o', slot, e.key, e.value #>> '{{}}', array_agg(pid), NULL
FROM v, jsonb_each(v.o) e WHERE jsonb_typeof(e.value) = 'string'
GROUP BY slot, e.key, e.value #>> '{{}}'
UNION ALL
SELECT 's', slot, NULL, NULL, array_agg(pid), coalesce(array_agg(pid) FILTER (WHERE st), '{{}}')
FROM v GROUP BY slot
UNION ALL
SELECT 'p', slot, NULL, NULL, array_agg(cents * 4294967296 + pid), NULL
FROM v GROUP BY slot
"""

_XMIN_SQL = "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint"

# A listable product's current state, as `_product_row` reads it.
_ROW_JSON = """json_build_array(
  p.category_id, (p.current_price * 100)::bigint,
  (extract(epoch FROM p.created_at) * 1000000)::bigint, p.name,
  (SELECT coalesce(json_agg(json_build_array(a.definition_id, a.value)), '[]')
   FROM catalog_productattribute a WHERE a.product_id = p.id),
  (SELECT coalesce(json_agg(json_build_array((v.price * 100)::bigint, v.options,
     EXISTS (SELECT 1 FROM catalog_stock s WHERE s.variant_id = v.id AND s.quantity > 0))
     ORDER BY v.id), '[]')
   FROM catalog_variant v WHERE v.product_id = p.id AND v.status = 'active')
)"""

# One round trip: the unseen change rows, the new xmin, the changed products' current state
# (listable ones only: a product missing from the answer is out of the listing), and the ids
# matching a search when asked (the last part, appended by `sync`).
# The change rows are read in xid order: filter and order then both follow the xid index, a
# range scan of the unseen rows only. Ordered by id, the planner walked the primary key and
# filtered on xid; with the millions of rows a bulk seed leaves (not yet analyzed, not yet
# pruned) that was a 2 s scan on every request. Which rows come first does not matter: all are
# applied, or there are more than MAX_CHANGES and the index is rebuilt.
_SYNC_SQL = f"""
WITH c AS MATERIALIZED (
  SELECT id, product_id, xid FROM catalog_facetchange
  WHERE xid >= %s AND NOT (id = ANY(%s))
  ORDER BY xid, id LIMIT %s
), ids AS (SELECT DISTINCT product_id AS id FROM c)
SELECT 'x', pg_snapshot_xmin(pg_current_snapshot())::text::bigint, NULL::text
UNION ALL
SELECT 'c', c.id, json_build_array(c.product_id, c.xid)::text FROM c
UNION ALL
SELECT 'p', p.id, {_ROW_JSON}::text
FROM ids JOIN catalog_product p ON p.id = ids.id AND {LISTABLE}
"""

# A sync reading more rows than this gives up: a full build is cheaper than patching.
MAX_CHANGES = 20_000


class TooManyChanges(Exception):
    pass


def build() -> FacetIndex:
    """Every listable product, in three streaming-free queries (arrays built in SQL)."""
    if connection.in_atomic_block:
        return _build()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            # Sorts of a million variants in memory, and no JIT compilation (seconds, for
            # queries that run once).
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET LOCAL jit = off")
            # The shop's statement timeout (5 s) is for requests; a build at a million products
            # reads ~11 million variants (minutes on a small machine), off the request path.
            cursor.execute("SET LOCAL statement_timeout = '15min'")
        return _build()


def _build() -> FacetIndex:
    index = FacetIndex()
    with connection.cursor() as cursor:
        cursor.execute(_XMIN_SQL)
        index.xmin = cursor.fetchone()[0]
        cursor.execute("SELECT datcollate FROM pg_database WHERE datname = current_database()")
        collation = cursor.fetchone()[0]
        index.name_collation_ok = collation.split(".")[0] in {"C", "POSIX"}
        cursor.execute(_PRODUCTS_SQL)
        rows = cursor.fetchall()
    if rows:
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        index._grow(int(ids.max()))
        index.price[ids] = np.fromiter((r[2] for r in rows), dtype=np.int64, count=len(rows))
        index.created[ids] = np.fromiter((r[3] for r in rows), dtype=np.int64, count=len(rows))
        index.names = {r[0]: r[4] for r in rows}
        index.active = bitmap(ids)
        by_cat: dict[int, list[int]] = {}
        for r in rows:
            by_cat.setdefault(r[1], []).append(r[0])
        index.cats = {c: BitMap(pids) for c, pids in by_cat.items()}
    del rows
    with connection.cursor() as cursor:
        cursor.execute(_ATTRIBUTES_SQL)
        for def_id, value, pids in cursor.fetchall():
            index.attrs.setdefault(def_id, {})[value] = bitmap(pids)
        cursor.execute(_VARIANTS_SQL)
        for kind, s, key, value, first, second in cursor.fetchall():
            slot = index._slot(s)
            if kind == "o":
                slot.opts.setdefault(key, {})[value] = bitmap(first)
            elif kind == "s":
                slot.all, slot.stock = bitmap(first), bitmap(second)
            else:
                slot.prices = np.sort(np.array(first, dtype=np.int64))
    index.make_bands()
    _derive_unions(index)
    return index


def _derive_unions(index: FacetIndex) -> None:
    index.stock_any = BitMap.union(*(s.stock for s in index.slots)) if index.slots else BitMap()
    index.opt_any = {}
    per_value: dict[tuple[str, str], list[BitMap]] = {}
    for slot in index.slots:
        for slug, values in slot.opts.items():
            for value, bm in values.items():
                per_value.setdefault((slug, value), []).append(bm)
    for (slug, value), parts in per_value.items():
        index.opt_any.setdefault(slug, {})[value] = BitMap.union(*parts)


def _product_row(ident: int, payload: str) -> ProductRow:
    category, price, created, name, attributes, variants = json.loads(payload)
    return ProductRow(
        id=ident,
        category_id=category,
        price=price,
        created=created,
        name=name,
        attributes=[(d, v) for d, v in attributes],
        variants=[(c, o, st) for c, o, st in variants],
    )


def product_rows(ids: list[int]) -> list[ProductRow]:
    """The current rows of the listable products among `ids` (what a sync reads for them):
    for the benchmark, which replays changes in memory on a database it must not write."""
    sql = (
        f"SELECT p.id, {_ROW_JSON}::text FROM catalog_product p WHERE p.id = ANY(%s) AND {LISTABLE}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [ids])
        return [_product_row(ident, payload) for ident, payload in cursor.fetchall()]


def sync(index: FacetIndex, q: str = "") -> Search | None:
    """Apply the change rows this index has not seen, in ONE query; with `q`, the same query
    returns the products matching the search (any status) with their relevance: a Search."""
    sql, params = _SYNC_SQL, [index.xmin, list(index.seen), MAX_CHANGES + 1]
    if q:
        # The matches with their relevance, read in the same pass over their rows (the heap
        # visit the GIN index cannot avoid): relevance order then needs no second query.
        search = (
            Product.objects.filter(search_condition(q))
            .annotate(relevance=search_rank(q))
            .values("pk", "relevance")
            .order_by()
        )
        search_sql, search_params = search.query.get_compiler(using="default").as_sql()
        sql += f" UNION ALL SELECT 'q', s.pk, s.relevance::text FROM ({search_sql}) s"
        params.extend(search_params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        answer = cursor.fetchall()
    changes: dict[int, tuple[int, int]] = {}
    rows: list[ProductRow] = []
    matches: list[int] = []
    ranks: list[float] = []
    xmin = index.xmin
    for kind, ident, payload in answer:
        if kind == "x":
            xmin = ident
        elif kind == "c":
            product_id, xid = json.loads(payload)
            changes[ident] = (product_id, xid)
        elif kind == "p":
            rows.append(_product_row(ident, payload))
        else:
            matches.append(ident)
            ranks.append(float(payload))
    if len(changes) > MAX_CHANGES:
        raise TooManyChanges(len(changes))
    if changes:
        index.apply({pid for pid, _ in changes.values()}, rows)
    seen = {**index.seen, **{cid: xid for cid, (_, xid) in changes.items()}}
    index.seen = {cid: xid for cid, xid in seen.items() if xid >= xmin}
    index.xmin = xmin
    return Search.of(matches, ranks) if q else None


@dataclass(frozen=True)
class Search:
    """The products matching a search (any status) and the same ids in relevance order: rank
    descending, then id, as `ORDER BY ts_rank(...) DESC, id` (selectors.ORDERINGS["rank"]).
    Ranks are PostgreSQL `real`s read through their exact shortest text, so ties and order are
    the database's own."""

    ids: BitMap
    ranked: np.ndarray

    @classmethod
    def of(cls, ids: list[int], ranks: list[float]) -> Search:
        pks = np.array(ids, dtype=np.int64)
        ranked = pks[np.lexsort((pks, -np.array(ranks, dtype=np.float64)))]
        return cls(ids=BitMap(ids), ranked=ranked)


__all__ = ["Search", "Slot", "TooManyChanges", "build", "sync"]
