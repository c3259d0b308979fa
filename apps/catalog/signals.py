"""Model saves and deletes that change what the catalog shows invalidate its cached reads."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from .models import (
    AttributeDefinition,
    Category,
    Product,
    ProductAttribute,
    ProductImage,
    ProductType,
    Stock,
    Variant,
)
from .services import bump_catalog_version, refresh_variant_summary

# ProductImage too: cached cards show the primary image.
WATCHED = (
    Category,
    Product,
    ProductImage,
    ProductAttribute,
    AttributeDefinition,
    Stock,
    Variant,
    ProductType,
)


def _variant_changed(sender, instance: Variant, **kwargs) -> None:
    refresh_variant_summary([instance.product_id])


def _invalidate(sender, **kwargs) -> None:
    # Now, and again after commit: a reader between the two could have re-cached the old state.
    bump_catalog_version()
    transaction.on_commit(bump_catalog_version)


def connect() -> None:
    post_save.connect(_variant_changed, sender=Variant, dispatch_uid="catalog-variant-summary")
    post_delete.connect(
        _variant_changed, sender=Variant, dispatch_uid="catalog-variant-summary-del"
    )
    for model in WATCHED:
        post_save.connect(_invalidate, sender=model, dispatch_uid=f"catalog-cache-{model.__name__}")
        post_delete.connect(
            _invalidate, sender=model, dispatch_uid=f"catalog-cache-del-{model.__name__}"
        )
