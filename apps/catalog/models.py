"""Catalog: categories, product types, products and their variants, images, attributes,
warehouses and stock.

A product is what a shopper browses; a `Variant` is what they buy (a SKU with its own option
values, price and stock). A product type says which attributes describe its products (brand,
material: product attributes, filterable) and which are options that make variants (size,
colour). A product without options has exactly one variant with no option values.

Invariants live in the database: prices from 0 to `MAX_PRICE`, non-negative quantities, unique
SKUs and slugs, one
variant per combination of option values, at most one primary image per product, one stock row
per variant and warehouse.

`Product.current_price`, `compare_at_price`, `max_price`, `on_sale`, `has_options` and
`swatches` are a read
model of the product's active variants (the "from" price the listing sorts and filters by, the
sale badge, the colour swatches), rewritten by `services.refresh_variant_summary` on every
variant write; nothing else writes them.
"""

from __future__ import annotations

import functools
from decimal import Decimal

from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import get_script_prefix, reverse

_SLUG_MARK = "slug-placeholder"
# The highest price a variant may have: the facet index keys a price as 31 bits of cents
# (apps/catalog/facetindex/index.py), so a dearer product would filter wrongly there.
MAX_PRICE = Decimal("21474836.47")


@functools.cache
def _product_url_pattern(script_prefix: str) -> str:
    return reverse("catalog:product", kwargs={"slug": _SLUG_MARK})


@functools.cache
def _category_url_pattern(script_prefix: str) -> str:
    return reverse("catalog:category", kwargs={"path": _SLUG_MARK})


def category_url(path: str) -> str:
    """`/catalog/<path>/` without a reverse() per link (paths are slugs joined by "/")."""
    return _category_url_pattern(get_script_prefix()).replace(_SLUG_MARK, path)


class Category(models.Model):
    parent = models.ForeignKey(
        "self", null=True, blank=True, related_name="children", on_delete=models.PROTECT
    )
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120)
    # Materialised path of slugs ("men/shoes"): one indexed lookup for /catalog/<path>/ and a
    # prefix match for "this category and everything below it".
    path = models.CharField(max_length=500, unique=True, editable=False)
    sort_order = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "slug"], name="category_unique_slug_in_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.path or self.name

    def save(self, *args, **kwargs) -> None:
        self.path = self.build_path()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return category_url(self.path)

    def build_path(self) -> str:
        return f"{self.parent.path}/{self.slug}" if self.parent_id else self.slug


class Warehouse(models.Model):
    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=120)

    def __str__(self) -> str:
        return self.name


class ProductType(models.Model):
    """Which attributes describe a kind of product and which are options that make variants."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    product_attributes = models.ManyToManyField(
        "AttributeDefinition", related_name="described_types", blank=True
    )
    option_attributes = models.ManyToManyField(
        "AttributeDefinition", related_name="option_types", blank=True
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        ARCHIVED = "archived", "Archived"

    sku = models.CharField(max_length=64, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.ForeignKey(Category, related_name="products", on_delete=models.PROTECT)
    product_type = models.ForeignKey(
        ProductType, null=True, blank=True, related_name="products", on_delete=models.PROTECT
    )
    primary_warehouse = models.ForeignKey(
        Warehouse, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    # Read model of the active variants (see the module docstring): the lowest price, its
    # compare-at price, the highest price, whether any variant is on sale, the colours offered.
    current_price = models.DecimalField(max_digits=12, decimal_places=2, default=0, editable=False)
    compare_at_price = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, editable=False
    )
    max_price = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, editable=False
    )
    on_sale = models.BooleanField(default=False, editable=False)
    # The shopper must choose options (more than one active variant) before adding to cart.
    has_options = models.BooleanField(default=False, editable=False)
    swatches = models.JSONField(default=list, blank=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Kept up to date by a PostgreSQL trigger (see migrations); unused on SQLite.
    search_vector = SearchVectorField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(current_price__gte=0), name="product_price_gte_0"),
            models.CheckConstraint(
                condition=Q(compare_at_price__isnull=True) | Q(compare_at_price__gte=0),
                name="product_compare_at_price_gte_0",
            ),
        ]
        indexes = [
            # One index per listing sort, over exactly the listed products (active, with an active
            # variant: filters.filtered_products). Every sort ends with the pk as tie-breaker, so
            # (column, id) is also the cursor's key (apps.catalog.cursor): "load more" is a range
            # scan from the cursor, read forwards for the ascending sorts and backwards for the
            # descending ones; a numbered page's OFFSET is an index-only walk (no heap fetch per
            # skipped row: the partial index's condition answers the WHERE clause).
            *(
                models.Index(
                    fields=[column, "id"],
                    name=f"product_listing_{short}_id",
                    condition=Q(status="active", max_price__isnull=False),
                )
                for column, short in (
                    ("current_price", "price"),
                    ("created_at", "created"),
                    ("name", "name"),
                )
            ),
            models.Index(fields=["category", "status"], name="product_category_status"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"

    def get_absolute_url(self) -> str:
        # A page of cards calls this dozens of times: reverse() once per script prefix.
        return _product_url_pattern(get_script_prefix()).replace(_SLUG_MARK, self.slug)

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class Variant(models.Model):
    """A sellable SKU of a product: one value per option of the product type, its own price,
    compare-at price, status and stock per warehouse."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"

    product = models.ForeignKey(Product, related_name="variants", on_delete=models.CASCADE)
    sku = models.CharField(max_length=64, unique=True)
    # {attribute slug: value}, e.g. {"colour": "Red", "size": "42"}; {} for a default variant.
    options = models.JSONField(default=dict, blank=True)
    price = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        validators=[MaxValueValidator(MAX_PRICE, "A price can be at most %(limit_value)s.")],
    )
    compare_at_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["product", "options"], name="variant_unique_options"),
            models.CheckConstraint(condition=Q(price__gte=0), name="variant_price_gte_0"),
            models.CheckConstraint(
                condition=Q(price__lte=MAX_PRICE),
                name="variant_price_lte_max",
                violation_error_message=f"A price can be at most {MAX_PRICE}.",
            ),
            models.CheckConstraint(
                condition=Q(compare_at_price__isnull=True) | Q(compare_at_price__gte=0),
                name="variant_compare_at_price_gte_0",
            ),
        ]
        indexes = [models.Index(fields=["product", "status"], name="variant_product_status")]

    def __str__(self) -> str:
        label = self.option_label
        return f"{self.sku} ({label})" if label else self.sku

    def save(self, *args, **kwargs) -> None:
        # One spelling per combination (key order) so the unique constraint sees duplicates.
        self.options = {str(k): str(v) for k, v in sorted((self.options or {}).items())}
        super().save(*args, **kwargs)

    @property
    def option_label(self) -> str:
        """ "42 / Red" (values in key order); "" for a default variant."""
        return " / ".join(str(v) for v in self.options.values())

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


def product_image_path(instance: ProductImage, filename: str) -> str:
    return f"products/{instance.product_id}/{filename}"


class ProductImage(models.Model):
    product = models.ForeignKey(Product, related_name="images", on_delete=models.CASCADE)
    image = models.ImageField(
        upload_to=product_image_path, width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    alt_text = models.CharField(max_length=200, blank=True)
    is_primary = models.BooleanField(default=False)
    sort_order = models.PositiveIntegerField(default=0)
    # Shown for the variants with this option value (a colour's pictures, shared by every size
    # of that colour); blank: shown for every variant.
    option_value = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["product"],
                condition=Q(is_primary=True),
                name="one_primary_image_per_product",
            ),
        ]

    def __str__(self) -> str:
        return self.alt_text or self.image.name

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        if self.image:
            from .images import make_renditions

            make_renditions(self.image.name, self.image.storage)

    @property
    def srcset(self) -> str:
        from .images import srcset

        return srcset(self.image.name, self.image.url, self.width, self.image.storage)


class AttributeDefinition(models.Model):
    class Kind(models.TextChoices):
        CHOICE = "choice", "Choice"
        NUMBER = "number", "Number"
        BOOLEAN = "boolean", "Yes/no"

    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CHOICE)
    unit = models.CharField(max_length=20, blank=True)
    filterable = models.BooleanField(default=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class ProductAttribute(models.Model):
    """One value of one attribute for one product (a product may have several colours)."""

    product = models.ForeignKey(Product, related_name="attributes", on_delete=models.CASCADE)
    definition = models.ForeignKey(
        AttributeDefinition, related_name="values", on_delete=models.CASCADE
    )
    value = models.CharField(max_length=120)

    class Meta:
        ordering = ["definition__sort_order", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "definition", "value"], name="product_attribute_unique_value"
            ),
        ]
        indexes = [
            models.Index(fields=["definition", "value", "product"], name="attr_def_value_product"),
        ]

    def __str__(self) -> str:
        return f"{self.definition}: {self.value}"


class Stock(models.Model):
    variant = models.ForeignKey(Variant, related_name="stock", on_delete=models.CASCADE)
    warehouse = models.ForeignKey(Warehouse, related_name="stock", on_delete=models.PROTECT)
    quantity = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["variant", "warehouse"], name="stock_unique_variant_warehouse"
            ),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stock_quantity_gte_0"),
        ]
        indexes = [models.Index(fields=["variant", "quantity"], name="stock_variant_quantity")]

    def __str__(self) -> str:
        return f"{self.variant_id}@{self.warehouse_id}: {self.quantity}"


class FacetChange(models.Model):
    """A product touched by a catalog write, appended by database triggers in the writing
    transaction (migration 0006): the facet index re-reads these products. Never written by
    Django; pruned by `facetindex.prune_changes`."""

    product_id = models.BigIntegerField()
    # The writing transaction's id (pg_current_xact_id): readers take every row of transactions
    # that were not yet visible to their previous snapshot.
    xid = models.BigIntegerField(db_index=True)
    created_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"product {self.product_id} (transaction {self.xid})"


class OptionValue(models.Model):
    """Every (option slug, value) pair a variant has had: the option half of the facet
    vocabulary (selectors.catalog_meta), read in one index scan instead of unpacking every
    variant's `options` (2.7-3.6 s at 100,000 products, over the statement timeout at a
    million). Kept by statement-level triggers on variant inserts and updates (migration 0007),
    so no write path can forget it. Values are never removed: one no active variant has any
    more counts 0 in the facets, which hide it.

    PostgreSQL only; on SQLite (the embedded `make run` shop, a few hundred products) the
    vocabulary still scans the variants."""

    key = models.TextField()
    value = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "value"], name="catalog_optionvalue_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key}={self.value}"
