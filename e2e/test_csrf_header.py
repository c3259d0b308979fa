"""htmx requests carry exactly one CSRF header, and it alone is enough: a POST with no
csrfmiddlewaretoken field in its body is accepted, before and after a boosted login."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import Page

from apps.cart.models import CartLine
from e2e.conftest import wait_for_htmx
from tests.factories import ProductFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def post_without_form_token(page: Page, product_id: int) -> dict:
    with page.expect_response("**/cart/add/") as info:
        page.evaluate(
            """(id) => htmx.ajax("POST", "/cart/add/", {
                values: {product_id: id, quantity: 1}, swap: "none", target: "body"})""",
            product_id,
        )
    response = info.value
    wait_for_htmx(page)
    return {
        "status": response.status,
        "tokens": [v for k, v in response.request.all_headers().items() if k == "x-csrftoken"],
        "body": response.request.post_data or "",
    }


def test_an_htmx_post_sends_one_valid_csrf_header(live_server, page):
    lamp = ProductFactory(name="Desk lamp", current_price=Decimal("12.00"), stock=5)
    page.goto(live_server.url + lamp.get_absolute_url())
    sent = post_without_form_token(page, lamp.pk)
    assert "csrfmiddlewaretoken" not in sent["body"]
    assert len(sent["tokens"]) == 1 and "," not in sent["tokens"][0], sent["tokens"]
    assert sent["status"] == 200
    assert CartLine.objects.filter(variant__product=lamp, quantity=1).exists()
