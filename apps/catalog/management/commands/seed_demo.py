"""Seed a realistic demo catalog: deterministic for a seed, bulk inserts, a progress bar.

`make run` calls it with `--products 300 --if-empty` on SQLite; the benchmark seeds 100,000 on
PostgreSQL. Images are drawn locally with Pillow, one per product family and colour (at most 80),
shared between products.

Variants by family: boots and sneakers in EU 36-46 (1-2 colours), clothes in XS-XXL x 2-4
colours, everything else (mugs, lamps, tents...) one default variant. About 11 variants per
product on average; each colour's picture is shared by that colour's sizes.
"""

from __future__ import annotations

import random
from decimal import Decimal
from io import BytesIO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError, connection, transaction
from django.utils.text import slugify
from tqdm import tqdm

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

CHUNK = 5000
IMAGE_SIZE = 480
IMAGE_DIR = "demo"

TREE: dict[str, dict[str, list[str]]] = {
    "Women": {"Dresses": [], "Tops": [], "Shoes": ["Sneakers", "Boots"]},
    "Men": {"Shirts": [], "Trousers": [], "Shoes": ["Sneakers", "Boots"]},
    "Home": {"Kitchen": [], "Bedding": [], "Lighting": []},
    "Outdoors": {"Jackets": [], "Backpacks": [], "Tents": []},
}
NOUNS = {
    "Dresses": ["Dress", "Maxi Dress", "Wrap Dress"],
    "Tops": ["Blouse", "Tee", "Tank Top"],
    "Sneakers": ["Sneaker", "Runner", "Trainer"],
    "Boots": ["Boot", "Chelsea Boot", "Hiking Boot"],
    "Shirts": ["Shirt", "Oxford Shirt", "Polo"],
    "Trousers": ["Chino", "Jeans", "Jogger"],
    "Kitchen": ["Mug", "Pan", "Knife Set", "Bowl"],
    "Bedding": ["Duvet Cover", "Pillow", "Throw"],
    "Lighting": ["Lamp", "Pendant Light", "Lantern"],
    "Jackets": ["Rain Jacket", "Parka", "Fleece"],
    "Backpacks": ["Backpack", "Daypack", "Duffel"],
    "Tents": ["Tent", "Shelter", "Tarp"],
}
# Which silhouette (apps/catalog/demo_images.py) pictures each product family.
SHAPE_OF = {
    "Dresses": "top",
    "Tops": "top",
    "Shirts": "top",
    "Jackets": "top",
    "Sneakers": "shoe",
    "Boots": "shoe",
    "Trousers": "trousers",
    "Kitchen": "mug",
    "Bedding": "cushion",
    "Lighting": "lamp",
    "Backpacks": "bag",
    "Tents": "tent",
}
ADJECTIVES = [
    "Classic",
    "Urban",
    "Alpine",
    "Coastal",
    "Everyday",
    "Vintage",
    "Modern",
    "Rugged",
    "Soft",
    "Light",
    "Cosy",
    "Bold",
    "Quiet",
    "Nordic",
    "Sunny",
    "Midnight",
]
WORDS = [
    "comfortable",
    "durable",
    "lightweight",
    "organic",
    "recycled",
    "handmade",
    "breathable",
    "timeless",
    "versatile",
    "waterproof",
    "warm",
    "elegant",
    "practical",
    "sturdy",
    "soft",
]
COLOURS = ["Black", "White", "Grey", "Navy", "Blue", "Red", "Green", "Yellow", "Pink", "Brown"]
COLOUR_RGB = {
    "Black": (40, 40, 40),
    "White": (235, 235, 230),
    "Grey": (140, 140, 140),
    "Navy": (30, 45, 90),
    "Blue": (50, 110, 200),
    "Red": (190, 50, 45),
    "Green": (50, 140, 80),
    "Yellow": (230, 200, 60),
    "Pink": (230, 140, 170),
    "Brown": (130, 85, 50),
}
SIZES = ["XS", "S", "M", "L", "XL", "XXL"]
SHOE_SIZES = [str(n) for n in range(36, 47)]
# Product type of each family: which options make its variants.
TYPE_OF = {
    "Dresses": "clothing",
    "Tops": "clothing",
    "Shirts": "clothing",
    "Trousers": "clothing",
    "Jackets": "clothing",
    "Sneakers": "shoes",
    "Boots": "shoes",
}
TYPES = {
    # slug: (name, option slugs, product attribute slugs)
    "clothing": ("Clothing", ("colour", "size"), ("brand", "material", "waterproof")),
    "shoes": ("Shoes", ("colour", "size"), ("brand", "material")),
    "simple": ("Simple product", (), ("brand", "material", "waterproof")),
}
BRANDS = [
    "Acme",
    "Borealis",
    "Cobalt",
    "Driftwood",
    "Ember",
    "Fjord",
    "Granite",
    "Harbor",
    "Indigo",
    "Juniper",
    "Kestrel",
    "Lumen",
    "Meridian",
    "Nimbus",
    "Oakley Lane",
    "Pinecrest",
]
MATERIALS = ["Cotton", "Wool", "Linen", "Leather", "Polyester", "Nylon", "Ceramic", "Steel"]
ATTRIBUTES = [
    ("colour", "Colour", AttributeDefinition.Kind.CHOICE, ""),
    ("size", "Size", AttributeDefinition.Kind.CHOICE, ""),
    ("brand", "Brand", AttributeDefinition.Kind.CHOICE, ""),
    ("material", "Material", AttributeDefinition.Kind.CHOICE, ""),
    ("waterproof", "Waterproof", AttributeDefinition.Kind.BOOLEAN, ""),
]


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

    def handle(self, *args, **options) -> None:
        count: int = options["products"]
        if count < 0:
            raise CommandError("--products must be zero or more.")
        if options["if_empty"] and Product.objects.exists():
            self.stdout.write("Catalog already has products: nothing seeded.")
            return
        try:
            with transaction.atomic():
                if options["reset"]:
                    self._reset()
                elif Product.objects.filter(sku__startswith="DEMO-").exists():
                    raise CommandError("Demo products exist already: use --reset to re-seed.")
                self._seed(count, options["seed"], options["verbosity"])
        except IntegrityError as error:
            raise CommandError(
                f"Could not reset the catalog (orders or carts refer to products?): {error}"
            ) from error
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # Fresh statistics for the planner and a visibility map for index-only scans.
            with connection.cursor() as cursor:
                cursor.execute(
                    "VACUUM ANALYZE catalog_product, catalog_productattribute, catalog_variant, "
                    "catalog_stock, catalog_productimage, catalog_category"
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

    def _categories(self) -> list[tuple[Category, str]]:
        """The tree; returns the leaves with the noun family their products use."""
        leaves: list[tuple[Category, str]] = []

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
                if grandchildren:
                    for k, leaf in enumerate(grandchildren):
                        leaves.append((make(leaf, node, k), leaf))
                else:
                    leaves.append((node, child))
        return leaves

    def _image(self, family: str, colour: str) -> str:
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

    def _seed(self, count: int, seed: int, verbosity: int) -> None:
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

        start = Product.objects.count()
        self._variants = 0
        progress = tqdm(total=count, unit="product", disable=verbosity == 0, desc="seed_demo")
        for chunk_start in range(0, count, CHUNK):
            size = min(CHUNK, count - chunk_start)
            plans = [
                self._plan(rng, start + chunk_start + i, leaves, warehouses[0].pk, types)
                for i in range(size)
            ]
            products = Product.objects.bulk_create([plan[0] for plan in plans], batch_size=1000)
            attributes, variants, gallery = [], [], []
            for product, (_, attrs, family, planned) in zip(products, plans, strict=True):
                for slug, values in attrs.items():
                    for value in values:
                        attributes.append(
                            ProductAttribute(
                                product=product, definition=definitions[slug], value=value
                            )
                        )
                for variant in planned:
                    variant.product = product
                    variants.append(variant)
                gallery.extend(self._gallery(rng, product, family, product.swatches))
            variants = Variant.objects.bulk_create(variants, batch_size=5000)
            self._variants += len(variants)
            out = {p.pk for p in products if rng.random() < 0.12}
            stock = []
            for variant in variants:
                gone = variant.product_id in out or rng.random() < 0.1
                stock.append(
                    Stock(
                        variant=variant,
                        warehouse=warehouses[0],
                        quantity=0 if gone else rng.choice((1, 2, 3, 5, 8, 12, 20, 40)),
                    )
                )
                if rng.random() < 0.3:
                    stock.append(
                        Stock(
                            variant=variant,
                            warehouse=warehouses[1],
                            quantity=0 if gone else rng.choice((0, 1, 2, 5, 10)),
                        )
                    )
            ProductAttribute.objects.bulk_create(attributes, batch_size=5000)
            Stock.objects.bulk_create(stock, batch_size=5000)
            ProductImage.objects.bulk_create(gallery, batch_size=5000)
            progress.update(size)
        progress.close()

    def _gallery(self, rng: random.Random, product: Product, family: str, colours: list[str]):
        """One picture per colour offered (shared by that colour's sizes, tagged with it); a
        product without colour options gets one picture, sometimes two more in other colours."""
        if colours:
            for order, colour in enumerate(colours):
                yield ProductImage(
                    product=product,
                    image=self._image(family, colour),
                    width=IMAGE_SIZE,
                    height=IMAGE_SIZE,
                    alt_text=f"{product.name}, {colour.lower()}",
                    option_value=colour,
                    is_primary=order == 0,
                    sort_order=order,
                )
            return
        first = rng.randrange(len(COLOURS))
        extra = 2 if rng.random() < 0.3 else 0
        for order in range(1 + extra):
            shown = COLOURS[(first + order * 3) % len(COLOURS)]
            yield ProductImage(
                product=product,
                image=self._image(family, shown),
                width=IMAGE_SIZE,
                height=IMAGE_SIZE,
                alt_text=f"{product.name}, {shown.lower()}",
                is_primary=order == 0,
                sort_order=order,
            )

    @staticmethod
    def _variants_for(
        rng: random.Random, kind: str, sku: str, price: Decimal, on_sale: bool
    ) -> list[Variant]:
        if kind == "simple":
            compare = (price * Decimal("1.25")).quantize(Decimal("0.01")) if on_sale else None
            return [Variant(sku=sku, options={}, price=price, compare_at_price=compare)]
        if kind == "shoes":
            colours, sizes, dearer = rng.sample(COLOURS, rng.choice((1, 1, 2))), SHOE_SIZES, 45
        else:
            colours, sizes, dearer = rng.sample(COLOURS, rng.randint(2, 4)), SIZES, 4
        variants = []
        for colour in colours:
            colour_on_sale = on_sale and (colour == colours[0] or rng.random() < 0.5)
            for index, size in enumerate(sizes):
                big = (int(size) >= dearer) if kind == "shoes" else index >= dearer
                own = price + (Decimal("5.00") if big else 0)
                compare = (
                    (own * Decimal("1.25")).quantize(Decimal("0.01")) if colour_on_sale else None
                )
                variants.append(
                    Variant(
                        sku=f"{sku}-{colour.upper()}-{size}",
                        options={"colour": colour, "size": size},
                        price=own,
                        compare_at_price=compare,
                        sort_order=len(variants),
                    )
                )
        return variants

    def _plan(
        self, rng: random.Random, index: int, leaves, warehouse_id: int, types
    ) -> tuple[Product, dict[str, list[str]], str, list[Variant]]:
        category, family = leaves[rng.randrange(len(leaves))]
        brand = rng.choice(BRANDS)
        noun = rng.choice(NOUNS[family])
        name = f"{brand} {rng.choice(ADJECTIVES)} {noun}"
        price = Decimal(rng.randrange(499, 29999)) / 100
        on_sale = rng.random() < 0.2
        words = rng.sample(WORDS, 4)
        description = (
            f"{'An' if words[0][0] in 'aeiou' else 'A'} {words[0]}, {words[1]} {noun.lower()} "
            f"by {brand}. "
            f"{words[2].capitalize()} and {words[3]}, made for every day."
        )
        kind = TYPE_OF.get(family, "simple")
        sku = f"DEMO-{index:07d}"
        variants = self._variants_for(rng, kind, sku, price, on_sale)
        attrs = {"brand": [brand], "material": [rng.choice(MATERIALS)]}
        if category.path.startswith("outdoors"):
            attrs["waterproof"] = ["Yes" if rng.random() < 0.6 else "No"]
        status = Product.Status.DRAFT if index % 97 == 96 else Product.Status.ACTIVE
        cheapest = min(variants, key=lambda v: v.price)
        swatches = list(dict.fromkeys(v.options["colour"] for v in variants if v.options))
        # The summary columns services.refresh_variant_summary would write, computed here.
        product = Product(
            sku=sku,
            slug=f"{slugify(name)}-{index}",
            name=name,
            description=description,
            category=category,
            product_type=types[kind],
            primary_warehouse_id=warehouse_id,
            current_price=cheapest.price,
            compare_at_price=cheapest.compare_at_price,
            max_price=max(v.price for v in variants),
            on_sale=any(v.compare_at_price for v in variants),
            has_options=kind != "simple",
            swatches=swatches,
            status=status,
        )
        return product, attrs, family, variants
