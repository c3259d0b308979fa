"""Catalog writes that other code needs: cache invalidation after catalog changes."""

from __future__ import annotations

from django.core.cache import cache

from .selectors import VERSION_KEY


def bump_catalog_version() -> None:
    """Invalidate every cached catalog read (metadata and facet counts) at once.

    Called by signal handlers on model saves and deletes, and by code that writes in bulk
    (bulk_create, queryset.update) where no signal fires.
    """
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)
