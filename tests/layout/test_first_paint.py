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


FORM = re.compile(r'<form id="(b\d+-)add-to-cart-(\d+)"[^>]*>(.*?)</form>', re.S)
HEART = re.compile(r'<form method="post" action="(/wishlist/[^"]+)"[^>]*id="(b\d+-)wishlist', re.S)


def test_a_form_swapped_in_a_second_grid_keeps_that_grids_ids(client, home):
    """htmx replaces a card's add-to-cart form (and a signed-in heart) with the server's answer:
    in the second grid that answer keeps the grid's id prefix, so no id repeats after a click.
    A prefix that is not one (markup, spaces, too long) is ignored."""
    html = client.get("/").content.decode()
    prefix, product_id, body = FORM.search(html).groups()
    assert f'name="id_prefix" value="{prefix}"' in body
    token = client.cookies["csrftoken"].value
    answer = client.post(
        "/cart/add/",
        {"product_id": product_id, "quantity": "1", "id_prefix": prefix},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    ).content.decode()
    assert f'<form id="{prefix}add-to-cart-{product_id}"' in answer
    assert f'id="{prefix}add-qty-{product_id}"' in answer
    for junk in ('b1-"><script>', "b1 -", "x" * 80 + "-", "B1-"):
        answer = client.post(
            "/cart/add/",
            {"product_id": product_id, "quantity": "1", "id_prefix": junk},
            headers={"HX-Request": "true", "X-CSRFToken": token},
        ).content.decode()
        assert f'<form id="add-to-cart-{product_id}"' in answer and "<script>" not in answer

    client.force_login(UserFactory())
    html = client.get("/").content.decode()
    action, prefix = HEART.search(html).groups()
    answer = client.post(
        action,
        {"saved": "1", "id_prefix": prefix},
        headers={"HX-Request": "true", "X-CSRFToken": client.cookies["csrftoken"].value},
    ).content.decode()
    assert f'id="{prefix}wishlist-heart-' in answer
