"""The listing's card query as fixed SQL (apps.catalog.selectors._cards_by_ids) builds the cards
the ORM query it replaced builds (`_card_rows().filter(pk__in=...)`, kept here as the oracle):
same rows, same field values and deferred fields, same stock total, category and primary image,
same display, for products in every state and any set of ids (unknown, inactive, repeated)."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from apps.catalog import selectors
from apps.catalog.models import Product, Stock, Variant
from tests.factories import (
    CategoryFactory,
    ProductFactory,
    ProductImageFactory,
    WarehouseFactory,
    boot,
    set_price,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog():
    shelf = CategoryFactory(name="Shelf")
    plain = ProductFactory(name="Mug", stock=4)
    ProductImageFactory(product=plain)
    ProductImageFactory(product=plain, is_primary=False)
    ProductFactory(name="No picture", stock=0, category=shelf)
    only_secondary = ProductFactory(name="Side view only", stock=2)
    ProductImageFactory(product=only_secondary, is_primary=False, alt_text="")
    ProductFactory(name="Draft", stock=3, status=Product.Status.DRAFT)
    archived = ProductFactory(name="Gone", stock=3)
    archived.status = Product.Status.ARCHIVED
    archived.save()
    sale = ProductFactory(name="On sale", stock=1)
    set_price(sale, Decimal("19.99"), compare_at=Decimal("29.99"))
    shoe, variants = boot(name="Shoe", sizes=("41", "42"), colours=("Red", "Black"))
    ProductImageFactory(product=shoe, alt_text='Shoe, <red> & "black"')
    Stock.objects.create(
        variant=variants[("Red", "41")], warehouse=WarehouseFactory(code="north"), quantity=7
    )
    off = variants[("Black", "42")]
    off.status = Variant.Status.INACTIVE
    off.save()
    sold_out, left = boot(name="Sold out boot", sizes=("40",), colours=("Blue",))
    Stock.objects.filter(variant__product=sold_out).update(quantity=0)
    return list(Product.objects.values_list("pk", flat=True))


def described(products: list[Product]) -> dict[int, dict]:
    """Everything a card can read from a product, by id."""
    out = {}
    for product in selectors._with_primary_images(products):
        fields = product._meta.concrete_fields
        image = product.primary_images[0] if product.primary_images else None
        out[product.pk] = {
            "fields": {
                f.attname: getattr(product, f.attname)
                for f in fields
                if f.attname not in product.get_deferred_fields()
            },
            "deferred": product.get_deferred_fields(),
            "stock_total": product.stock_total,
            "category": {
                f.attname: getattr(product.category, f.attname)
                for f in product.category._meta.concrete_fields
            },
            "image": None
            if image is None
            else {f.attname: getattr(image, f.attname) for f in image._meta.concrete_fields},
            "image_url": None if image is None else image.image.url,
            "display": product.display,
        }
    return out


def oracle(ids: list[int]) -> dict[int, dict]:
    return described(list(selectors._card_rows().filter(pk__in=ids)))


def test_every_product_alone_and_all_together(catalog, django_assert_num_queries):
    for ids in [[pk] for pk in catalog] + [catalog, [0, 10**9], [*catalog, *catalog]]:
        with django_assert_num_queries(1):
            got = selectors._cards_by_ids(ids)
        assert described(got) == oracle(ids), ids
        assert len(got) == len(set(got)) == len(oracle(ids))


def test_random_sets_of_ids(catalog):
    rng = random.Random(18)
    answers = set()
    for _ in range(60):
        ids = rng.sample([*catalog, 0, 10**9], rng.randint(1, len(catalog)))
        expected = oracle(ids)
        assert described(selectors._cards_by_ids(ids)) == expected, ids
        answers.add(len(expected))
    assert len(answers) > 3  # small and large answers were compared


def test_the_catalog_page_from_the_index_shows_the_same_cards(catalog, client, settings):
    """What a shopper sees: a listing whose page the facet index found (so its cards come from
    the fixed query) shows every active product's card with its picture."""
    from apps.catalog import facetindex

    settings.CATALOG_FACET_INDEX_LAG = 3600
    facetindex.reset()
    try:
        assert facetindex.ensure() is not None
        answered = facetindex.ordered_ids(selectors.CatalogFilters(), "relevance", limit=24)
        assert answered is not None  # the listing below takes its page from the index
        html = client.get("/catalog/").content.decode()
    finally:
        facetindex.reset()
    for name in ("Mug", "No picture", "Side view only", "On sale", "Shoe", "Sold out boot"):
        assert name in html
    assert "Draft" not in html and "Gone" not in html
    assert 'alt="Shoe, &lt;red&gt; &amp; &quot;black&quot;"' in html
    assert html.count("<img") == 2  # Mug's and Shoe's primary images; no secondary one
    assert selectors._cards_by_ids([]) == []
