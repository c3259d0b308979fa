"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from apps.catalog.models import (
    AttributeDefinition,
    Category,
    Product,
    ProductAttribute,
    ProductImage,
    Stock,
    Variant,
    Warehouse,
)

PASSWORD = "correct-horse-battery-42"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"shopper{n}")
    first_name = factory.Faker("first_name")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class StaffFactory(UserFactory):
    is_staff = True
    username = factory.Sequence(lambda n: f"staff{n}")


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class WarehouseFactory(DjangoModelFactory):
    class Meta:
        model = Warehouse
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"wh{n}")
    name = factory.LazyAttribute(lambda o: f"Warehouse {o.code}")


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product
        skip_postgeneration_save = True

    sku = factory.Sequence(lambda n: f"SKU-{n:06d}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    name = factory.Sequence(lambda n: f"Product {n}")
    description = "A fine product."
    category = factory.SubFactory(CategoryFactory)
    primary_warehouse = factory.SubFactory(WarehouseFactory, code="main")
    current_price = Decimal("19.99")
    status = Product.Status.ACTIVE

    @factory.post_generation
    def stock(obj, create, extracted, **kwargs):  # noqa: N805
        """A product without options: its one default variant carries the SKU, the price given
        as `current_price` (and `compare_at_price`), and `stock` units (default 10) in the
        primary warehouse. ProductFactory(stock=None) makes no variant (add your own)."""
        if not create or extracted is False:
            return
        variant = Variant.objects.create(
            product=obj,
            sku=obj.sku,
            price=Decimal(str(obj.current_price)),
            compare_at_price=obj.compare_at_price,
        )
        quantity = 10 if extracted is None else extracted
        if obj.primary_warehouse_id:
            Stock.objects.create(
                variant=variant, warehouse=obj.primary_warehouse, quantity=quantity
            )
        obj.refresh_from_db()


class VariantFactory(DjangoModelFactory):
    """VariantFactory(product=p, options={"size": "42"}, price="89.00", stock=3)."""

    class Meta:
        model = Variant
        skip_postgeneration_save = True

    product = factory.SubFactory(ProductFactory, stock=False)
    sku = factory.Sequence(lambda n: f"VAR-{n:06d}")
    options = factory.LazyFunction(dict)
    price = Decimal("19.99")

    @factory.post_generation
    def stock(obj, create, extracted, **kwargs):  # noqa: N805
        if not create:
            return
        warehouse = obj.product.primary_warehouse or WarehouseFactory(code="main")
        Stock.objects.create(
            variant=obj, warehouse=warehouse, quantity=10 if extracted is None else extracted
        )


def boot(
    name: str = "Trail boot",
    sizes=("41", "42", "43"),
    colours=("Black",),
    price="89.00",
    stock=None,
    **product_fields,
) -> tuple[Product, dict[tuple[str, str], Variant]]:
    """A product in colours x sizes, each variant with `stock[(colour, size)]` units (default
    3) and the price `price` (or `price[(colour, size)]`). Returns (product, {(colour, size):
    variant})."""
    product = ProductFactory(name=name, stock=False, **product_fields)
    stock = stock or {}
    variants = {}
    for colour in colours:
        for size in sizes:
            key = (colour, size)
            own = price.get(key, "89.00") if isinstance(price, dict) else price
            variants[key] = VariantFactory(
                product=product,
                sku=f"{product.sku}-{colour.upper()}-{size}",
                options={"colour": colour, "size": size},
                price=Decimal(own),
                sort_order=len(variants),
                stock=stock.get(key, 3),
            )
    product.refresh_from_db()
    return product, variants


def variant_of(product: Product) -> Variant:
    """The one variant of a product made by ProductFactory."""
    return Variant.objects.get(product=product)


def variant_of_id(product_id: int) -> Variant:
    return Variant.objects.get(product_id=product_id)


def set_price(product: Product, price, compare_at=None) -> None:
    """Change a product's price the way the shop does: through its variants (all of them)."""
    for variant in Variant.objects.filter(product=product):
        variant.price = Decimal(str(price))
        variant.compare_at_price = None if compare_at is None else Decimal(str(compare_at))
        variant.save()
    product.refresh_from_db()


class ProductImageFactory(DjangoModelFactory):
    class Meta:
        model = ProductImage

    product = factory.SubFactory(ProductFactory)
    image = factory.django.ImageField(width=64, height=64, color="teal")
    alt_text = factory.LazyAttribute(lambda o: o.product.name)
    is_primary = True


class AttributeDefinitionFactory(DjangoModelFactory):
    class Meta:
        model = AttributeDefinition
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Attribute {n}")
    slug = factory.Sequence(lambda n: f"attribute-{n}")


class ProductAttributeFactory(DjangoModelFactory):
    class Meta:
        model = ProductAttribute

    product = factory.SubFactory(ProductFactory)
    definition = factory.SubFactory(AttributeDefinitionFactory)
    value = "red"
