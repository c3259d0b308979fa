"""Catalog writes that other code needs: cache invalidation, the variant summary columns."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.core.cache import cache

from .models import Product, Variant
from .selectors import VERSION_KEY

# The option whose values a card shows as swatches.
SWATCH_OPTION = "colour"


def bump_catalog_version() -> None:
    """Invalidate every cached catalog read (metadata and facet counts) at once.

    Called by signal handlers on model saves and deletes, and by code that writes in bulk
    (bulk_create, queryset.update) where no signal fires.
    """
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)


def refresh_variant_summary(product_ids: Iterable[int]) -> None:
    """Rewrite the products' summary columns from their active variants (see models): the
    lowest price and its compare-at price, the highest price, any variant on sale, the colours.
    One read and one bulk write whatever the number of products."""
    ids = sorted({int(i) for i in product_ids})
    if not ids:
        return
    rows = (
        Variant.objects.filter(product_id__in=ids, status=Variant.Status.ACTIVE)
        .values_list("product_id", "price", "compare_at_price", "options")
        .order_by("product_id", "sort_order", "pk")
    )
    summaries: dict[int, list] = {}
    counts: dict[int, int] = {}
    for pid, price, compare_at, options in rows:
        counts[pid] = counts.get(pid, 0) + 1
        summary = summaries.setdefault(pid, [price, compare_at, price, False, []])
        if price < summary[0]:
            summary[0], summary[1] = price, compare_at
        summary[2] = max(summary[2], price)
        summary[3] = summary[3] or (compare_at is not None and compare_at > price)
        colour = options.get(SWATCH_OPTION)
        if colour and colour not in summary[4]:
            summary[4].append(colour)
    products = list(Product.objects.filter(pk__in=ids).only("pk"))
    for product in products:
        low, compare_at, high, on_sale, swatches = summaries.get(
            product.pk, [Decimal("0.00"), None, None, False, []]
        )
        product.current_price, product.compare_at_price = low, compare_at
        product.max_price, product.on_sale, product.swatches = high, on_sale, swatches
        product.has_options = counts.get(product.pk, 0) > 1
    Product.objects.bulk_update(
        products,
        ["current_price", "compare_at_price", "max_price", "on_sale", "has_options", "swatches"],
        batch_size=500,  # one CASE per column and row: small batches keep each UPDATE linear
    )
    bump_catalog_version()


def generate_variants(
    product: Product, options: dict[str, list[str]], price: Decimal
) -> list[Variant]:
    """Every combination of `options` ({"size": [...], "colour": [...]}) as a variant of
    `product` priced `price`, SKU `<product SKU>-<colour>-<size>`; combinations that exist are
    left alone. The product's default variant (no options) is retired when options arrive."""
    import itertools

    from django.db import transaction
    from django.utils.text import slugify

    slugs = sorted(options)
    existing = {tuple(sorted(v.options.items())) for v in Variant.objects.filter(product=product)}
    start = Variant.objects.filter(product=product).count()
    wanted = []
    for index, values in enumerate(itertools.product(*(options[s] for s in slugs))):
        combination = dict(zip(slugs, values, strict=True))
        if tuple(sorted(combination.items())) in existing:
            continue
        suffix = "-".join(slugify(combination[s]).upper() for s in slugs)
        wanted.append(
            Variant(
                product=product,
                sku=f"{product.sku}-{suffix}",
                options=combination,
                price=price,
                sort_order=start + index,
            )
        )
    with transaction.atomic():
        created = Variant.objects.bulk_create(wanted)
        if created:
            Variant.objects.filter(product=product, options={}).update(
                status=Variant.Status.INACTIVE
            )
        refresh_variant_summary([product.pk])
    return created
