"""Graceful degradation: Redis down, a statement timeout, a PostgreSQL backend killed mid-run."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request

import psycopg
import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import override_settings

from .conftest import World, build_world, client_for
from .endpoints import ENDPOINTS, ROLES
from .test_fuzz import database_writes

CLOSED_PORT_REDIS = {
    "default": {
        **settings.CACHES["default"],
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
    }
}

PUBLIC_PAGES = [
    endpoint
    for endpoint in ENDPOINTS
    if endpoint.path is not None and "GET" in endpoint.methods and endpoint.access != "internal"
]


@pytest.mark.django_db
def test_database_writes_counter_sees_writes(world):
    """The fuzzer's "nothing changed" check can fail: it notices a real write."""
    before = database_writes()
    world.product.name = "Renamed"
    world.product.save()
    assert database_writes() > before


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_page_serves_with_redis_unreachable(world, role):
    assert settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"
    with override_settings(CACHES=CLOSED_PORT_REDIS):
        # The outage is real for the code under test: writes vanish, reads miss.
        cache.set("redis-down-probe", 1)
        assert cache.get("redis-down-probe") is None
        client = client_for(world, role)
        for endpoint in PUBLIC_PAGES:
            mid_flow = endpoint.session is not None
            page_client = client_for(world, role, endpoint=endpoint) if mid_flow else client
            response = page_client.get(endpoint.path(world))
            assert response.status_code < 500, (endpoint.route, response.status_code)


@pytest.fixture
def world(db) -> World:
    """Built per test here: these tests commit (transaction=True), kill backends and swap pools,
    which a module-wide outer transaction would not survive."""
    return build_world()


def _raw_connection() -> psycopg.Connection:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**{k: v for k, v in params.items() if k != "options"}, autocommit=False)


@pytest.fixture
def short_statement_timeout():
    """Recreate the pool with a 300 ms statement timeout for this test only."""
    options = connection.settings_dict["OPTIONS"]
    original = options.get("options")
    connection.close()
    connection.close_pool()
    options["options"] = "-c statement_timeout=300"
    yield
    connection.close()
    connection.close_pool()
    options["options"] = original


@pytest.mark.django_db(transaction=True)
def test_statement_timeout_is_a_clean_503(world, short_statement_timeout):
    client = client_for(world, "shopper_a")
    locker = _raw_connection()
    try:
        locker.execute("LOCK TABLE auth_user IN ACCESS EXCLUSIVE MODE")
        response = client.get("/")
    finally:
        locker.rollback()
        locker.close()
    assert response.status_code == 503
    body = response.content.decode()
    assert "try again" in body and "Traceback" not in body
    assert client.get("/").status_code == 200


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.django_db(transaction=True)
def test_killed_backend_is_recovered_on_next_request(world, live_server):
    """A real server thread per request, as in production; the pool replaces dead connections."""
    assert _get(live_server.url + "/healthz") == 200
    killer = _raw_connection()
    try:
        killed = killer.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND pid <> %s",
            [connection.connection.info.backend_pid if connection.connection else 0],
        ).fetchone()[0]
        killer.commit()
    finally:
        killer.close()
    assert killed >= 1
    assert _get(live_server.url + "/healthz") == 200
    assert _get(live_server.url + "/") == 200


@pytest.mark.django_db(transaction=True)
def test_pool_serves_concurrent_requests(world):
    """Several threads at once, each with its own pooled connection: no error."""
    statuses: list[int] = []

    def worker():
        try:
            statuses.append(client_for(world, "anonymous").get("/").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 8
