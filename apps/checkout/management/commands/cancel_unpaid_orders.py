"""Cancel orders stuck awaiting payment and give their stock back (run from cron)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from apps.checkout.services import cancel_stale_orders


class Command(BaseCommand):
    help = "Cancel orders awaiting payment for longer than --minutes and return their stock."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--minutes", type=int, default=30)

    def handle(self, *args, minutes: int, **options) -> None:
        count = cancel_stale_orders(minutes)
        self.stdout.write(f"Cancelled {count} unpaid order(s).")
