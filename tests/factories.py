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
        """ProductFactory(stock=5) puts 5 units in the primary warehouse (default 10)."""
        if not create:
            return
        quantity = 10 if extracted is None else extracted
        if obj.primary_warehouse_id:
            Stock.objects.create(product=obj, warehouse=obj.primary_warehouse, quantity=quantity)


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
