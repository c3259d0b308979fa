"""Wishlist items (one per user and product, with the price the shopper saw) and alert records."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class WishlistItem(models.Model):
    class SnapshotSource(models.TextChoices):
        # The price the browser recorded when the anonymous shopper hearted the product, accepted
        # because it passed services.trusted_snapshot().
        CLIENT = "client", "Browser snapshot"
        # The server's own price at the moment the item was stored (signed-in hearts, or a browser
        # snapshot that could not be trusted).
        SERVER = "server", "Server price"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="wishlist_items", on_delete=models.CASCADE
    )
    product = models.ForeignKey(
        "catalog.Product", related_name="wishlist_items", on_delete=models.CASCADE
    )
    # The variant the shopper was looking at when they saved the product (a size, a colour):
    # its price is the snapshot and alerts follow it ("size 42 is back"). Null: the product's
    # "from" price and any variant's stock.
    variant = models.ForeignKey(
        "catalog.Variant", null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    price_snapshot = models.DecimalField(max_digits=12, decimal_places=2)
    snapshot_source = models.CharField(
        max_length=6, choices=SnapshotSource.choices, default=SnapshotSource.SERVER
    )
    # When the shopper saved it (the browser's addedAt for merged items): the earliest wins.
    added_at = models.DateTimeField(default=timezone.now)
    # Stock as the shop last saw it for this item: at save time, then at every alert run. The
    # "back in stock" badge compares against in_stock_at_save; alerts against stock_seen.
    in_stock_at_save = models.BooleanField(default=True)
    stock_seen = models.BooleanField(default=True)
    # Lowest price a price-drop alert was sent for: a new alert needs a price below this.
    alerted_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["-added_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "product"], name="wishlist_unique_user_product"
            ),
            models.CheckConstraint(
                condition=Q(price_snapshot__gte=0), name="wishlist_snapshot_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(alerted_price__isnull=True) | Q(alerted_price__gte=0),
                name="wishlist_alerted_price_gte_0",
            ),
        ]
        indexes = [models.Index(fields=["product", "user"], name="wishlist_product_user")]

    def __str__(self) -> str:
        return f"{self.user_id} ♥ {self.product_id} @ {self.price_snapshot}"


class WishlistAlert(models.Model):
    """One notification sent about one item: the record that makes the alert run idempotent."""

    class Kind(models.TextChoices):
        PRICE_DROP = "price_drop", "Price drop"
        BACK_IN_STOCK = "back_in_stock", "Back in stock"

    item = models.ForeignKey(WishlistItem, related_name="alerts", on_delete=models.CASCADE)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            # A price drop is announced once per price; the stock episode is tracked on the item.
            models.UniqueConstraint(
                fields=["item", "price"],
                condition=Q(kind="price_drop"),
                name="wishlist_alert_once_per_drop",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for item {self.item_id} at {self.price}"


class AlertOptOut(models.Model):
    """A shopper who followed the opt-out link: no more wishlist e-mails."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, related_name="wishlist_alert_opt_out", on_delete=models.CASCADE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"opt-out {self.user_id}"
