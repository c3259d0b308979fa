"""`manage.py send_wishlist_alerts`: run from cron; safe to run twice or concurrently."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from apps.wishlist import alerts


class Command(BaseCommand):
    help = "E-mail shoppers once per wishlist price drop and once per return to stock."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=200, help="Shoppers per batch.")
        parser.add_argument(
            "--base-url",
            default=getattr(settings, "SHOP_BASE_URL", "http://localhost:8000"),
            help="Absolute address of the shop, for links in the e-mails.",
        )
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(self, *args, **options) -> None:
        batch_size = max(1, options["batch_size"])
        user_ids = alerts.recipient_ids()
        with tqdm(
            total=len(user_ids),
            unit="shopper",
            desc="Wishlist alerts",
            # The raw stream: OutputWrapper would end every redraw of the bar with a newline.
            file=getattr(self.stderr, "_out", self.stderr),
            disable=options["no_progress"] or options["verbosity"] == 0,
        ) as bar:
            stats = alerts.send_alerts(
                options["base_url"], batch_size, progress=bar.update, user_ids=user_ids
            )
        self.stdout.write(
            f"{stats.emails} e-mails: {stats.price_drops} price drops, "
            f"{stats.back_in_stock} back in stock."
        )
        if stats.failed:
            # A non-zero exit for cron; nothing was recorded for these, the next run retries.
            raise CommandError(f"{stats.failed} e-mails could not be sent; the next run retries.")
