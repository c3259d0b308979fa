"""Publish the CMS pages the seeded home layout links to (idempotent: existing pages are kept).

The default home layout's "Why Hypershop" block links to /help/delivery/: run this next to
`seed_layout` (`make run` and docker-compose.yml do), so no seeded link is a 404.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from apps.pages.models import DynamicPage

DEMO_PAGES = [
    {
        "slug": "help/delivery",
        "title": "Delivery and returns",
        "meta_description": "How fast we deliver, what it costs, and how to send something back.",
        "body": (
            "<h2>Delivery</h2><p>We ship within <strong>two working days</strong> across Europe."
            "</p><h2>Returns</h2><p>Changed your mind? Send it back within 30 days for a full "
            'refund. <a href="/catalog/">Keep shopping</a>.</p>'
        ),
    },
]


class Command(BaseCommand):
    help = "Publish the CMS pages the default home layout links to, unless they exist."

    def handle(self, *args, **options) -> None:
        for fields in DEMO_PAGES:
            page, created = DynamicPage.objects.get_or_create(
                slug=fields["slug"],
                defaults={**fields, "is_published": True, "published_at": timezone.now()},
            )
            state = "published" if created else "already exists"
            self.stdout.write(f"Page /{page.slug}/ {state}.")
