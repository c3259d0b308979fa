"""A hung Redis (paused with SIGSTOP, not down) around logout, checkout steps and catalog writes.

Each test starts its own redis-server on a free port and points the shop's cache at it; the
database is the real PostgreSQL. Nothing is mocked: the pause is a real process stop, and what the
shop does about it (sessions in PostgreSQL, the circuit breaker, version counters bumped on
recovery) is what is tested.
"""

from __future__ import annotations

import logging
import re
import time
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from apps.catalog.models import Product
from tests.redis_server import PausableRedis

from .conftest import client_for
from .endpoints import ENDPOINTS

pytestmark = pytest.mark.django_db

INTERVAL = 0.5  # the breaker's retry interval in these tests


@pytest.fixture
def redis_server():
    server = PausableRedis()
    try:
        with server.as_cache(), override_settings(REDIS_BREAKER_INTERVAL=INTERVAL):
            yield server
    finally:
        server.stop()


def _after_the_interval() -> None:
    time.sleep(INTERVAL + 0.2)


def test_the_test_redis_really_stalls(redis_server):
    """The harness can fail: while paused, a value written before is not read back."""
    cache.set("stall-probe", 1)
    assert cache.get("stall-probe") == 1
    with redis_server.paused():
        assert cache.get("stall-probe") is None
    _after_the_interval()
    assert cache.get("stall-probe") == 1


def test_logout_during_a_stall_sticks(world, redis_server):
    client = client_for(world, "shopper_a")
    assert client.get("/checkout/orders/").status_code == 200
    cookie = client.cookies["sessionid"].value
    with redis_server.paused():
        assert client.post("/accounts/logout/").status_code == 302
    for wait in (None, _after_the_interval):
        if wait:
            wait()
        replay = Client()
        replay.cookies["sessionid"] = cookie
        response = replay.get("/checkout/orders/")
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert world.order.number not in replay.get("/checkout/address/").content.decode()


def test_a_checkout_step_saved_during_a_stall_is_not_rolled_back(world, redis_server):
    shipping = next(e for e in ENDPOINTS if e.variant == "shipping")
    client = client_for(world, "shopper_a", endpoint=shipping)
    assert client.get("/checkout/shipping/").status_code == 200
    with redis_server.paused():
        assert client.post("/checkout/shipping/", {"method": "express"}).status_code == 302
    _after_the_interval()
    response = client.get("/checkout/payment/")
    assert response.status_code == 200  # not sent back to the shipping step
    assert client.session["checkout"]["shipping"] == "express"


def _price_on(body: str) -> str:
    return re.search(r'"price": "([0-9.]+)"', body).group(1)


def test_a_price_changed_during_a_stall_is_never_shown_stale(world, redis_server):
    product = Product.objects.get(pk=world.product.pk)
    visitor = Client()
    url = product.get_absolute_url()
    assert _price_on(visitor.get(url).content.decode()) == f"{product.current_price}"
    new_price = product.current_price + Decimal("7.00")
    with redis_server.paused():
        # The admin's request reads the cache before it saves (as any request does), so the
        # version bump is not the first command on a connection Redis reads after it resumes.
        cache.get("admin-request-cache-read")
        variant = product.variants.get()  # a product without options: its default variant
        variant.price = new_price
        variant.save()  # the catalog-version bump cannot reach Redis
    # Right after the resume (the breaker may still be open) and after it closed again.
    assert _price_on(visitor.get(url).content.decode()) == f"{new_price}"
    _after_the_interval()
    for _ in range(3):
        assert _price_on(visitor.get(url).content.decode()) == f"{new_price}"


def test_a_listing_changed_during_a_stall_is_never_shown_stale(world, redis_server):
    product = Product.objects.get(pk=world.product.pk)
    visitor = Client()
    url = product.category.get_absolute_url()
    assert product.name in visitor.get(url, headers={"HX-Request": "true"}).content.decode()
    with redis_server.paused():
        cache.get("admin-request-cache-read")
        product.name = "Renamed during the stall"
        product.save()
    _after_the_interval()
    body = visitor.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Renamed during the stall" in body


def test_a_hung_redis_costs_one_timeout_and_one_log_line(world, redis_server, caplog):
    visitor = Client()
    url = world.product.get_absolute_url()
    assert visitor.get(url).status_code == 200
    caplog.clear()
    with caplog.at_level(logging.WARNING), redis_server.paused():
        statuses = [visitor.get(url).status_code for _ in range(20)]
        statuses += [client_for(world, "shopper_a").get("/cart/").status_code for _ in range(5)]
    assert statuses == [200] * 25
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.name for r in lines] == ["apps.core.redis"], [r.getMessage() for r in lines]
    assert "unreachable" in lines[0].getMessage()
    caplog.clear()
    _after_the_interval()
    with caplog.at_level(logging.WARNING):
        assert visitor.get(url).status_code == 200
    assert [r.getMessage().split(" answers")[0] for r in caplog.records] == [
        f"Redis 127.0.0.1:{redis_server.port}/0"
    ]
