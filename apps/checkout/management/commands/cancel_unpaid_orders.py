"""Settle orders stuck awaiting payment by asking the gateway (the worker also runs this every
5 minutes as apps.checkout.tasks.reconcile_payments)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from apps.checkout.reconcile import reconcile


class Command(BaseCommand):
    help = (
        "Ask the payment gateway about orders awaiting payment for longer than --minutes: "
        "mark the paid ones paid, cancel and restock the others."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--minutes", type=int, default=30)

    def handle(self, *args, minutes: int, **options) -> None:
        outcome = reconcile(after_minutes=minutes, expiry_minutes=minutes)
        self.stdout.write(
            f"Paid {outcome.paid}, cancelled {outcome.cancelled} unpaid order(s); "
            f"{outcome.waiting} still waiting, {outcome.unreachable} not answered."
        )
