"""Query budgets of the variant paths at 100 and at 10,000 products (the same at both sizes)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.catalog.factories import bulk_catalog
from tests.catalog.test_variants import HX, big_boot

pytestmark = pytest.mark.django_db


def count(call) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code in (200, 302), response.status_code
    return len(ctx)


def measure(product, variants) -> dict[str, int]:
    """A new visitor each time: their first add also creates their cart."""
    client = Client()
    url = product.get_absolute_url()
    chosen = variants[("Brown", "41")]
    cache.clear()
    figures = {"page cold": count(lambda: client.get(url))}
    figures["page warm"] = count(lambda: client.get(url))
    figures["swap"] = count(lambda: client.get(url, {"colour": "Tan", "size": "40"}, headers=HX))
    figures["add"] = count(lambda: client.post("/cart/add/", {"variant_id": chosen.pk}, headers=HX))
    return figures


def test_variant_budgets_hold_from_100_to_10000_products():
    bulk_catalog(100)
    product, variants = big_boot()
    small = measure(product, variants)
    bulk_catalog(9_900, start=100)
    large = measure(product, variants)
    assert small == large, (small, large)
    assert large["page cold"] <= 5 and large["page warm"] == 0
    assert large["swap"] <= 3 and large["add"] <= 8
