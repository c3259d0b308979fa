"""Catalog admin: products with images, attributes and variants inline (each variant's stock per
warehouse on its own page, linked from the row), a variant-matrix generator, and no N+1 in any
changelist."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.http import HttpRequest

from . import inventory, services
from .models import (
    MAX_PRICE,
    AttributeDefinition,
    Category,
    Product,
    ProductAttribute,
    ProductImage,
    ProductType,
    Stock,
    Variant,
    Warehouse,
)


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    fields = ("image", "alt_text", "option_value", "is_primary", "sort_order")


class ProductAttributeInline(admin.TabularInline):
    model = ProductAttribute
    extra = 0
    autocomplete_fields = ("definition",)


class VariantInline(admin.TabularInline):
    model = Variant
    extra = 0
    fields = ("sku", "options", "price", "compare_at_price", "status", "sort_order", "units")
    readonly_fields = ("units",)
    show_change_link = True  # the variant's page edits its stock per warehouse

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(_units=inventory.stock_total())

    @admin.display(description="Stock")
    def units(self, variant: Variant) -> int:
        return getattr(variant, "_units", 0)


def _values(raw: str) -> list[str]:
    return [v.strip() for v in raw.split(",") if v.strip()]


class ProductForm(forms.ModelForm):
    """The product, plus the matrix generator: sizes × colours (comma separated) become
    variants with SKUs `<product SKU>-<colour>-<size>`; existing combinations are kept."""

    matrix_sizes = forms.CharField(
        required=False, label="Generate: sizes", help_text="e.g. 38, 39, 40 or S, M, L"
    )
    matrix_colours = forms.CharField(required=False, label="Generate: colours")
    matrix_price = forms.DecimalField(
        required=False,
        min_value=0,
        max_value=MAX_PRICE,
        max_digits=12,
        decimal_places=2,
        label="Generate: price",
    )

    class Meta:
        model = Product
        fields = (
            "sku",
            "slug",
            "name",
            "description",
            "category",
            "product_type",
            "primary_warehouse",
            "status",
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        wants = _values(cleaned.get("matrix_sizes", "")) or _values(
            cleaned.get("matrix_colours", "")
        )
        if wants and cleaned.get("matrix_price") is None:
            self.add_error("matrix_price", "Give the new variants a price.")
        return cleaned

    def matrix(self) -> dict[str, list[str]]:
        options = {}
        if sizes := _values(self.cleaned_data.get("matrix_sizes", "")):
            options["size"] = sizes
        if colours := _values(self.cleaned_data.get("matrix_colours", "")):
            options["colour"] = colours
        return options


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    form = ProductForm
    list_display = (
        "name",
        "sku",
        "category",
        "current_price",
        "variant_count",
        "status",
        "stock_units",
        "updated_at",
    )
    list_filter = ("status", "category", "product_type", "primary_warehouse")
    search_fields = ("name", "sku", "slug", "variants__sku")
    list_select_related = ("category",)
    list_per_page = 50
    show_full_result_count = False  # counting 100,000 rows on every changelist page is waste
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("category",)
    readonly_fields = ("current_price", "max_price", "on_sale", "created_at", "updated_at")
    inlines = (VariantInline, ProductImageInline, ProductAttributeInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        variants = (
            Variant.objects.filter(product=OuterRef("pk"))
            .order_by()
            .values("product")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .defer("search_vector")
            .annotate(
                _stock_units=inventory.stock_total("product"),
                _variants=Subquery(variants),
            )
        )

    @admin.display(description="Stock", ordering="_stock_units")
    def stock_units(self, product: Product) -> int:
        return product._stock_units

    @admin.display(description="Variants", ordering="_variants")
    def variant_count(self, product: Product) -> int:
        return product._variants or 0

    def save_related(self, request: HttpRequest, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        matrix = form.matrix()
        if matrix:
            created = services.generate_variants(
                form.instance, matrix, form.cleaned_data["matrix_price"]
            )
            messages.success(request, f"Generated {len(created)} variants.")
        services.refresh_variant_summary([form.instance.pk])


class StockInline(admin.TabularInline):
    model = Stock
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("warehouse")


@admin.register(Variant)
class VariantAdmin(admin.ModelAdmin):
    list_display = ("sku", "product", "option_label", "price", "status", "stock_units")
    list_filter = ("status",)
    search_fields = ("sku", "product__name")
    list_select_related = ("product",)
    list_per_page = 50
    show_full_result_count = False
    autocomplete_fields = ("product",)
    inlines = (StockInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .defer("product__description", "product__search_vector")
            .annotate(_stock_units=inventory.stock_total())
        )

    @admin.display(description="Stock", ordering="_stock_units")
    def stock_units(self, variant: Variant) -> int:
        return variant._stock_units


@admin.register(ProductType)
class ProductTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("product_attributes", "option_attributes")


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
