"""The home page's first row of product images loads at once and first; a product shown in two
grids never repeats an id (label targets, valid HTML)."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from tests.factories import ProductFactory, ProductImageFactory, UserFactory
from tests.layout.factories import grid_skus, hero, publish_home

pytestmark = pytest.mark.django_db

IMG = re.compile(r"<img [^>]*>")


def ids(html: str) -> Counter:
    return Counter(re.findall(r'\sid="([^"]+)"', html))


@pytest.fixture
def home():
    skus = []
    for n in range(6):
        product = ProductFactory(name=f"Lamp {n}", sku=f"LAMP-{n}")
        ProductImageFactory(product=product, alt_text=f"Lamp {n}")
        skus.append(product.sku)
    publish_home(
        ("hero", hero(image="/media/hero.jpg")),
        ("main", grid_skus(skus)),
        ("main", grid_skus(skus[::-1])),
    )


@pytest.mark.parametrize("signed_in", [False, True])
def test_first_grid_row_is_eager_and_ids_are_unique(client, home, signed_in):
    if signed_in:
        client.force_login(UserFactory())
    for _ in range(2):  # cold, then from the render cache
        html = client.get("/").content.decode()
        images = IMG.findall(html)
        hero_image, cards = images[0], images[1:]
        assert 'class="hero-image"' in hero_image and 'fetchpriority="high"' in hero_image
        assert 'width="800" height="600"' in hero_image
        assert len(cards) == 12
        assert all('fetchpriority="high"' in i and "loading" not in i for i in cards[:4]), cards
        assert all('loading="lazy"' in i and "fetchpriority" not in i for i in cards[4:]), cards
        assert all("width=" in i and "height=" in i for i in images)
        repeated = [name for name, count in ids(html).items() if count > 1]
        assert not repeated, repeated
        # The first grid keeps the plain ids; the second prefixes its own.
        assert html.count('id="product-card-') == 6
        assert len(re.findall(r'id="b\d+-product-card-', html)) == 6
