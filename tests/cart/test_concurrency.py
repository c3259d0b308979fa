"""Adds to one cart racing from several tabs, on real PostgreSQL with real threads (each on its
own connection; transaction=True so they see each other's commits): the line ends at exactly
what was added, capped by stock, and every tab gets its answer."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.cart.models import CartLine
from tests.factories import ProductFactory
from tests.threads import run_together

pytestmark = pytest.mark.django_db(transaction=True)

TABS = 8


def tabs_adding_together(product_id: int) -> list:
    first = Client()
    assert first.post("/cart/add/", {"product_id": ProductFactory().pk}).status_code == 302
    clients = []
    for _ in range(TABS):
        tab = Client()
        tab.cookies = first.cookies  # one browser: one session, one cart
        clients.append(tab)
    return run_together(
        [
            lambda tab=tab: tab.post(
                "/cart/add/",
                {"product_id": product_id, "quantity": 1},
                headers={"HX-Request": "true"},
            )
            for tab in clients
        ]
    )


@pytest.mark.parametrize(("stock", "expected"), [(50, TABS), (3, 3)])
def test_tabs_adding_at_once_add_exactly_once_each_capped_by_stock(stock, expected):
    product = ProductFactory(stock=stock)
    outcomes = tabs_adding_together(product.pk)
    assert [getattr(o, "status_code", o) for o in outcomes] == [200] * TABS
    assert CartLine.objects.get(variant__product=product).quantity == expected
    in_cart = sorted(
        int(o.content.decode().split('role="status">')[1].split(" in your cart")[0])
        for o in outcomes
    )
    # Each tab is told the line as its own statement left it: never more than the stock.
    assert max(in_cart) == expected and all(1 <= n <= expected for n in in_cart)
