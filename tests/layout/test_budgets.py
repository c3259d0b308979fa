"""Query budgets: the home page's cost does not grow with the number of grids or products."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from tests.factories import (
    AttributeDefinitionFactory,
    CategoryFactory,
    ProductAttributeFactory,
    ProductFactory,
    ProductImageFactory,
    UserFactory,
)
from tests.layout.factories import banner, grid_category, grid_skus, hero, publish_home, rich, tiles

pytestmark = pytest.mark.django_db


def main(html: str) -> str:
    """The page's main region, with per-request CSRF tokens blanked out."""
    region = html[html.index("<main") : html.index("</main>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "csrf", region)


def catalog(size: int):
    shoes, hats = CategoryFactory(name="Shoes"), CategoryFactory(name="Hats")
    colour = AttributeDefinitionFactory(slug="colour")
    products = []
    for i in range(size):
        product = ProductFactory(category=shoes if i % 2 else hats)
        ProductImageFactory(product=product)
        ProductAttributeFactory(product=product, definition=colour, value="red")
        products.append(product)
    return shoes, hats, products


def eight_blocks(grids: int, shoes, hats, products) -> None:
    kinds = [
        grid_category(shoes.pk, limit=6),
        {
            "type": "product_grid",
            "content": {"source": "attribute", "attribute": "colour", "value": "red", "limit": 6},
        },
        grid_skus([p.sku for p in products[:4]]),
        grid_category(hats.pk, limit=6),
        grid_skus([p.sku for p in products[-3:]]),
        grid_category(shoes.pk, limit=2),
    ]
    specs = [("hero", hero()), ("main", tiles([shoes.pk, hats.pk]))]
    specs += [("main", kinds[i]) for i in range(grids)]
    fillers = [
        ("main", banner()),
        ("sidebar", rich()),
        ("main", banner("Second")),
        ("sidebar", rich("<p>2</p>")),
    ]
    specs += fillers[: 8 - len(specs)]
    assert len(specs) == 8
    publish_home(*specs)


@pytest.mark.parametrize("size", [4, 60])
@pytest.mark.parametrize("grids", [2, 3, 6])
def test_home_queries_cold_and_warm(
    client, django_assert_max_num_queries, django_assert_num_queries, size, grids
):
    shoes, hats, products = catalog(size)
    eight_blocks(grids, shoes, hats, products)
    cache.clear()
    with django_assert_max_num_queries(3):
        cold = client.get("/")
    assert cold.text.count('class="product-card"') >= grids  # the grids really rendered
    assert cold.text.count('data-testid="block"') == 8
    with django_assert_num_queries(0):
        warm = client.get("/")
    assert main(warm.text) == main(cold.text)


@pytest.mark.parametrize("size", [4, 60])
@pytest.mark.parametrize("grids", [2, 3, 6])
def test_signed_in_shopper_warm_page_costs_at_most_the_session_with_its_user(
    client, django_assert_max_num_queries, size, grids
):
    """Sessions live in PostgreSQL: the one query left reads the session row joined with its
    user (apps.accounts.sessions)."""
    shoes, hats, products = catalog(size)
    eight_blocks(grids, shoes, hats, products)
    client.force_login(UserFactory())
    cold = client.get("/")
    assert cold.text.count('data-testid="block"') == 8
    with django_assert_max_num_queries(1):
        warm = client.get("/")
    assert warm.status_code == 200 and main(warm.text) == main(cold.text)
