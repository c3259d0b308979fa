"""Build the facet index, share it (Redis) and prune the change log.

Run it at deploy and every few minutes (cron, or the worker's schedule): processes then load a
fresh shared copy instead of building their own, and the change log stays short. Safe to run
at any time and from several hosts: a build reads one snapshot and the copy records the
transaction horizon it covers, so the change log brings any copy up to date.
"""

from __future__ import annotations

import pickle
import time

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from apps.catalog import facetindex
from apps.catalog.facetindex import source


class Command(BaseCommand):
    help = "Build and share the facet index; prune old change-log rows."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-prune", action="store_true")

    def handle(self, *args, no_prune: bool = False, **options) -> None:
        if connection.vendor != "postgresql":
            self.stdout.write("The facet index runs on PostgreSQL only; nothing to do.")
            return
        started = time.perf_counter()
        index = source.build()
        source.sync(index)
        facetindex.publish(index)
        size = len(pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL)) / 1e6
        self.stdout.write(
            f"facet index: {len(index.active):,} products, {len(index.slots)} variant slots, "
            f"{size:.1f} MB, built in {time.perf_counter() - started:.1f} s"
        )
        if not no_prune:
            pruned = facetindex.prune_changes()
            self.stdout.write(f"change log: {pruned:,} rows older than an hour pruned")
