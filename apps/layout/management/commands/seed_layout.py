"""Give the home page a default published layout (idempotent: does nothing if it has blocks)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from apps.layout import services
from apps.layout.defaults import default_home_blocks
from apps.layout.selectors import page_blocks_query


class Command(BaseCommand):
    help = "Publish a default home layout (hero, grids, banner, tiles) unless one exists."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--reset", action="store_true", help="Replace the current home layout.")

    def handle(self, *args, reset: bool = False, **options) -> None:
        existing = page_blocks_query("home")
        if existing.exists() and not reset:
            self.stdout.write("Home layout already published; nothing to do.")
            return
        if reset:
            existing.delete()
        revision = services.publish_initial(default_home_blocks(), "home")
        self.stdout.write(
            self.style.SUCCESS(f"Published the default home layout (v{revision.version}).")
        )
