"""What a product card shows, decided and formatted once in Python (`Card`), for the card template.

A cold listing renders 24 cards, a home page several grids of them: with the card template
reading model attributes through filters (`money`, `slugify`, `default`, the image's `url` and
`srcset` built by the storage), rendering cards was over half of a cold listing's server time.
Here each value is computed once per card, with the same functions the filters use, so the
template only prints strings. The card's display rules stay in `products.display` (the card
keeps the `Display` itself for the add-to-cart button, which reads `display.out_of_stock`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.utils.text import slugify

from apps.core.templatetags.money import money

from .images import file_url, srcset
from .products import Display


@dataclass(frozen=True, slots=True)
class CardImage:
    src: str
    srcset: str  # empty when the image's width is unknown (no renditions to offer)
    alt: str
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class Swatch:
    colour: str
    css: str  # "swatch-<slug>"


@dataclass(frozen=True, slots=True)
class Card:
    """One card. `pk`, `name`, `display` and `current_price` are what the shared add-to-cart
    and wishlist-heart partials read from a product, so they take a Card as they take one."""

    pk: int
    name: str
    url: str
    image: CardImage | None
    display: Display
    price: str  # money text of display.price
    compare_at: str  # money text of display.compare_at, or ""
    current_price: str  # the server's current price, the wishlist's snapshot (data-price)
    swatches: tuple[Swatch, ...]
    has_options: bool


@lru_cache(maxsize=256)
def _swatch(colour: str) -> Swatch:
    return Swatch(colour=colour, css=f"swatch-{slugify(colour)}")


def _image(product) -> CardImage | None:
    images = getattr(product, "primary_images", None) or ()
    if not images:
        return None
    image = images[0]
    stored = image.image
    url = file_url(stored.storage, stored.name) if stored.name else stored.url
    return CardImage(
        src=url,
        srcset=srcset(stored.name, url, image.width, stored.storage) if image.width else "",
        alt=image.alt_text or product.name,
        width=image.width or 400,
        height=image.height or 400,
    )


def card(product) -> Card:
    """The card of a product from the catalog's card rows (`display` and `primary_images` set)."""
    display = product.display
    return Card(
        pk=product.pk,
        name=product.name,
        url=product.get_absolute_url(),
        image=_image(product),
        display=display,
        price=money(display.price),
        compare_at=money(display.compare_at) if display.compare_at else "",
        current_price=str(product.current_price),
        swatches=tuple(_swatch(str(colour)) for colour in product.swatches or ()),
        has_options=bool(product.has_options),
    )
