"""The demo catalog as plain data: one deterministic stream of planned products (variants, stock,
attributes, pictures, summary columns) for a seed, which seed_demo writes with the ORM (SQLite)
or with COPY (PostgreSQL, apps/catalog/demo_copy.py). Both writers get the same rows.

Each product draws from the random stream in one fixed order (the product, its pictures, then
its stock), so the catalog for a seed does not depend on the writer or on its batch size.

Variants by family: boots and sneakers in EU 36-46 (1-2 colours), clothes in XS-XXL x 2-4
colours, everything else (mugs, lamps, tents...) one default variant. About 11 variants per
product on average; each colour's picture is shared by that colour's sizes.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.utils.text import slugify

from .models import AttributeDefinition, Product

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


STOCK_MAIN = (1, 2, 3, 5, 8, 12, 20, 40)
STOCK_EAST = (0, 1, 2, 5, 10)
QUARTER = Decimal("1.25")
CENT = Decimal("0.01")
DEARER = Decimal("5.00")


@dataclass(frozen=True, slots=True)
class Leaf:
    """A leaf category products are placed in, and the noun family they are named from."""

    category_id: int
    path: str
    family: str


@dataclass(slots=True)
class PlannedVariant:
    sku: str
    options: dict[str, str]
    price: Decimal
    compare_at_price: Decimal | None
    sort_order: int
    # Quantity per warehouse position (0: main, always; 1: east, for about 30% of variants).
    stock: list[tuple[int, int]]


@dataclass(slots=True)
class PlannedImage:
    colour: str
    alt_text: str
    option_value: str
    is_primary: bool
    sort_order: int


@dataclass(slots=True)
class PlannedProduct:
    sku: str
    slug: str
    name: str
    description: str
    leaf: Leaf
    kind: str
    status: str
    attributes: list[tuple[str, str]]
    variants: list[PlannedVariant]
    images: list[PlannedImage]
    # The summary columns services.refresh_variant_summary would write, computed here.
    current_price: Decimal
    compare_at_price: Decimal | None
    max_price: Decimal
    on_sale: bool
    has_options: bool
    swatches: list[str]


def plan_products(rng: random.Random, start: int, count: int, leaves: list[Leaf]):
    """`count` products numbered from `start` (their SKUs are DEMO-<number>), one at a time."""
    for index in range(start, start + count):
        yield plan_product(rng, index, leaves)


def plan_product(rng: random.Random, index: int, leaves: list[Leaf]) -> PlannedProduct:
    leaf = leaves[rng.randrange(len(leaves))]
    family = leaf.family
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
    variants = _variants(rng, kind, sku, price, on_sale)
    attributes = [("brand", brand), ("material", rng.choice(MATERIALS))]
    if leaf.path.startswith("outdoors"):
        attributes.append(("waterproof", "Yes" if rng.random() < 0.6 else "No"))
    swatches = list(dict.fromkeys(v.options["colour"] for v in variants if v.options))
    images = list(_gallery(rng, name, swatches))
    _stock(rng, variants)
    cheapest = min(variants, key=lambda v: v.price)
    return PlannedProduct(
        sku=sku,
        slug=f"{slugify(name)}-{index}",
        name=name,
        description=description,
        leaf=leaf,
        kind=kind,
        status=Product.Status.DRAFT if index % 97 == 96 else Product.Status.ACTIVE,
        attributes=attributes,
        variants=variants,
        images=images,
        current_price=cheapest.price,
        compare_at_price=cheapest.compare_at_price,
        max_price=max(v.price for v in variants),
        on_sale=any(v.compare_at_price is not None for v in variants),
        has_options=len(variants) > 1,
        swatches=swatches,
    )


def _variants(
    rng: random.Random, kind: str, sku: str, price: Decimal, on_sale: bool
) -> list[PlannedVariant]:
    if kind == "simple":
        compare = (price * QUARTER).quantize(CENT) if on_sale else None
        return [PlannedVariant(sku, {}, price, compare, 0, [])]
    if kind == "shoes":
        colours, sizes, dearer = rng.sample(COLOURS, rng.choice((1, 1, 2))), SHOE_SIZES, 45
    else:
        colours, sizes, dearer = rng.sample(COLOURS, rng.randint(2, 4)), SIZES, 4
    variants = []
    for colour in colours:
        colour_on_sale = on_sale and (colour == colours[0] or rng.random() < 0.5)
        for index, size in enumerate(sizes):
            big = (int(size) >= dearer) if kind == "shoes" else index >= dearer
            own = price + DEARER if big else price
            compare = (own * QUARTER).quantize(CENT) if colour_on_sale else None
            variants.append(
                PlannedVariant(
                    f"{sku}-{colour.upper()}-{size}",
                    {"colour": colour, "size": size},
                    own,
                    compare,
                    len(variants),
                    [],
                )
            )
    return variants


def _gallery(rng: random.Random, name: str, colours: list[str]) -> Iterator[PlannedImage]:
    """One picture per colour offered (shared by that colour's sizes, tagged with it); a
    product without colour options gets one picture, sometimes two more in other colours."""
    if colours:
        for order, colour in enumerate(colours):
            yield PlannedImage(colour, f"{name}, {colour.lower()}", colour, order == 0, order)
        return
    first = rng.randrange(len(COLOURS))
    extra = 2 if rng.random() < 0.3 else 0
    for order in range(1 + extra):
        shown = COLOURS[(first + order * 3) % len(COLOURS)]
        yield PlannedImage(shown, f"{name}, {shown.lower()}", "", order == 0, order)


def _stock(rng: random.Random, variants: list[PlannedVariant]) -> None:
    """Every variant in the main warehouse, about 30% in the east one too; about 12% of
    products and 10% of the other variants sold out."""
    out = rng.random() < 0.12
    for variant in variants:
        gone = out or rng.random() < 0.1
        variant.stock.append((0, 0 if gone else rng.choice(STOCK_MAIN)))
        if rng.random() < 0.3:
            variant.stock.append((1, 0 if gone else rng.choice(STOCK_EAST)))
