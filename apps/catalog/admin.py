"""Catalog admin: products with images, attributes and stock inline; no N+1 in the changelist."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from .models import (
    AttributeDefinition,
    Category,
    Product,
    ProductAttribute,
    ProductImage,
    Stock,
    Warehouse,
)


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    fields = ("image", "alt_text", "is_primary", "sort_order")


class ProductAttributeInline(admin.TabularInline):
    model = ProductAttribute
    extra = 0
    autocomplete_fields = ("definition",)


class StockInline(admin.TabularInline):
    model = Stock
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("warehouse")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "sku",
        "category",
        "current_price",
        "status",
        "stock_units",
        "updated_at",
    )
    list_filter = ("status", "category", "primary_warehouse")
    search_fields = ("name", "sku", "slug")
    list_select_related = ("category",)
    list_per_page = 50
    show_full_result_count = False  # counting 100,000 rows on every changelist page is waste
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("category",)
    readonly_fields = ("created_at", "updated_at")
    inlines = (ProductImageInline, ProductAttributeInline, StockInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .defer("search_vector")
            .annotate(_stock_units=Coalesce(Sum("stock__quantity"), 0))
        )

    @admin.display(description="Stock", ordering="_stock_units")
    def stock_units(self, product: Product) -> int:
        return product._stock_units


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("path", "name", "parent", "sort_order", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "path")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)
    readonly_fields = ("path",)


@admin.register(AttributeDefinition)
class AttributeDefinitionAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "kind", "unit", "filterable", "sort_order")
    list_filter = ("kind", "filterable")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")
