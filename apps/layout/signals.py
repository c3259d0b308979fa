"""Catalog changes (prices, stock, images, categories) invalidate cached block renders."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from apps.catalog.models import (
    Category,
    Product,
    ProductAttribute,
    ProductImage,
    Stock,
    Variant,
)

from .cache import bump_catalog_version


def connect() -> None:
    for model in (Product, Variant, Stock, ProductImage, Category, ProductAttribute):
        post_save.connect(
            bump_catalog_version, sender=model, dispatch_uid=f"layout-cv-save-{model.__name__}"
        )
        post_delete.connect(
            bump_catalog_version, sender=model, dispatch_uid=f"layout-cv-del-{model.__name__}"
        )
