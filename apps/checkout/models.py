"""Checkout: coupons, orders and their line snapshots.

An order copies everything it shows (SKU, name, attributes, prices) so that later catalog edits
or deletions never change it; `OrderLine.product` is only a convenience link and becomes NULL
when the product is deleted.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse


class Coupon(models.Model):
    class Kind(models.TextChoices):
        PERCENT = "percent", "Percentage"
        FIXED = "fixed", "Fixed amount"

    code = models.CharField(max_length=40, unique=True, help_text="Stored upper-case.")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PERCENT)
    value = models.DecimalField(max_digits=12, decimal_places=2)
    min_subtotal = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    usage_limit = models.PositiveIntegerField(null=True, blank=True)
    per_customer_limit = models.PositiveIntegerField(null=True, blank=True)
    times_used = models.PositiveIntegerField(default=0, editable=False)
    is_active = models.BooleanField(default=True)
    # Scope (optional): with neither set the coupon discounts the whole cart; otherwise only the
    # lines whose product is listed or sits in a listed category or one of its subcategories.
    products = models.ManyToManyField(
        "catalog.Product",
        blank=True,
        related_name="+",
        help_text="Only these products (with the categories below, if any). Empty: any product.",
    )
    categories = models.ManyToManyField(
        "catalog.Category",
        blank=True,
        related_name="+",
        help_text="Only products in these categories or their subcategories.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(value__gt=0), name="coupon_value_gt_0"),
            models.CheckConstraint(
                condition=~Q(kind="percent") | Q(value__lte=100), name="coupon_percent_lte_100"
            ),
            models.CheckConstraint(condition=Q(min_subtotal__gte=0), name="coupon_min_gte_0"),
            models.CheckConstraint(
                condition=Q(usage_limit__isnull=True) | Q(times_used__lte=F("usage_limit")),
                name="coupon_used_within_limit",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        # Before validate_unique (full_clean runs clean first), so "summer10" is checked as
        # "SUMMER10" and a duplicate is a form error, not an IntegrityError.
        self.code = (self.code or "").strip().upper()

    def save(self, *args, **kwargs) -> None:
        self.code = self.code.strip().upper()
        super().save(*args, **kwargs)


def new_order_number() -> str:
    """Short, unguessable, easy to read out on the phone."""
    return "HS-" + secrets.token_hex(5).upper()


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending", "Awaiting payment"
        PAID = "paid", "Paid"
        PARTIALLY_SHIPPED = "partially_shipped", "Partially fulfilled"
        SHIPPED = "shipped", "Shipped"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "Cancelled"
        REFUNDED = "refunded", "Refunded"

    number = models.CharField(max_length=20, unique=True, default=new_order_number, editable=False)
    # The idempotency key: a repeated or concurrent submit of one checkout finds this order.
    checkout_token = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="orders",
        on_delete=models.SET_NULL,
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING_PAYMENT)
    email = models.EmailField()
    full_name = models.CharField(max_length=150)
    phone = models.CharField(max_length=40, blank=True)
    address_line1 = models.CharField(max_length=200)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    postal_code = models.CharField(max_length=20)
    country = models.CharField(max_length=2)
    shipping_method = models.CharField(max_length=20)
    shipping_method_name = models.CharField(max_length=60)
    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(max_digits=12, decimal_places=2)
    discount_total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    shipping_total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    coupon_code = models.CharField(max_length=40, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    payment_reference = models.CharField(max_length=80, blank=True)
    payment_message = models.CharField(max_length=200, blank=True)
    # Lifecycle (apps.checkout.lifecycle): what the gateway confirmed, what went back.
    paid_total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    refunded_total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    shipping_refunded = models.BooleanField(default=False)
    paid_at = models.DateTimeField(null=True, blank=True)
    # The cart it was placed from: while this order awaits payment that cart cannot become a
    # second order (a plain id, not a foreign key: carts come and go, orders stay).
    cart_id = models.BigIntegerField(null=True, blank=True, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(subtotal__gte=0), name="order_subtotal_gte_0"),
            models.CheckConstraint(condition=Q(discount_total__gte=0), name="order_discount_gte_0"),
            models.CheckConstraint(condition=Q(shipping_total__gte=0), name="order_shipping_gte_0"),
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_gte_0"),
            models.CheckConstraint(
                condition=Q(refunded_total__gte=0) & Q(refunded_total__lte=F("paid_total")),
                name="order_refunded_within_paid",
            ),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="order_user_created")]
        permissions = [("manage_orders", "Can fulfil, ship, cancel and refund orders")]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("checkout:order", kwargs={"number": self.number})

    @property
    def payment_state(self) -> str:
        """What the shopper's money did: shown beside the status."""
        if not self.paid_total:
            return "Not paid"
        if not self.refunded_total:
            return "Paid"
        if self.refunded_total < self.paid_total:
            return "Partially refunded"
        return "Refunded"

    @property
    def refundable(self):
        return self.paid_total - self.refunded_total


class OrderLine(models.Model):
    order = models.ForeignKey(Order, related_name="lines", on_delete=models.CASCADE)
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    variant = models.ForeignKey(
        "catalog.Variant", null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    attributes = models.JSONField(default=dict, blank=True)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    quantity = models.PositiveIntegerField()
    line_total = models.DecimalField(max_digits=12, decimal_places=2)
    discount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    # [[stock_id, quantity], ...] taken at placement, so a cancelled order returns exactly these.
    allocations = models.JSONField(default=list, blank=True, editable=False)
    quantity_shipped = models.PositiveIntegerField(default=0)
    quantity_refunded = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity_shipped__lte=F("quantity")), name="orderline_shipped_lte_qty"
            ),
            models.CheckConstraint(
                condition=Q(quantity_refunded__lte=F("quantity")),
                name="orderline_refunded_lte_qty",
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orderline_quantity_gt_0"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="orderline_price_gte_0"),
            models.CheckConstraint(condition=Q(line_total__gte=0), name="orderline_total_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name}"


class CouponRedemption(models.Model):
    """One use of a coupon by one order; counted under the coupon's row lock."""

    coupon = models.ForeignKey(Coupon, related_name="redemptions", on_delete=models.PROTECT)
    order = models.OneToOneField(Order, related_name="redemption", on_delete=models.CASCADE)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["coupon", "email"], name="redemption_coupon_email")]

    def __str__(self) -> str:
        return f"{self.coupon} on {self.order}"


class OrderEvent(models.Model):
    """One step of an order's life: who did what, when, for how much. Append-only."""

    class Kind(models.TextChoices):
        PLACED = "placed", "Order placed"
        PAYMENT_PENDING = "payment_pending", "Payment awaiting confirmation"
        PAID = "paid", "Payment confirmed"
        PAYMENT_FAILED = "payment_failed", "Payment failed"
        SHIPPED = "shipped", "Shipped"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "Cancelled"
        REFUNDED = "refunded", "Refunded"
        NOTE = "note", "Internal note"

    class Actor(models.TextChoices):
        CUSTOMER = "customer", "Customer"
        STAFF = "staff", "Staff"
        GATEWAY = "gateway", "Payment provider"
        SYSTEM = "system", "Shop"

    order = models.ForeignKey(Order, related_name="events", on_delete=models.CASCADE)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.CharField(max_length=10, choices=Actor.choices, default=Actor.SYSTEM)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    message = models.CharField(max_length=500, blank=True)
    # Lines ({line_id: quantity}), carrier and tracking number, gateway reference...
    data = models.JSONField(default=dict, blank=True)
    # Staff notes and e-mail records are not shown to the shopper.
    internal = models.BooleanField(default=False)
    # A repeated submit (double click, retried request) of one operation finds its first event.
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["order", "created_at"], name="orderevent_order_created")]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.get_kind_display()}"

    @property
    def tracking_url(self) -> str:
        from .shipping import tracking_url

        return tracking_url(self.data.get("carrier", ""), self.data.get("tracking_number", ""))


class PaymentWebhookEvent(models.Model):
    """Every gateway event id seen once: a repeated delivery is acknowledged and ignored."""

    event_id = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=40)
    order_number = models.CharField(max_length=20, blank=True)
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.event_id


class TestGatewayCharge(models.Model):
    """The built-in test gateway's own ledger (what a real provider keeps on its side), so that
    status lookups, refunds and webhooks work across processes (web and worker)."""

    __test__ = False  # not a pytest test class

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        AUTHORISED = "authorised", "Authorised"
        CAPTURED = "captured", "Captured"
        FAILED = "failed", "Failed"
        VOIDED = "voided", "Voided"

    reference = models.CharField(max_length=40, unique=True)
    order_reference = models.CharField(max_length=40, unique=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=12, choices=Status.choices)
    refunded = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    refund_keys = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.reference
