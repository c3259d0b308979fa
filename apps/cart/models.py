"""Cart: one per anonymous session (its id kept in the session) or per signed-in user.

Prices are never stored here: the cart always shows live catalog prices, and checkout snapshots
them into the order. Invariants are database constraints: a positive quantity, one line per
variant, one cart per user.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

MAX_LINE_QUANTITY = 99


class Cart(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="carts",
        on_delete=models.CASCADE,
    )
    # A code the shopper entered; the checkout app validates it every time totals are computed.
    coupon_code = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(user__isnull=False), name="cart_one_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"Cart {self.pk} ({self.user or 'anonymous'})"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, related_name="lines", on_delete=models.CASCADE)
    variant = models.ForeignKey("catalog.Variant", related_name="+", on_delete=models.CASCADE)
    quantity = models.PositiveIntegerField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="cartline_unique_variant"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="cartline_quantity_gt_0"),
            models.CheckConstraint(
                condition=Q(quantity__lte=MAX_LINE_QUANTITY), name="cartline_quantity_lte_max"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × variant {self.variant_id}"
