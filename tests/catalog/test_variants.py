"""Products in options: the product page's option picker, the read model's display rules, cards.

Hand-computed facet counts over variants live in test_variant_facets.py.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.cache import cache

from apps.cart.models import CartLine
from apps.catalog.models import Variant
from tests.factories import ProductImageFactory, boot

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
SIZES = tuple(str(n) for n in range(36, 46))  # 10 sizes x 3 colours = 30 variants


def big_boot():
    prices = {
        (c, s): "99.00" if s >= "44" else "89.00" for c in ("Black", "Brown", "Tan") for s in SIZES
    }
    product, variants = boot(
        sizes=SIZES,
        colours=("Black", "Brown", "Tan"),
        price=prices,
        stock={("Black", "42"): 0, ("Brown", "41"): 2},
    )
    for order, colour in enumerate(("Black", "Brown")):
        ProductImageFactory(
            product=product,
            alt_text=f"Trail boot in {colour.lower()}",
            option_value=colour,
            is_primary=order == 0,
            sort_order=order,
        )
    return product, variants


def test_product_page_with_30_variants_budget_cold_and_warm(client, django_assert_max_num_queries):
    product, _ = big_boot()
    cache.clear()
    with django_assert_max_num_queries(5):
        response = client.get(product.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('type="radio" id="opt-size-') == 10
    assert body.count('type="radio" id="opt-colour-') == 3
    with django_assert_max_num_queries(0):
        assert client.get(product.get_absolute_url()).status_code == 200


def test_choosing_options_swaps_the_product_in_place_and_pushes_the_sku(
    client, django_assert_max_num_queries
):
    product, variants = big_boot()
    url = product.get_absolute_url()
    with django_assert_max_num_queries(3):
        response = client.get(url, {"colour": "Brown", "size": "41"}, headers=HX)
    body = response.content.decode()
    chosen = variants[("Brown", "41")]
    assert response.headers["HX-Push-Url"] == f"{url}?variant={chosen.sku}"
    assert body.lstrip().startswith('<article id="product"') and "<html" not in body
    assert f"SKU {chosen.sku}" in body and "Only 2 left" in body
    assert 'alt="Trail boot in brown"' in body and "in black" not in body  # the colour's gallery
    assert f'name="variant_id" value="{chosen.pk}"' in body

    # A dearer size: the price follows.
    body = client.get(url, {"colour": "Brown", "size": "45"}, headers=HX).content.decode()
    assert re.search(r'data-testid="product-price">99.00', body)


def test_a_choice_the_shop_writes_is_shared_and_anything_else_is_rendered_fresh(
    client, django_assert_num_queries, django_assert_max_num_queries
):
    """The option swap and the `?variant=` address it pushes are stored whole by the page cache
    like the plain product page (stock lags by STOCK_LAG at most); a query that is not exactly
    a choice of this product (unknown value, repeated field, junk) is answered but never stored."""
    product, variants = big_boot()
    url = product.get_absolute_url()
    chosen = variants[("Brown", "41")]
    first = client.get(url, {"colour": "Brown", "size": "41"}, headers=HX)
    with django_assert_num_queries(0):
        again = client.get(url, {"colour": "Brown", "size": "41"}, headers=HX)
    unmasked = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')  # masked per response
    assert unmasked.sub("", again.text) == unmasked.sub("", first.text)
    assert "Only 2 left" in again.text
    assert again.headers["HX-Push-Url"] == f"{url}?variant={chosen.sku}"
    client.get(url, {"variant": chosen.sku})
    with django_assert_num_queries(0):
        page = client.get(url, {"variant": chosen.sku})
    assert f"SKU {chosen.sku}" in page.text and "<html" in page.text

    for junk in (
        "colour=Brown&size=41&size=41",
        "colour=Brown&size=99",
        "colour=Brown&size=41&utm_source=x",
        f"variant={chosen.sku}&colour=Brown",
        "variant=NOPE",
    ):
        for _ in range(2):
            with django_assert_max_num_queries(3) as queries:
                response = client.get(f"{url}?{junk}", headers=HX)
            assert response.status_code == 200 and len(queries) > 0, junk

    # A catalog write (a new price) is on the next swap, not STOCK_LAG later.
    chosen.price = Decimal("77.00")
    chosen.save()
    body = client.get(url, {"colour": "Brown", "size": "41"}, headers=HX).text
    assert re.search(r'data-testid="product-price">77.00', body)


def test_a_direct_link_and_the_no_js_form_choose_the_variant(client):
    product, variants = big_boot()
    chosen = variants[("Tan", "39")]
    body = client.get(product.get_absolute_url(), {"variant": chosen.sku}).content.decode()
    assert f"SKU {chosen.sku}" in body and "<html" in body
    assert re.search(r'id="opt-colour-tan" name="colour" value="Tan" checked', body)
    body = client.get(
        product.get_absolute_url(), {"colour": "Tan", "size": "39"}, follow=True
    ).content
    assert f"SKU {chosen.sku}" in body.decode()


def test_sold_out_and_missing_combinations_are_shown_and_cannot_be_added(client):
    product, variants = boot(sizes=("41", "42"), colours=("Black", "Red"))
    Variant.objects.filter(pk=variants[("Red", "42")].pk).delete()  # never made
    sold_out = variants[("Black", "42")]
    sold_out.stock.update(quantity=0)
    cache.clear()
    url = product.get_absolute_url()

    body = client.get(url, {"colour": "Black", "size": "42"}, follow=True).content.decode()
    assert "Sold out" in body and re.search(r'data-testid="add-to-cart" disabled', body)
    body = client.get(url, {"colour": "Red", "size": "41"}, follow=True).content.decode()
    assert re.search(r'for="opt-size-42" class="option-choice option-missing"', body)
    assert "(not available)" in body
    body = client.get(url, {"colour": "Red", "size": "42"}).content.decode()
    assert "This combination is not made." in body
    assert re.search(r'data-testid="add-to-cart" disabled', body)

    # Posting the sold-out variant anyway: refused with a message, nothing added.
    response = client.post("/cart/add/", {"variant_id": sold_out.pk}, headers=HX)
    assert response.status_code == 400 and "out of stock" in response.content.decode()
    # A product with options cannot be added without choosing them.
    response = client.post("/cart/add/", {"product_id": product.pk}, headers=HX)
    assert response.status_code == 400 and "Choose a size" in response.content.decode()
    assert not CartLine.objects.exists()


def test_two_sizes_of_one_boot_are_two_cart_lines(client):
    product, variants = boot()
    for size in ("41", "42", "42"):
        client.post("/cart/add/", {"variant_id": variants[("Black", size)].pk})
    lines = {line.variant_id: line.quantity for line in CartLine.objects.all()}
    assert lines == {variants[("Black", "41")].pk: 1, variants[("Black", "42")].pk: 2}
    body = client.get("/cart/").content.decode()
    assert "Trail boot (Black / 41)" in body and "Trail boot (Black / 42)" in body


def test_add_a_variant_budget(client, django_assert_max_num_queries):
    _, variants = boot()
    client.post("/cart/add/", {"variant_id": variants[("Black", "41")].pk})
    with django_assert_max_num_queries(8):
        response = client.post(
            "/cart/add/", {"variant_id": variants[("Black", "42")].pk}, headers=HX
        )
    assert response.status_code == 200


def test_card_shows_from_price_sale_badge_and_swatches(client):
    prices = {
        ("Black", "41"): "79.00",
        ("Black", "42"): "89.00",
        ("Red", "41"): "89.00",
        ("Red", "42"): "89.00",
    }
    product, variants = boot(sizes=("41", "42"), colours=("Black", "Red"), price=prices)
    red = variants[("Red", "42")]
    red.compare_at_price = Decimal("120.00")
    red.save()
    body = client.get("/catalog/").content.decode()
    card = body[body.index(f'id="product-card-{product.pk}"') :]
    card = card[: card.index("</article>")]
    assert "from </span>" in card and "79.00 EUR" in card
    assert "<s " not in card  # the struck-through price belongs to one variant, not "from"
    assert "Sale" in card  # some variant is on sale
    assert "swatch-black" in card and "swatch-red" in card
    assert "Choose options" in card and 'name="product_id"' not in card


def test_product_jsonld_is_a_product_group_with_an_offer_per_variant(client):
    import json

    product, variants = boot(sizes=("41", "42"), colours=("Black",))
    variants[("Black", "42")].stock.update(quantity=0)
    cache.clear()
    body = client.get(product.get_absolute_url()).content.decode()
    blocks = re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', body, re.S)
    group = next(json.loads(b) for b in blocks if '"ProductGroup"' in b)
    assert group["variesBy"] == ["https://schema.org/color", "https://schema.org/size"]
    offers = {v["sku"]: (v["size"], v["offers"]["availability"]) for v in group["hasVariant"]}
    assert offers == {
        variants[("Black", "41")].sku: ("41", "https://schema.org/InStock"),
        variants[("Black", "42")].sku: ("42", "https://schema.org/OutOfStock"),
    }


def test_the_no_js_picker_lands_on_the_choice_address_and_junk_is_harmless(client):
    product, variants = boot(sizes=("41", "42"), colours=("Black", "Red"))
    url = product.get_absolute_url()
    response = client.get(url, {"colour": "Red", "size": "42"})
    assert response.status_code == 302
    assert response["Location"] == f"{url}?variant={variants[('Red', '42')].sku}"
    # Junk parameters: the first variant in stock is shown, nothing breaks, nothing redirects.
    for query in ({"utm_source": "mail"}, {"size": "99"}, {"variant": "NOPE"}, {"colour": "<x>"}):
        response = client.get(url, query)
        assert response.status_code == 200, query
        assert f"SKU {variants[('Black', '41')].sku}" in response.content.decode()
