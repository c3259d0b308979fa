"""Catalog writes that other code needs: cache invalidation after catalog changes."""

from __future__ import annotations

from .selectors import CATALOG_VERSION


def bump_catalog_version() -> None:
    """Invalidate every cached catalog read (metadata and facet counts) at once.

    Called by signal handlers on model saves and deletes, and by code that writes in bulk
    (bulk_create, queryset.update) where no signal fires.
    """
    CATALOG_VERSION.bump()
