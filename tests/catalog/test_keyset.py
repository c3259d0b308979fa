"""Keyset pagination of the listing: cursors, and cursor pages equal to OFFSET pages.

"Load more" and "Next" carry a signed cursor (the last card's sort value and pk); numbered
pages past the middle are counted from the end. Whatever path found a page, the shopper must
see exactly the cards the plain ORDER BY ... OFFSET would have shown, with ties in every sort.
"""

from __future__ import annotations

import datetime
import html
import random
import re
from decimal import Decimal

import pytest
from django.core import signing
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.catalog import cursor as cursors
from apps.catalog.cursor import Cursor, InvalidCursor
from apps.catalog.filters import CatalogFilters
from apps.catalog.models import Product
from apps.catalog.selectors import ORDERINGS, catalog_meta, catalog_page
from tests.catalog.factories import bulk_catalog

HX = {"HX-Request": "true"}
KEYSET_SORTS = ("price_asc", "price_desc", "newest", "name")


def card_ids(body: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'id="product-card-(\d+)"', body)]


def more_url(body: str) -> str | None:
    found = re.search(r'id="load-more"[^>]*hx-get="([^"]+)"', body)
    return html.unescape(found.group(1)) if found else None


# --- The token ------------------------------------------------------------------------------

NOW = timezone.now()


@pytest.mark.parametrize(
    "cursor",
    [
        Cursor("price_asc", Decimal("19.99"), 7),
        Cursor("price_desc", Decimal("0.00"), 2**63 - 1),
        Cursor("newest", NOW, 1),
        Cursor("newest", datetime.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=datetime.UTC), 3),
        Cursor("name", "Zürich “quoted” <b>&amp; ' ü", 42),
        Cursor("name", "", 5),
    ],
)
def test_a_cursor_survives_the_round_trip(cursor):
    token = cursors.encode(cursor)
    assert cursors.encode(cursor) == token  # the same card always gives the same URL
    assert cursors.decode(token, cursor.ordering) == cursor


def test_a_tampered_token_is_refused():
    token = cursors.encode(Cursor("price_asc", Decimal("19.99"), 7))
    payload, _, signature = token.partition(":")
    forged = signing.b64_encode(b'["price_asc","0.01",7]').decode()
    for bad in (
        f"{forged}:{signature}",
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        token + "x",
        payload,
        signing.dumps(["price_asc", "19.99", 7], salt="another.salt"),
    ):
        with pytest.raises(InvalidCursor):
            cursors.decode(bad, "price_asc")


@pytest.mark.parametrize(
    "payload",
    [
        ["price_asc", 19.99, 7],  # value not a string
        ["price_asc", "19.99", "7"],  # pk not an int
        ["price_asc", "19.99", True],
        ["price_asc", "19.99", 0],
        ["price_asc", "19.99", -4],
        ["price_asc", "19.99", 2**63],  # beyond bigint
        ["price_asc", "19.99", 10**400],
        ["price_asc", "abc", 7],
        ["price_asc", "NaN", 7],
        ["price_asc", "sNaN", 7],
        ["price_asc", "Infinity", 7],
        ["price_asc", "-1", 7],
        ["price_asc", "1e30", 7],  # beyond max_digits
        ["price_asc", "1.001", 7],  # beyond decimal_places
        ["newest", "yesterday", 7],
        ["newest", "2026-01-01T00:00:00", 7],  # naive
        ["newest", "99999-01-01T00:00:00+00:00", 7],
        ["name", "x" * 201, 7],
        ["name", "nul\x00byte", 7],
        ["relevance", "0.5", 7],  # no cursor for search ranks
        ["drop table", "x", 7],  # unknown sort
        ["price_asc", "19.99"],
        ["price_asc", "19.99", 7, 8],
        {"ordering": "price_asc"},
        "price_asc",
        None,
    ],
)
def test_a_signed_payload_of_the_wrong_shape_is_refused(payload):
    token = signing.dumps(payload, salt=cursors.SALT)
    ordering = payload[0] if isinstance(payload, list) and payload[0] in ORDERINGS else "name"
    with pytest.raises(InvalidCursor):
        cursors.decode(token, ordering)


def test_a_cursor_from_another_sort_is_refused():
    token = cursors.encode(Cursor("price_asc", Decimal("5.00"), 7))
    for other in ("price_desc", "newest", "name", "rank"):
        with pytest.raises(InvalidCursor, match="another sort"):
            cursors.decode(token, other)


def test_an_overlong_token_is_refused_before_it_is_read():
    with pytest.raises(InvalidCursor):
        cursors.decode("a" * 10_000, "name")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=700), st.sampled_from(sorted(ORDERINGS)))
def test_garbage_tokens_only_ever_raise_invalid_cursor(token, ordering):
    with pytest.raises(InvalidCursor):
        cursors.decode(token, ordering)


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(st.text(max_size=30), st.integers(), st.floats(), st.none(), st.booleans()),
    st.one_of(st.integers(), st.text(max_size=5), st.floats(), st.none()),
    st.sampled_from([*cursors.KEYSET_FIELDS, "rank", "x"]),
)
def test_signed_junk_only_ever_raises_invalid_cursor_or_decodes_cleanly(value, pk, name):
    token = signing.dumps([name, value, pk], salt=cursors.SALT)
    try:
        cursor = cursors.decode(token, name)
    except InvalidCursor:
        return
    assert type(cursor.pk) is int and 0 < cursor.pk < 2**63
    assert cursors.decode(cursors.encode(cursor), name) == cursor


# --- Cursor pages equal OFFSET pages --------------------------------------------------------


def tied_catalog(count: int, seed: int) -> list[Product]:
    """`count` products whose prices, names and creation times tie in small groups."""
    bulk_catalog(count)
    rng = random.Random(seed)
    products = list(Product.objects.all())
    base = timezone.now()
    for product in products:
        product.current_price = Decimal(rng.choice(["5.00", "5.00", "9.99", "12.50", "80.00"]))
        product.name = rng.choice(["Anorak", "Boot", "Cap", "Anorak", "Duffel bag"])
        product.created_at = base - datetime.timedelta(minutes=rng.choice([0, 0, 1, 5]))
    Product.objects.bulk_update(products, ["current_price", "name", "created_at"])
    cache.clear()  # what the catalog version bump does after a write through services
    return products


def expected_ids(ordering: tuple[str, ...]) -> list[int]:
    active = Product.objects.filter(status="active", max_price__isnull=False)
    return list(active.order_by(*ordering).values_list("pk", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2])
def test_cursor_walks_and_numbered_pages_equal_the_full_order_with_ties(seed):
    tied_catalog(47, seed)
    meta = catalog_meta()
    filters = CatalogFilters()
    per_page = 6
    for sort in KEYSET_SORTS:
        full = expected_ids(ORDERINGS[sort])
        assert len(full) == 47 and len(set(full)) == 47
        numbered = []
        for number in range(1, 9):  # forwards in the first half, from the end in the second
            page = catalog_page(filters, meta, sort=sort, page=number, per_page=per_page)
            ids = [p.pk for p in page.products]
            assert ids == full[(number - 1) * per_page : number * per_page], (sort, number)
            numbered += ids
        assert numbered == full
        walked, after = [], None
        page = catalog_page(filters, meta, sort=sort, per_page=per_page)
        while True:
            walked += [p.pk for p in page.products]
            if page.next_cursor is None:
                break
            after = cursors.decode(cursors.encode(page.next_cursor), sort)
            page = catalog_page(filters, meta, sort=sort, per_page=per_page, after=after)
        assert walked == full, sort
        assert not page.has_next


@pytest.mark.django_db
def test_a_walk_through_filters_and_search_pages_the_same_way():
    tied_catalog(40, 3)
    meta = catalog_meta()
    red = next(d for d in meta.definitions if d.slug == "colour")
    filters = CatalogFilters(attributes=((red.id, ("red",)),))
    full_red = [
        pk
        for pk in expected_ids(ORDERINGS["price_desc"])
        if Product.objects.filter(pk=pk, attributes__value="red").exists()
    ]
    walked, page = [], catalog_page(filters, meta, sort="price_desc", per_page=4)
    while True:
        walked += [p.pk for p in page.products]
        if not page.next_cursor:
            break
        page = catalog_page(filters, meta, sort="price_desc", per_page=4, after=page.next_cursor)
    assert walked == full_red and len(walked) == 10
    # Relevance of a search has no cursor: its pages stay numbered.
    search = catalog_page(CatalogFilters(q="bag"), meta, sort="relevance", per_page=2)
    assert search.total > 2 and search.has_next and search.next_cursor is None


# --- Load more over HTTP --------------------------------------------------------------------


def walk_load_more(client, url: str) -> list[int]:
    first = client.get(url).content.decode()
    ids, link = card_ids(first.split('id="results"')[1]), more_url(first)
    while link:
        response = client.get(link, headers=HX)
        assert response.status_code == 200
        body = response.content.decode()
        assert "<html" not in body and 'id="results"' not in body
        assert "HX-Push-Url" not in response  # appending cards leaves the address bar alone
        ids += card_ids(body)
        link = more_url(body)
    return ids


@pytest.mark.django_db
@pytest.mark.parametrize("sort", KEYSET_SORTS)
def test_load_more_walks_every_card_once_in_order(client, sort):
    tied_catalog(37, 4)
    ids = walk_load_more(client, f"/catalog/?sort={sort}&per_page=12")
    assert ids == expected_ids(ORDERINGS[sort])


@pytest.mark.django_db
def test_a_product_added_mid_walk_neither_repeats_nor_shifts_a_card(client):
    """An OFFSET walk would show the last card of page 1 again after an insert before it."""
    tied_catalog(30, 5)
    first = client.get("/catalog/?sort=price_asc&per_page=12").content.decode()
    shown = card_ids(first.split('id="results"')[1])
    cheapest = Product.objects.get(pk=shown[0])
    Product.objects.filter(pk=cheapest.pk).update(current_price=Decimal("1.00"))
    bulk_catalog(1, start=900)  # a new product, priced 5.00 + 0: before the cursor
    Product.objects.filter(sku="BULK-0000900").update(current_price=Decimal("0.50"))
    cache.clear()
    body = client.get(more_url(first), headers=HX).content.decode()
    assert not set(card_ids(body)) & set(shown)
    full = expected_ids(ORDERINGS["price_asc"])
    assert full[0] == Product.objects.get(sku="BULK-0000900").pk  # an OFFSET would shift by one
    after = full.index(shown[-1]) + 1
    assert card_ids(body) == full[after : after + 12]


@pytest.mark.django_db
def test_a_load_more_link_reloaded_without_htmx_is_that_numbered_page(client):
    tied_catalog(30, 6)
    first = client.get("/catalog/?sort=name&per_page=12").content.decode()
    link = more_url(first)
    assert "page=2" in link and "after=" in link
    plain = client.get(link).content.decode()
    assert "<html" in plain and '<span aria-current="page">2</span>' in plain
    assert card_ids(plain.split('id="results"')[1]) == expected_ids(ORDERINGS["name"])[12:24]


# --- Bad cursors: a 400 for load more, the numbered page for a page ------------------------


@pytest.mark.django_db
def test_a_bad_cursor_is_a_400_for_load_more_and_the_numbered_page_otherwise(client):
    tied_catalog(30, 7)
    good = more_url(client.get("/catalog/?sort=price_asc&per_page=12").content.decode())
    token = re.search(r"after=([^&]+)", good).group(1)
    for bad in ("garbage", token[:-2] + ("zz" if token[-2:] != "zz" else "yy")):
        url = f"/catalog/?sort=price_asc&per_page=12&page=2&after={bad}"
        response = client.get(url, headers=HX)
        assert response.status_code == 400, bad
        assert not card_ids(response.content.decode())
        assert "More products could not be loaded from here" in response.content.decode()
    # A cursor from another sort would append the wrong cards: refused too.
    other = client.get(f"/catalog/?sort=name&per_page=12&page=2&after={token}", headers=HX)
    assert other.status_code == 400
    # A page (no JavaScript, a shared link) shows the numbered page and says why.
    cache.clear()
    page = client.get("/catalog/?sort=price_asc&per_page=12&page=2&after=garbage")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Position in the list: Not a position in this list." in body
    assert card_ids(body.split('id="results"')[1]) == expected_ids(ORDERINGS["price_asc"])[12:24]
    assert not list(cache.iter_keys("catalog:html:*"))  # junk is never cached


@pytest.mark.django_db(transaction=False)
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    after=st.text(max_size=300),
    sort=st.sampled_from(["price_asc", "price_desc", "newest", "name", "relevance", "x"]),
    htmx=st.booleans(),
)
def test_fuzzed_cursors_never_500(after, sort, htmx):
    if not Product.objects.exists():  # hypothesis reruns the body, not the fixtures
        bulk_catalog(15)
    response = Client().get(
        "/catalog/",
        {"after": after, "sort": sort, "page": "2", "per_page": "12"},
        headers=HX if htmx else {},
    )
    assert response.status_code in (200, 302, 400)


# --- Query budgets with a cursor ------------------------------------------------------------


def cold_queries(client, url: str, **kwargs) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **kwargs)
    assert response.status_code == 200
    return len(ctx)


@pytest.mark.django_db
def test_load_more_with_a_cursor_holds_the_budget_from_100_to_10000_products(
    client, django_assert_num_queries
):
    def counts() -> tuple[int, ...]:
        found = []
        for sort in ("price_desc", "newest"):
            link = more_url(client.get(f"/catalog/?sort={sort}&per_page=24").content.decode())
            assert "after=" in link
            found += [cold_queries(client, link, headers=HX), cold_queries(client, link)]
            client.get(link, headers=HX)
            with django_assert_num_queries(0):  # warm: the fragment comes from Redis
                warm = client.get(link, headers=HX)
            assert len(card_ids(warm.content.decode())) == 24
        return tuple(found)

    bulk_catalog(100)
    small = counts()
    bulk_catalog(9_900, start=100)
    assert counts() == small
    assert set(small) == {4}


# --- The seam for another source of ids -----------------------------------------------------


@pytest.mark.django_db
def test_pages_and_walks_from_the_bitmap_index_equal_sql(monkeypatch, settings):
    """With a synced facet index the page ids come from its orders: same pages, same walks."""
    from apps.catalog import facetindex

    tied_catalog(30, 8)
    meta = catalog_meta()

    def walk(sort: str) -> tuple[list[int], list[int]]:
        numbered = [
            p.pk
            for number in range(1, 4)
            for p in catalog_page(
                CatalogFilters(), meta, sort=sort, page=number, per_page=12
            ).products
        ]
        walked, page = [], catalog_page(CatalogFilters(), meta, sort=sort, per_page=7)
        while True:
            walked += [p.pk for p in page.products]
            if not page.next_cursor:
                return numbered, walked
            page = catalog_page(
                CatalogFilters(), meta, sort=sort, per_page=7, after=page.next_cursor
            )

    answered = []
    ordered_ids = facetindex.ordered_ids

    def counted(*args, **kwargs):
        ids = ordered_ids(*args, **kwargs)
        answered.append(ids is not None)
        return ids

    monkeypatch.setattr(facetindex, "ordered_ids", counted)
    for sort in KEYSET_SORTS:
        facetindex.reset()
        before = walk(sort)  # no index in this process yet: SQL
        assert answered and not any(answered)
        answered.clear()
        settings.CATALOG_FACET_INDEX_LAG = 3600
        assert facetindex.ensure() is not None
        assert walk(sort) == before == (expected_ids(ORDERINGS[sort]),) * 2
        assert answered and all(answered)
        answered.clear()
        settings.CATALOG_FACET_INDEX_LAG = 1.0
    facetindex.reset()
