"""Redis keys for published renders. Draft renders never come near these.

Keys carry the page's layout version (bumped by every publish) and the catalog version (bumped
by any product, price, stock, image or category change), so invalidation is a version bump.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db import transaction

from apps.catalog.listing import STOCK_LAG

VERSION_TTL = 60  # bounds the window in which a reader racing a publish can pin the old version
BLOCKS_TTL = 24 * 3600
# Checkout's stock updates send no signal: stock shown in a cached grid may lag by this much,
# the same bound as the catalog's (checkout re-checks stock under lock). Prices never lag: every
# price write bumps the catalog version in the key.
RENDER_TTL = STOCK_LAG
CATALOG_VERSION_KEY = "layout:catalog-version"


def version_key(page: str) -> str:
    return f"layout:version:{page}"


def blocks_key(page: str, version: int) -> str:
    return f"layout:blocks:{page}:v{version}"


def render_key(page: str, block_pk: int, rev: int, version: int, catalog_version: int) -> str:
    return f"layout:render:{page}:b{block_pk}:r{rev}:v{version}:c{catalog_version}"


def catalog_version() -> int:
    value = cache.get(CATALOG_VERSION_KEY)
    if value is None:
        # A time-based start, so a lost key never brings back renders cached under an old value.
        value = int(time.time() * 1000)
        cache.add(CATALOG_VERSION_KEY, value, None)
        value = cache.get(CATALOG_VERSION_KEY) or value
    return int(value)


def _bump() -> None:
    try:
        cache.incr(CATALOG_VERSION_KEY)
    except ValueError:
        catalog_version()


def bump_catalog_version(**_kwargs) -> None:
    """Now, and again after commit: a page rendered between the two (from the rows as they were
    before the write committed) would otherwise stay cached under the new value."""
    _bump()
    transaction.on_commit(_bump)


def forget_version(page: str) -> None:
    """Drop the cached version now and again after commit; readers then ask the database."""
    cache.delete(version_key(page))
    transaction.on_commit(lambda: cache.delete(version_key(page)))
