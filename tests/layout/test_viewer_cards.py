"""Home/CMS product grids render cards through the catalog's viewer-aware renderer: the shared
(cached) render is the anonymous one, a signed-in shopper gets their own hearts (issue 14, 9)."""

from __future__ import annotations

import re

import pytest

from apps.wishlist import services as wishlist
from tests.factories import ProductFactory, UserFactory, boot
from tests.layout.factories import grid_skus, publish_home

pytestmark = pytest.mark.django_db


def card(body: str, product) -> str:
    start = body.index(f'id="product-card-{product.pk}"')
    return body[start : body.index("</article>", start)]


def test_signed_in_shopper_sees_their_own_hearts_in_a_home_grid(client):
    saved = ProductFactory(name="Saved lamp", sku="LAMP-1")
    other = ProductFactory(name="Other lamp", sku="LAMP-2")
    publish_home(("main", grid_skus(["LAMP-1", "LAMP-2"])))
    anonymous = client.get("/").content.decode()
    assert 'data-mode="local"' in card(anonymous, saved)

    shopper = UserFactory()
    wishlist.set_saved(shopper, saved.pk, True)
    client.force_login(shopper)
    body = client.get("/").content.decode()  # the grid's render is warm in Redis by now
    assert 'aria-pressed="true"' in card(body, saved)
    assert 'aria-pressed="false"' in card(body, other)
    assert 'data-mode="local"' not in body
    assert "csrfslot" not in body and "__hypershop_csrf_token__" not in body
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', card(body, saved))
    assert token and token[1]

    client.logout()
    assert 'data-mode="local"' in card(client.get("/").content.decode(), saved)


def test_grid_cards_follow_the_display_rules(client):
    product, _ = boot(
        "Grid boot",
        sizes=("41", "42"),
        price={("Black", "41"): "70.00", ("Black", "42"): "80.00"},
        sku="BOOT-G",
    )
    publish_home(("main", grid_skus(["BOOT-G"])))
    html = card(client.get("/").content.decode(), product)
    assert "from </span>" in html and "70.00" in html and "Choose options" in html
