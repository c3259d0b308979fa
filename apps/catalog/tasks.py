"""Catalog background work (apps.core.tasks): keep the facet index's shared copy fresh.

Every 10 minutes the worker brings its own index up to date from the change log (a full build
the first time), publishes it to Redis and prunes change rows older than an hour. A shop
process that starts then loads a copy at most 10 minutes behind (one change-log query brings it
forward) instead of building its own; without this job a new process builds once the shared
copy is older than facetindex.MAX_AGE.
"""

from __future__ import annotations

from django.tasks import task

from apps.core.tasks import every, retried


@task
def refresh_facet_index() -> dict:
    from . import facetindex

    index = facetindex.ensure(share=False)
    if index is None:  # SQLite: the index is not used there
        return {"products": 0, "pruned": 0}
    facetindex.publish(index)
    return {"products": len(index.active), "pruned": facetindex.prune_changes()}


retried(refresh_facet_index, attempts=2)
every(refresh_facet_index, minutes=10)
