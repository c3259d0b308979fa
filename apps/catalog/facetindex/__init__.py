"""Facet counts and listing order from compressed bitmaps instead of SQL joins (issue 18).

A cold facet count over a million products is a few hundred bitmap operations in this process
(see index.py) instead of a join per facet in PostgreSQL; `facets.facet_summary` stays the
reference it is tested against (tests/catalog/test_facet_index.py).

Freshness, and why no write can be lost: database triggers append every touched product to
`catalog_facetchange` in the writing transaction (migration 0006). Each process holds one index
and, at most every `LAG` seconds (setting CATALOG_FACET_INDEX_LAG, default 1 s), reads the
change rows it has not applied, with the changed products' current state, in ONE query, and
patches its bitmaps. Nothing depends on Redis or signals: a write made while Redis was down is
in the counts at most LAG seconds after it commits (plus the facet summary cache's own life,
which core's breaker ends when Redis comes back; see apps.core.cache).

Where an index comes from: the process's own copy; else the shared copy in Redis (pickled, with
the transaction horizon it covers, so the loader patches it forward from the change log); else a
full build (three queries), published for the other processes. Requests never build or load:
the first request of a process starts that in a background thread and is answered by SQL
(setting CATALOG_FACET_INDEX_BACKGROUND; off in tests, which call `ensure()` themselves).

Listing orders (orders.py) follow the syncs in place: a sync records the products it moved,
the next page moves just those (milliseconds under the lock). A full sort (a missing order,
or more than MAX_MOVES moves) is never made by a request under the lock: `ensure()` makes it
blocking, a request starts it in a thread and is answered by SQL meanwhile.

PostgreSQL only: on SQLite (the embedded `make run` shop, a few hundred products) every call
here returns None and callers use the SQL path. Change rows older than RETENTION are pruned
(`prune_changes`, run by `manage.py facetindex`); an index not synced for MAX_AGE is dropped.

API (None always means "no index here: use SQL"):
- `facet_summary(filters, definition_ids, options)` -> FacetSummary | None
- `filtered_ids(filters)` -> BitMap | None
- `ordered_ids(filters, sort, *, after_pk=None, offset=0, limit)` -> list[int] | None
"""

from __future__ import annotations

import datetime
import gc
import logging
import pickle
import secrets
import threading
import time
from decimal import Decimal

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from pyroaring import BitMap

from ..filters import CatalogFilters
from . import orders, source
from .index import FacetIndex

log = logging.getLogger(__name__)

SHARED_KEY = "catalog:facetindex"
SHARED_PIECE = 8 * 1024 * 1024  # bytes of the shared pickle per cache entry (see publish)
RETENTION = 3600  # seconds a change row is kept
MAX_AGE = 3000  # an index (shared or in a process) further behind than this is not patched


def lag() -> float:
    return float(getattr(settings, "CATALOG_FACET_INDEX_LAG", 1.0))


class _Process:
    """This process's index. One lock: a sync patches bitmaps that a query may be reading."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.index: FacetIndex | None = None
        self.checked = 0.0  # monotonic time of the last sync
        self.synced_at = 0.0  # wall time of the last sync
        self.searches: dict[tuple[str, int], source.Search] = {}
        self.loading = False
        self.rebuilds: list[threading.Thread] = []  # order rebuilds started by requests


_process = _Process()


def enabled() -> bool:
    return connection.vendor == "postgresql" and getattr(settings, "CATALOG_FACET_INDEX", True)


def reset(*, shared: bool = True) -> None:
    """Forget this process's index (and the shared copy): tests, and after a restore."""
    with _process.lock:
        _process.index = None
        _process.searches.clear()
        _process.checked = 0.0
    if shared:
        cache.delete(SHARED_KEY)


# --- getting an index ---------------------------------------------------------------------------


def publish(index: FacetIndex) -> None:
    """Share a freshly built or synced index: other processes load it instead of building.

    The pickle is stored in pieces of SHARED_PIECE bytes under a name new for every publish,
    then the manifest naming them: a million-product index is ~200 MB, which one SET cannot
    move within the cache's socket timeout (apps.core.redis: the write failed, the breaker
    opened, and every process built its own index). A loader that finds a piece missing
    (expired, or evicted) builds instead; superseded pieces expire with their TTL."""
    with _process.lock:
        blob = pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL)
    name = f"{SHARED_KEY}:{secrets.token_hex(8)}"
    pieces = range(0, max(1, len(blob)), SHARED_PIECE)
    for n, start in enumerate(pieces):
        cache.set(f"{name}:{n}", blob[start : start + SHARED_PIECE], timeout=MAX_AGE)
    manifest = {
        "xmin": index.xmin,
        "at": time.time(),
        "name": name,
        "pieces": len(pieces),
        "database": _database(),
    }
    cache.set(SHARED_KEY, manifest, timeout=MAX_AGE)


def _database() -> str:
    """Which database an index was built from. Its transaction ids (`xmin`, `seen`) mean
    nothing in another one: two shops on one Redis under the same CACHE_KEY_PREFIX (a staging
    and a live shop, say) must not load each other's copy and patch it from the wrong log."""
    conf = connection.settings_dict
    return f"{conf['HOST']}:{conf['PORT']}/{conf['NAME']}"


def _load_shared() -> FacetIndex | None:
    entry = cache.get(SHARED_KEY)
    # Not there, too old, from another database, or written by an earlier release (one blob,
    # no pieces, no database): build.
    if (
        not isinstance(entry, dict)
        or "pieces" not in entry
        or entry.get("database") != _database()
        or time.time() - entry["at"] > MAX_AGE
    ):
        return None
    pieces = []
    for n in range(entry["pieces"]):
        piece = cache.get(f"{entry['name']}:{n}")
        if piece is None:
            return None
        pieces.append(piece)
    return pickle.loads(b"".join(pieces))


def ensure(*, share: bool = True) -> FacetIndex | None:
    """Load (or build and publish) this process's index and bring it up to date. Blocking:
    for tests, the management command and the background thread, not for requests."""
    if not enabled():
        return None
    with _process.lock:
        index = _process.index
    if index is not None:
        try:
            _sync(index)
            refresh_orders(index)
            return index
        except source.TooManyChanges:
            reset(shared=False)
    index = _load_shared()
    built = index is None
    if built:
        index = source.build()
    try:
        source.sync(index)
    except source.TooManyChanges:
        index, built = source.build(), True
        source.sync(index)
    if built and share:
        publish(index)
    refresh_orders(index)
    with _process.lock:
        _process.index, _process.searches = index, {}
        _process.checked, _process.synced_at = time.monotonic(), time.time()
    _settle_heap()
    return index


def _settle_heap() -> None:
    """Put what is alive now (the new index, the app's modules and caches) out of the cyclic
    collector's reach. A full collection walks every reference of every tracked object: with
    an index loaded that took 32-44 ms at 100,000 products, a pause landing on whichever request
    set it off (a cold-path series that caught one had p95 55 ms for a p50 of 23). Frozen
    objects are still freed by reference counting: a replaced index holds no reference cycle
    (tests/catalog/test_facet_index_freshness.py), so it is not leaked."""
    gc.collect()
    gc.freeze()


def _background_load() -> None:
    try:
        ensure()
    except Exception:  # the SQL path keeps answering; the next request tries again
        log.exception("facet index: background load failed")
    finally:
        _process.loading = False
        connection.close()


def _start_loading() -> None:
    if not getattr(settings, "CATALOG_FACET_INDEX_BACKGROUND", True):
        return
    with _process.lock:
        if _process.loading:
            return
        _process.loading = True
    threading.Thread(target=_background_load, name="facet-index", daemon=True).start()


def _sync(index: FacetIndex, q: str = "") -> source.Search | None:
    with _process.lock:
        matches = source.sync(index, q)
        _process.checked, _process.synced_at = time.monotonic(), time.time()
        return matches


def _current(q: str, may_sync: bool = True) -> tuple[FacetIndex, source.Search | None] | None:
    """The process's index, synced if the last sync is LAG old, and the products matching `q`
    with their relevance (read in the same query as the sync when not cached). None: answer
    with SQL (also when a sync is due but not `may_sync`)."""
    if not enabled():
        return None
    index = _process.index
    if index is None or time.time() - _process.synced_at > MAX_AGE:
        if index is not None:
            reset(shared=False)
        _start_loading()
        return None
    searched = _process.searches.get((q, index.generation)) if q else None
    due = time.monotonic() - _process.checked >= lag()
    if due or (q and searched is None):
        if not may_sync:
            return None
        try:
            matches = _sync(index, q)
        except source.TooManyChanges:
            reset(shared=False)
            _start_loading()
            return None
        if q:
            if len(_process.searches) > 256:
                _process.searches.clear()
            _process.searches[(q, index.generation)] = searched = matches
    return index, searched


# --- the API ------------------------------------------------------------------------------------


def facet_summary(filters: CatalogFilters, definition_ids: list[int], options: dict[int, str]):
    """`facets.facet_summary` from the bitmaps; None when this process has no index."""
    current = _current(filters.q)
    if current is None:
        return None
    index, search = current
    with _process.lock:
        return index.summary(filters, definition_ids, options, _ids(search))


def filtered_ids(filters: CatalogFilters) -> BitMap | None:
    """The ids of `filters.filtered_products(filters)`; None when this process has no index."""
    current = _current(filters.q)
    if current is None:
        return None
    index, search = current
    with _process.lock:
        return BitMap(index.result_set(filters, _ids(search)))  # a copy: the caller may change it


def ordered_ids(
    filters: CatalogFilters,
    sort: str,
    *,
    after_pk: int | None = None,
    offset: int = 0,
    limit: int,
    after_value: Decimal | datetime.datetime | str | None = None,
    may_sync: bool = True,
) -> list[int] | None:
    """A page of the filtered ids in the listing's order (`selectors._ordering`): `limit` ids
    from `offset`, after `after_pk` when given. Sorts: name, price_asc, price_desc, newest
    (relevance without a search is by name). None: no index, a search ranked by relevance, a
    name sort under a non-C collation, an `after_pk` no longer listed or (with `after_value`,
    the sort value a cursor recorded) no longer at that value, (not `may_sync`) a sync query
    due, or the order being sorted again in the background: use SQL, which pages from the
    recorded (value, pk) exactly."""
    if sort in ("relevance", "rank") and filters.q:
        return _ranked(filters, after_pk=after_pk, offset=offset, limit=limit, may_sync=may_sync)
    if sort == "relevance":
        sort = "name"
    if sort not in orders.SORTS:
        return None
    current = _current(filters.q, may_sync)
    if current is None:
        return None
    index, search = current
    q_ids = _ids(search)
    key, ascending = orders.SORTS[sort]
    with _process.lock:
        if key == "name" and not index.name_collation_ok:
            return None
        if after_pk is not None and after_value is not None:
            if not _at(index, key, after_pk, after_value):
                return None
        order = _fresh_order(index, key)
        if order is None:
            _start_rebuild(index, key)
            return None  # SQL answers while the order is sorted in the background
        result = index.result_set(filters, q_ids)
        return orders.page(order, result, ascending, after_pk=after_pk, offset=offset, limit=limit)


def _ids(search: source.Search | None) -> BitMap | None:
    return search.ids if search is not None else None


def _ranked(
    filters: CatalogFilters, *, after_pk: int | None, offset: int, limit: int, may_sync: bool
) -> list[int] | None:
    """A page of a search by relevance: the filtered matches in the order their ranks were
    read with the search (source.Search). Relevance pages by number only (no cursor)."""
    if after_pk is not None:
        return None
    current = _current(filters.q, may_sync)
    if current is None or current[1] is None:
        return None
    index, search = current
    with _process.lock:
        result = index.result_set(filters, search.ids)
    ranked = search.ranked
    if len(result) < len(ranked):
        listed = np.frombuffer(result.to_array(), dtype=np.uint32).astype(np.int64)
        ranked = ranked[np.isin(ranked, listed, assume_unique=True)]
    start = max(0, offset)
    return [int(pk) for pk in ranked[start : start + max(0, limit)]]


# --- keeping the orders up to date --------------------------------------------------------------
#
# A sync records the products it moved in each order (`FacetIndex.moved`); the next page moves
# them in place (`orders.update`, milliseconds, under the lock). Past MAX_MOVES, or when the
# order is missing, the order is sorted again: a snapshot under the lock, the sort without it
# (seconds at a million names), the install under it. Changes applied meanwhile are recorded in
# `moved` from the snapshot on, so the installed order is brought forward like any other.
# A request never sorts: it starts the rebuild in a thread and is answered by SQL.


def _fresh_order(index: FacetIndex, key: str) -> orders.Order | None:
    """Under the lock: the order for `key` with the recorded moves applied; None when it
    needs a full rebuild (missing, or too many moves)."""
    order = index.orders.get(key)
    moved = index.moved.get(key, set())
    if order is None or moved is None:
        return None
    if moved:
        orders.update(order, index, key, moved)
        index.moved[key] = set()
    index.dirty.discard(key)
    return order


def _claim(index: FacetIndex, key: str) -> object:
    token = object()
    index.building[key] = token
    return token


def _rebuild(index: FacetIndex, key: str, token: object) -> None:
    """Sort `key`'s order from scratch, holding the lock only to snapshot and to install; a
    later claim (`index.building[key]` no longer `token`) wins and this result is dropped."""
    with _process.lock:
        if index.building.get(key) is not token:
            return
        ids, values = orders.snapshot(index, key)
        index.orders.pop(key, None)
        index.moved[key] = set()
    order = None
    try:
        order = orders.build_order(index, key, ids, values)
    finally:
        with _process.lock:
            if index.building.get(key) is token:
                del index.building[key]
                if order is not None:
                    index.orders[key] = order


def _rebuild_in_thread(index: FacetIndex, key: str, token: object) -> None:
    try:
        _rebuild(index, key, token)
    except Exception:  # the SQL path keeps answering; the next page claims it again
        log.exception("facet index: rebuilding the %s order failed", key)


def _start_rebuild(index: FacetIndex, key: str) -> None:
    """Under the lock: sort `key`'s order in a thread unless one already does."""
    if key in index.building:
        return
    thread = threading.Thread(
        target=_rebuild_in_thread,
        args=(index, key, _claim(index, key)),
        name=f"facet-order-{key}",
        daemon=True,
    )
    _process.rebuilds = [t for t in _process.rebuilds if t.is_alive()] + [thread]
    thread.start()


def refresh_orders(index: FacetIndex) -> None:
    """Bring every order up to date, blocking (ensure: tests, the command, the loading
    thread): moves in place, full rebuilds sorted outside the lock."""
    for key in orders.KEYS:
        with _process.lock:
            if key == "name" and not index.name_collation_ok:
                continue
            if _fresh_order(index, key) is not None:
                continue
            token = _claim(index, key)
        _rebuild(index, key, token)


def wait_for_rebuilds(timeout: float | None = None) -> None:
    """Join the order rebuild threads started by requests (tests, benchmarks)."""
    for thread in list(_process.rebuilds):
        thread.join(timeout)


def _at(index: FacetIndex, key: str, pk: int, value) -> bool:
    """Whether listed product `pk` still has sort value `value` in the index."""
    if pk not in index.active:
        return False
    if key == "price":
        return isinstance(value, Decimal) and int(index.price[pk]) == value * 100
    if key == "created":
        if not isinstance(value, datetime.datetime) or value.tzinfo is None:
            return False
        micros = (value - _EPOCH) // datetime.timedelta(microseconds=1)
        return int(index.created[pk]) == micros
    return index.names.get(pk) == value


_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def prune_changes(older_than: float = RETENTION) -> int:
    """Delete change rows older than `older_than` seconds (indexes that old are rebuilt)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM catalog_facetchange WHERE created_at < now() - make_interval(secs => %s)",
            [float(older_than)],
        )
        return cursor.rowcount
