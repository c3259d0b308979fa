"""Create the coupons that seeded content advertises (idempotent; an existing code is left alone).

The default home layout (`seed_layout`) shows a banner for WELCOME10: run this next to it
(`make run` and docker-compose.yml do), so every advertised code applies at checkout.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.management.base import BaseCommand

from apps.checkout.models import Coupon

DEMO_COUPONS = [
    # "10% off your first order": one use per customer.
    {
        "code": "WELCOME10",
        "kind": Coupon.Kind.PERCENT,
        "value": Decimal("10"),
        "per_customer_limit": 1,
    },
]


class Command(BaseCommand):
    help = "Create the coupons advertised by the seeded layout (WELCOME10) unless they exist."

    def handle(self, *args, **options) -> None:
        for fields in DEMO_COUPONS:
            coupon, created = Coupon.objects.get_or_create(
                code=fields["code"], defaults={k: v for k, v in fields.items() if k != "code"}
            )
            state = "created" if created else "already exists"
            self.stdout.write(f"Coupon {coupon.code} {state}.")
