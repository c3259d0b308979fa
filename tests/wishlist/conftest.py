from __future__ import annotations

import json

import pytest

from tests.factories import UserFactory


@pytest.fixture
def shopper():
    return UserFactory(username="wendy", first_name="Wendy")


@pytest.fixture
def shopper_client(client, shopper):
    client.force_login(shopper, backend="django.contrib.auth.backends.ModelBackend")
    return client


def post_merge(client, payload, **extra):
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return client.post("/wishlist/merge/", body, content_type="application/json", **extra)


def old_product(**kwargs):
    """A product created a month ago, so browser saves from the last weeks are plausible."""
    from datetime import timedelta

    from django.utils import timezone

    from apps.catalog.models import Product
    from tests.factories import ProductFactory

    product = ProductFactory(**kwargs)
    Product.objects.filter(pk=product.pk).update(created_at=timezone.now() - timedelta(days=30))
    product.refresh_from_db()
    return product
