"""Seed a realistic demo catalog: deterministic for a seed, bulk inserts, a progress bar.

`make run` calls it with `--products 300 --if-empty` on SQLite; the benchmarks seed 100,000 and
1,000,000 on PostgreSQL. The catalog itself is planned in apps/catalog/demo_catalog.py; this
command writes it with the ORM's bulk_create (SQLite, or `--loader orm`) or with COPY
(PostgreSQL: apps/catalog/demo_copy.py), in batches, so memory stays flat at any size. Both
writers produce the same rows for a seed.

Images are drawn locally with Pillow, one per product family and colour (at most 80), shared
between products.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError, connection, transaction
from django.utils.text import slugify
from tqdm import tqdm

from apps.catalog.demo_catalog import (
    ATTRIBUTES,
    COLOUR_RGB,
    IMAGE_DIR,
    IMAGE_SIZE,
    SHAPE_OF,
    TREE,
    TYPES,
    Leaf,
    PlannedProduct,
    plan_products,
)
from apps.catalog.demo_images import SHAPES, draw_product
from apps.catalog.images import make_renditions
from apps.catalog.models import (
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
from apps.catalog.services import bump_catalog_version

__all__ = ["SHAPE_OF", "Command"]

CHUNK = 5000


class Command(BaseCommand):
    help = (
        "Seed a deterministic demo catalog (categories, attributes, images, stock in 2 warehouses)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--products", type=int, default=300)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--reset", action="store_true", help="delete the catalog first")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when products already exist"
        )
        parser.add_argument(
            "--loader",
            choices=("auto", "orm", "copy"),
            default="auto",
            help="how rows are written: COPY on PostgreSQL (auto), or the ORM's bulk_create",
        )

    def handle(self, *args, **options) -> None:
        count: int = options["products"]
        if count < 0:
            raise CommandError("--products must be zero or more.")
        loader = options["loader"]
        if loader == "auto":
            loader = "copy" if connection.vendor == "postgresql" else "orm"
        if loader == "copy" and connection.vendor != "postgresql":
            raise CommandError("--loader copy needs PostgreSQL.")
        if options["if_empty"] and Product.objects.exists():
            self.stdout.write("Catalog already has products: nothing seeded.")
            return
        with no_statement_timeout():
            try:
                with transaction.atomic():
                    if options["reset"]:
                        self._reset()
                    elif Product.objects.filter(sku__startswith="DEMO-").exists():
                        raise CommandError("Demo products exist already: use --reset to re-seed.")
                    self._seed(count, options["seed"], options["verbosity"], loader)
            except IntegrityError as error:
                raise CommandError(
                    f"Could not reset the catalog (orders or carts refer to products?): {error}"
                ) from error
            if connection.vendor == "postgresql" and not connection.in_atomic_block:
                # Fresh statistics for the planner and a visibility map for index-only scans.
                with connection.cursor() as cursor:
                    cursor.execute(
                        "VACUUM ANALYZE catalog_product, catalog_productattribute, "
                        "catalog_variant, catalog_stock, catalog_productimage, catalog_category, "
                        "catalog_facetchange, catalog_optionvalue"
                    )
        bump_catalog_version()
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {count} products with {self._variants} variants (seed {options['seed']})."
            )
        )

    def _reset(self) -> None:
        """Raw deletes: the ORM's cascade collector would load every row into Python first."""
        for model in (
            ProductAttribute,
            Stock,
            Variant,
            ProductImage,
            Product,
            ProductType.option_attributes.through,
            ProductType.product_attributes.through,
            ProductType,
        ):
            model.objects.all()._raw_delete(model.objects.db)
        while Category.objects.exists():
            Category.objects.filter(children__isnull=True)._raw_delete(Category.objects.db)
        AttributeDefinition.objects.all()._raw_delete(AttributeDefinition.objects.db)

    def _categories(self) -> list[Leaf]:
        """The tree; returns the leaves with the noun family their products use."""
        leaves: list[Leaf] = []

        def make(name: str, parent: Category | None, order: int) -> Category:
            slug = slugify(name)
            category = Category.objects.filter(parent=parent, slug=slug).first()
            if category is None:
                category = Category(parent=parent, name=name, slug=slug, sort_order=order)
                category.save()
            return category

        for i, (top, children) in enumerate(TREE.items()):
            root = make(top, None, i)
            for j, (child, grandchildren) in enumerate(children.items()):
                node = make(child, root, j)
                for k, leaf in enumerate(grandchildren):
                    category = make(leaf, node, k)
                    leaves.append(Leaf(category.pk, category.path, leaf))
                if not grandchildren:
                    leaves.append(Leaf(node.pk, node.path, child))
        return leaves

    def image(self, family: str, colour: str) -> str:
        """The picture for a product family in a colour: drawn once (with its smaller copies)
        and shared by every product of that family and colour."""
        shape = SHAPE_OF[family]
        name = f"{IMAGE_DIR}/{shape}-{colour.lower()}.jpg"
        if name not in self._drawn:
            if not default_storage.exists(name):
                image = draw_product(SHAPES.index(shape), COLOUR_RGB[colour], IMAGE_SIZE)
                buffer = BytesIO()
                image.save(buffer, "JPEG", quality=82)
                default_storage.save(name, ContentFile(buffer.getvalue()))
            make_renditions(name)
            self._drawn.add(name)
        return name

    def _seed(self, count: int, seed: int, verbosity: int, loader: str) -> None:
        self._drawn: set[str] = set()
        rng = random.Random(seed)
        warehouses = [
            Warehouse.objects.get_or_create(code=code, defaults={"name": name})[0]
            for code, name in (("main", "Main warehouse"), ("east", "East warehouse"))
        ]
        definitions = {}
        for order, (slug, name, kind, unit) in enumerate(ATTRIBUTES):
            definitions[slug], _ = AttributeDefinition.objects.update_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "kind": kind,
                    "unit": unit,
                    "filterable": True,
                    "sort_order": order,
                },
            )
        leaves = self._categories()
        types = {}
        for slug, (name, option_slugs, attribute_slugs) in TYPES.items():
            types[slug], _ = ProductType.objects.get_or_create(slug=slug, defaults={"name": name})
            types[slug].option_attributes.set([definitions[s] for s in option_slugs])
            types[slug].product_attributes.set([definitions[s] for s in attribute_slugs])

        ids = {
            "warehouses": [w.pk for w in warehouses],
            "definitions": {slug: d.pk for slug, d in definitions.items()},
            "types": {slug: t.pk for slug, t in types.items()},
        }
        if loader == "copy":
            from apps.catalog.demo_copy import CopyWriter

            writer = CopyWriter(ids, self.image, count, self.stdout if verbosity else None)
        else:
            writer = OrmWriter(ids, self.image)
        planned = plan_products(rng, Product.objects.count(), count, leaves)
        self._variants = 0
        progress = tqdm(total=count, unit="product", disable=verbosity == 0, desc="seed_demo")
        with writer:
            batch: list[PlannedProduct] = []
            for product in planned:
                batch.append(product)
                if len(batch) == CHUNK:
                    self._variants += writer.write(batch)
                    progress.update(len(batch))
                    batch = []
            if batch:
                self._variants += writer.write(batch)
                progress.update(len(batch))
        progress.close()


@contextmanager
def no_statement_timeout() -> Iterator[None]:
    """Deleting, indexing and vacuuming millions of rows outlasts the shop's statement timeout
    (settings.STATEMENT_TIMEOUT_MS): lift it for this command's connection, then put it back."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        saved = cursor.fetchone()[0]
        cursor.execute("SET statement_timeout = 0")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('statement_timeout', %s, false)", [saved])


class OrmWriter:
    """Batches through bulk_create: every database Django supports (SQLite for `make run`)."""

    def __init__(self, ids: dict, image) -> None:
        self.ids, self.image = ids, image

    def __enter__(self) -> OrmWriter:
        return self

    def __exit__(self, *exc) -> None:
        return None

    def write(self, batch: list[PlannedProduct]) -> int:
        """Writes one batch of planned products; returns how many variants it held."""
        warehouses, definitions = self.ids["warehouses"], self.ids["definitions"]
        products = Product.objects.bulk_create(
            [
                Product(
                    sku=p.sku,
                    slug=p.slug,
                    name=p.name,
                    description=p.description,
                    category_id=p.leaf.category_id,
                    product_type_id=self.ids["types"][p.kind],
                    primary_warehouse_id=warehouses[0],
                    current_price=p.current_price,
                    compare_at_price=p.compare_at_price,
                    max_price=p.max_price,
                    on_sale=p.on_sale,
                    has_options=p.has_options,
                    swatches=p.swatches,
                    status=p.status,
                )
                for p in batch
            ],
            batch_size=1000,
        )
        attributes, variants, images, stock = [], [], [], []
        for product, plan in zip(products, batch, strict=True):
            attributes.extend(
                ProductAttribute(product=product, definition_id=definitions[slug], value=value)
                for slug, value in plan.attributes
            )
            variants.extend(
                Variant(
                    product=product,
                    sku=v.sku,
                    options=v.options,
                    price=v.price,
                    compare_at_price=v.compare_at_price,
                    sort_order=v.sort_order,
                )
                for v in plan.variants
            )
            images.extend(
                ProductImage(
                    product=product,
                    image=self.image(plan.leaf.family, i.colour),
                    width=IMAGE_SIZE,
                    height=IMAGE_SIZE,
                    alt_text=i.alt_text,
                    option_value=i.option_value,
                    is_primary=i.is_primary,
                    sort_order=i.sort_order,
                )
                for i in plan.images
            )
        variants = Variant.objects.bulk_create(variants, batch_size=5000)
        planned_variants = (v for plan in batch for v in plan.variants)
        for variant, plan in zip(variants, planned_variants, strict=True):
            stock.extend(
                Stock(variant=variant, warehouse_id=warehouses[position], quantity=quantity)
                for position, quantity in plan.stock
            )
        ProductAttribute.objects.bulk_create(attributes, batch_size=5000)
        Stock.objects.bulk_create(stock, batch_size=5000)
        ProductImage.objects.bulk_create(images, batch_size=5000)
        return len(variants)
