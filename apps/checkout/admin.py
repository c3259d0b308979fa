"""Orders are records: staff can read them, never edit or delete them here."""

from __future__ import annotations

from django.contrib import admin

from .models import Coupon, Order, OrderLine


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class OrderLineInline(ReadOnlyMixin, admin.TabularInline):
    model = OrderLine
    extra = 0
    fields = ["sku", "name", "attributes", "unit_price", "quantity", "discount", "line_total"]
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["number", "created_at", "status", "email", "total", "currency"]
    list_filter = ["status", "shipping_method"]
    search_fields = ["number", "email", "full_name"]
    date_hierarchy = "created_at"
    inlines = [OrderLineInline]
    list_select_related = False


@admin.register(Coupon)
class CouponAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "kind",
        "value",
        "min_subtotal",
        "valid_until",
        "times_used",
        "usage_limit",
        "is_active",
    ]
    list_filter = ["kind", "is_active"]
    search_fields = ["code"]
    readonly_fields = ["times_used"]
