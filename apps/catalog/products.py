"""One typed read model of a product and its variants, for every app that shows or sells one.

Display rules (the "from" price, the sale badge, "only N left") are decided here, once, in
Python: templates read `Display` and never compare prices or stock themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.db.models.lookups import StartsWith
from django.urls import reverse

from . import inventory
from .models import (
    AttributeDefinition,
    Category,
    Product,
    ProductAttribute,
    ProductImage,
    Stock,
    Variant,
)

LOW_STOCK = 3


@dataclass(frozen=True, slots=True)
class Display:
    """What a card, the product page or a cart line shows about price and stock."""

    price: Decimal
    from_price: bool  # variants differ in price: show "from {price}"
    compare_at: Decimal | None  # struck-through price (one price on sale)
    on_sale: bool
    stock_total: int

    @property
    def out_of_stock(self) -> bool:
        return self.stock_total <= 0

    @property
    def low_stock(self) -> bool:
        return 0 < self.stock_total <= LOW_STOCK


def display(
    price: Decimal,
    compare_at: Decimal | None,
    stock_total: int,
    *,
    max_price: Decimal | None = None,
    any_on_sale: bool | None = None,
) -> Display:
    own_sale = compare_at is not None and compare_at > price
    from_price = max_price is not None and max_price > price
    return Display(
        price=price,
        from_price=from_price,
        compare_at=compare_at if own_sale and not from_price else None,
        on_sale=own_sale if any_on_sale is None else any_on_sale,
        stock_total=stock_total,
    )


def product_display(product: Product) -> Display:
    """For a product from the card queries (summary columns plus `stock_total`)."""
    return display(
        product.current_price,
        product.compare_at_price,
        getattr(product, "stock_total", 0) or 0,
        max_price=product.max_price,
        any_on_sale=product.on_sale,
    )


@dataclass(frozen=True, slots=True)
class VariantView:
    """A sellable variant with its product's name and live price and stock."""

    pk: int
    sku: str
    product_id: int
    product_name: str
    product_slug: str
    options: dict[str, str]
    price: Decimal
    compare_at_price: Decimal | None
    stock_total: int
    is_active: bool  # the variant and its product are both active
    primary_warehouse_id: int | None
    category_id: int

    @property
    def option_label(self) -> str:
        return " / ".join(self.options.values())

    @property
    def name(self) -> str:
        label = self.option_label
        return f"{self.product_name} ({label})" if label else self.product_name

    @property
    def display(self) -> Display:
        return display(self.price, self.compare_at_price, self.stock_total)

    def get_absolute_url(self) -> str:
        url = reverse("catalog:product", kwargs={"slug": self.product_slug})
        return f"{url}?variant={self.sku}" if self.options else url


def _view(variant: Variant) -> VariantView:
    product = variant.product
    return VariantView(
        pk=variant.pk,
        sku=variant.sku,
        product_id=product.pk,
        product_name=product.name,
        product_slug=product.slug,
        options=dict(sorted(variant.options.items())),  # one order (jsonb keeps its own)
        price=variant.price,
        compare_at_price=variant.compare_at_price,
        stock_total=variant.stock_total,
        is_active=variant.is_active and product.is_active,
        primary_warehouse_id=product.primary_warehouse_id,
        category_id=product.category_id,
    )


def _variant_rows() -> QuerySet[Variant]:
    return (
        Variant.objects.select_related("product")
        .defer("product__description", "product__search_vector")
        .annotate(stock_total=inventory.stock_total())
    )


# The add-to-cart lookups, one per click, as fixed SQL: the ORM compiled the same query every
# time (`_variant_rows()` filtered: ~1.5 ms of Python per add, four times the query itself).
# Same rows, columns and order as that queryset (Variant.Meta.ordering); tests/catalog/
# test_sellable_sql.py compares both on every product and variant of a catalog in every state.
_SELLABLE = """
    SELECT v.id, v.sku, p.id, p.name, p.slug, v.options, v.price, v.compare_at_price,
           COALESCE((SELECT SUM(s.quantity) FROM {stock} s WHERE s.variant_id = v.id), 0),
           p.primary_warehouse_id, p.category_id
      FROM {variant} v JOIN {product} p ON p.id = v.product_id
     WHERE v.{column} = %s AND v.status = %s AND p.status = %s
     ORDER BY v.sort_order, v.id
     LIMIT 2
"""


def _sellable(column: str, key: int) -> list[VariantView]:
    sql = _SELLABLE.format(
        stock=Stock._meta.db_table,
        variant=Variant._meta.db_table,
        product=Product._meta.db_table,
        column=column,
    )
    active = (Variant.Status.ACTIVE, Product.Status.ACTIVE)
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, *active])
        rows = cursor.fetchall()
    options_field = Variant._meta.get_field("options")
    views = []
    for pk, sku, product_id, name, slug, options, price, compare_at, stock, warehouse, cat in rows:
        options = options_field.from_db_value(options, None, connection)
        views.append(
            VariantView(
                pk=pk,
                sku=sku,
                product_id=product_id,
                product_name=name,
                product_slug=slug,
                options=dict(sorted(options.items())),
                price=price,
                compare_at_price=compare_at,
                stock_total=stock,
                is_active=True,
                primary_warehouse_id=warehouse,
                category_id=cat,
            )
        )
    return views


def sellable_variant(variant_id: int) -> VariantView | None:
    """The active variant of an active product, or None."""
    views = _sellable("id", variant_id)
    return views[0] if views else None


def only_variant(product_id: int) -> tuple[VariantView | None, int]:
    """(the variant, number of active variants) of an active product: the variant when there is
    exactly one (a product without options is bought without choosing), else None."""
    views = _sellable("product_id", product_id)
    return (views[0] if len(views) == 1 else None), len(views)


def live_variants(ids: Iterable[int]) -> dict[int, VariantView]:
    """Variants by id whatever their status (the cart must say "no longer available"), with
    live price and stock, in one query."""
    ids = list({int(i) for i in ids})
    if not ids:
        return {}
    return {v.pk: _view(v) for v in _variant_rows().filter(pk__in=ids)}


def order_snapshot(ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """{variant id: {"Size": "42", "Colour": "Red", "Brand": "Acme", ...}}: what an order line
    records about what was sold (option values first, then the product's attributes)."""
    ids = list({int(i) for i in ids})
    if not ids:
        return {}
    variants = list(Variant.objects.filter(pk__in=ids).values_list("pk", "product_id", "options"))
    product_ids = {pid for _, pid, _ in variants}
    slugs = {slug for _, _, options in variants for slug in options}
    names = dict(AttributeDefinition.objects.filter(slug__in=slugs).values_list("slug", "name"))
    attributes: dict[int, dict[str, list[str]]] = {}
    for pid, name, unit, value in ProductAttribute.objects.filter(
        product_id__in=product_ids
    ).values_list("product_id", "definition__name", "definition__unit", "value"):
        attributes.setdefault(pid, {}).setdefault(name, []).append(
            f"{value} {unit}" if unit else value
        )
    snapshots = {}
    for pk, pid, options in variants:
        snapshot = {names.get(slug, slug.title()): value for slug, value in options.items()}
        for name, values in attributes.get(pid, {}).items():
            snapshot.setdefault(name, ", ".join(values))
        snapshots[pk] = snapshot
    return snapshots


# --- Wishlist: any product, any status ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProductState:
    pk: int
    name: str
    slug: str
    current_price: Decimal
    stock_total: int
    is_active: bool
    created_at: datetime
    variant_sku: str = ""  # set when this is the state of one variant (see variant_states)

    @property
    def in_stock(self) -> bool:
        return self.stock_total > 0

    @property
    def url_query(self) -> str:
        return f"?variant={self.variant_sku}" if self.variant_sku else ""


def product_states(ids: Iterable[int]) -> dict[int, ProductState]:
    """Price ("from"), stock and status of the given products (any status), in one query."""
    ids = sorted({int(i) for i in ids})
    if not ids:
        return {}
    rows = (
        Product.objects.filter(pk__in=ids)
        .annotate(stock_sum=inventory.stock_total("product"))
        .order_by()
        .values_list("pk", "name", "slug", "current_price", "stock_sum", "status", "created_at")
    )
    return {
        pk: ProductState(
            pk=pk,
            name=name,
            slug=slug,
            current_price=price,
            stock_total=stock,
            is_active=status == Product.Status.ACTIVE,
            created_at=created_at,
        )
        for pk, name, slug, price, stock, status, created_at in rows
    }


def variant_states(ids: Iterable[int]) -> dict[int, ProductState]:
    """The same for variants (price, stock and status of one SKU; the name says which): what
    the wishlist follows for a shopper who saved a product in a size or colour. One query."""
    ids = list({int(i) for i in ids})
    if not ids:
        return {}
    states = {}
    for variant in _variant_rows().filter(pk__in=ids):
        view = _view(variant)
        states[view.pk] = ProductState(
            pk=view.product_id,
            name=view.name,
            slug=view.product_slug,
            current_price=view.price,
            stock_total=view.stock_total,
            is_active=view.is_active,
            created_at=variant.product.created_at,
            variant_sku=view.sku if view.options else "",
        )
    return states


def sizes_in_stock(product_ids: Iterable[int]) -> dict[int, list[str]]:
    """{product id: ["40", "42", ...]}: option labels of the active variants in stock, for the
    wishlist page (one query; products without options get no entry)."""
    ids = list({int(i) for i in product_ids})
    if not ids:
        return {}
    rows = (
        Variant.objects.filter(product_id__in=ids, status=Variant.Status.ACTIVE)
        .exclude(options={})
        .filter(inventory.variant_in_stock())
        .order_by("product_id", "sort_order", "pk")
        .values_list("product_id", "options")
    )
    found: dict[int, list[str]] = {}
    for pid, options in rows:
        found.setdefault(pid, []).append(" / ".join(v for _, v in sorted(options.items())))
    return found


# --- Product page ---------------------------------------------------------------------------


@dataclass
class OptionChoice:
    value: str
    selected: bool
    # A variant with this value (and the other selected values) exists / is in stock.
    exists: bool
    in_stock: bool


@dataclass
class OptionGroup:
    slug: str
    name: str
    choices: list[OptionChoice]


@dataclass
class ProductPage:
    product: Product
    variants: list[VariantView]
    groups: list[OptionGroup]
    selected: dict[str, str]
    variant: VariantView | None  # the chosen variant, None if the choice is incomplete/unknown
    images: list[ProductImage]
    attributes: list[tuple[str, str]]
    problem: str = ""
    breadcrumbs: list = field(default_factory=list)

    @property
    def has_options(self) -> bool:
        return bool(self.groups)

    @property
    def display(self) -> Display:
        if self.variant is not None:
            return self.variant.display
        stock = sum(v.stock_total for v in self.variants)
        return product_display(_with_stock(self.product, stock))

    @property
    def sku(self) -> str:
        return self.variant.sku if self.variant else self.product.sku

    @property
    def can_add(self) -> bool:
        return self.variant is not None and self.variant.stock_total > 0


def _with_stock(product: Product, stock: int) -> Product:
    product.stock_total = stock
    return product


def _option_order(variants: list[VariantView]) -> dict[str, list[str]]:
    """Option slugs and their values in the order the variants are sorted (EU 36 before 46,
    XS before XXL: the order the merchant or the matrix generator gave them)."""
    order: dict[str, list[str]] = {}
    for variant in variants:
        for slug, value in variant.options.items():
            values = order.setdefault(slug, [])
            if value not in values:
                values.append(value)
    return order


def product_page(slug: str, wanted: dict[str, str], sku: str = "") -> ProductPage | None:
    """An active product with its active variants (stock included), the option groups with
    what exists and what is in stock under the current choice, the chosen variant, its
    gallery and the product's attributes: three queries."""
    rows = list(
        Variant.objects.annotate(stock_total=inventory.stock_total())
        .defer("product__search_vector")
        .select_related("product__category__parent__parent")
        .filter(
            product__slug=slug,
            product__status=Product.Status.ACTIVE,
            status=Variant.Status.ACTIVE,
        )
        .order_by("sort_order", "pk")
    )
    if not rows:
        return None
    product = rows[0].product
    variants = [_view(v) for v in rows]
    order = _option_order(variants)
    by_sku = {v.sku: v for v in variants}
    selected = {}
    if sku and sku in by_sku and not any(wanted.get(s) for s in order):
        selected = dict(by_sku[sku].options)
    else:
        selected = {s: wanted[s] for s in order if wanted.get(s) in order[s]}
    if not order:
        chosen: VariantView | None = variants[0]
    else:
        chosen = next((v for v in variants if v.options == selected), None)
        if chosen is None and not selected:
            # First visit: preselect the first variant in stock, or the first one.
            chosen = next((v for v in variants if v.stock_total > 0), variants[0])
            selected = dict(chosen.options)

    # One query for the product's attributes and the option names (sort order, name, unit).
    attribute_rows = (
        ProductAttribute.objects.filter(product=product)
        .order_by()
        .values_list(
            "definition__slug",
            "definition__name",
            "definition__unit",
            "value",
            "definition__sort_order",
        )
    )
    option_rows = (
        AttributeDefinition.objects.filter(slug__in=list(order))
        .order_by()
        .values_list(
            "slug",
            "name",
            "unit",
            Value(None, output_field=CharField()),
            "sort_order",
        )
    )
    names: dict[str, str] = {}
    ranks: dict[str, int] = {}
    grouped: dict[str, tuple[int, str, str, list[str]]] = {}
    for def_slug, name, unit, value, sort_order in attribute_rows.union(option_rows, all=True):
        if value is None:
            names[def_slug], ranks[def_slug] = name, sort_order
        else:
            grouped.setdefault(def_slug, (sort_order, name, unit, []))[3].append(value)
    attributes = [
        (name, ", ".join(sorted(values)) + (f" {unit}" if unit else ""))
        for _, name, unit, values in sorted(grouped.values(), key=lambda g: (g[0], g[1]))
    ]
    groups = []
    for option_slug in sorted(order, key=lambda slug: (ranks.get(slug, 1000), slug)):
        values = order[option_slug]
        others = {s: v for s, v in selected.items() if s != option_slug}
        choices = []
        for value in values:
            matching = [
                v
                for v in variants
                if v.options.get(option_slug) == value
                and all(v.options.get(s) == o for s, o in others.items())
            ]
            choices.append(
                OptionChoice(
                    value=value,
                    selected=selected.get(option_slug) == value,
                    exists=bool(matching),
                    in_stock=any(v.stock_total > 0 for v in matching),
                )
            )
        groups.append(OptionGroup(option_slug, names.get(option_slug, option_slug), choices))

    problem = ""
    if order and chosen is None:
        if len(selected) == len(order):
            problem = "This combination is not made."
        else:
            missing = [names.get(s, s).lower() for s in order if s not in selected]
            problem = "Choose a " + " and a ".join(missing) + "."
    elif chosen is not None and chosen.stock_total <= 0:
        problem = "Sold out."
    chosen_values = set((chosen.options if chosen else selected).values())
    images = list(
        ProductImage.objects.filter(product=product).order_by("-is_primary", "sort_order", "pk")
    )
    own = [i for i in images if i.option_value and i.option_value in chosen_values]
    shared = [i for i in images if not i.option_value]
    gallery = own + shared if own else (shared or images)
    crumbs = []
    category = product.category
    while category is not None:
        crumbs.append(category)
        category = category.parent if category.parent_id else None
    return ProductPage(
        product=product,
        variants=variants,
        groups=groups,
        selected=selected,
        variant=chosen,
        images=gallery,
        attributes=attributes,
        problem=problem,
        breadcrumbs=crumbs[::-1],
    )


# --- Scopes (a coupon's products and categories): which products a scope covers ------------


def in_scope(product_ids: Iterable[int], *, products: Any, categories: Any) -> set[int]:
    """Those of `product_ids` that are in `products` or in a category of `categories` or below it
    (Category.path prefix), in one query. `products` and `categories` are ids or id subqueries."""
    ids = list({int(i) for i in product_ids})
    if not ids:
        return set()
    under = Exists(
        Category.objects.filter(pk__in=categories).filter(
            Q(pk=OuterRef("category_id"))
            | Q(StartsWith(OuterRef("category__path"), Concat(F("path"), Value("/"))))
        )
    )
    return set(
        Product.objects.filter(pk__in=ids)
        .filter(Q(pk__in=products) | under)
        .values_list("pk", flat=True)
    )


def scope_names(*, products: Any, categories: Any, limit: int = 3) -> list[str]:
    """Readable names of a scope: its categories, then its products (at most `limit` of each)."""
    names = list(Category.objects.filter(pk__in=categories).values_list("name", flat=True)[:limit])
    names += list(Product.objects.filter(pk__in=products).values_list("name", flat=True)[:limit])
    return names
