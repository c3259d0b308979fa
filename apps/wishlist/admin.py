from django.contrib import admin

from .models import AlertOptOut, WishlistAlert, WishlistItem


@admin.register(WishlistItem)
class WishlistItemAdmin(admin.ModelAdmin):
    list_display = ["user", "product", "price_snapshot", "snapshot_source", "added_at"]
    list_select_related = ["user", "product"]
    raw_id_fields = ["user", "product"]
    search_fields = ["user__username", "product__name", "product__sku"]


@admin.register(WishlistAlert)
class WishlistAlertAdmin(admin.ModelAdmin):
    list_display = ["item", "kind", "price", "sent_at"]
    list_filter = ["kind"]
    raw_id_fields = ["item"]


@admin.register(AlertOptOut)
class AlertOptOutAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    raw_id_fields = ["user"]
