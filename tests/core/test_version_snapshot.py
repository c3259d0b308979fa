"""Version counters (apps.core.cache): one Redis read per counter and request, a bump of the
request itself seen at once, and a restarted counter above every value it had."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.signals import request_finished, request_started

from apps.catalog import selectors
from apps.core import cache as counters
from apps.core.redis import BreakerClient
from tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

COUNTER = counters.VersionCounter("test:snapshot-counter")


@pytest.fixture
def in_request():
    request_started.send(sender=None)
    yield
    request_finished.send(sender=None)


@pytest.fixture
def redis_gets(monkeypatch):
    """The keys every cache read of this process asks Redis for, in order."""
    asked: list[str] = []
    get, get_many = BreakerClient.get, BreakerClient.get_many

    def counted_get(self, key, *args, **kwargs):
        asked.append(key)
        return get(self, key, *args, **kwargs)

    def counted_get_many(self, keys, *args, **kwargs):
        asked.extend(keys)
        return get_many(self, keys, *args, **kwargs)

    monkeypatch.setattr(BreakerClient, "get", counted_get)
    monkeypatch.setattr(BreakerClient, "get_many", counted_get_many)
    return asked


def test_a_request_keeps_the_value_it_read_first(in_request):
    first = COUNTER.current()
    cache.incr(COUNTER.key)  # another process's write, committed during this request
    assert COUNTER.current() == first


def test_a_bump_of_the_request_itself_is_seen_at_once(in_request):
    first = COUNTER.current()
    COUNTER.bump()
    assert COUNTER.current() == first + 1 == cache.get(COUNTER.key)


def test_outside_a_request_every_read_asks_redis():
    first = COUNTER.current()
    cache.incr(COUNTER.key)
    assert COUNTER.current() == first + 1


def test_after_the_request_the_next_one_reads_again():
    request_started.send(sender=None)
    first = COUNTER.current()
    cache.incr(COUNTER.key)
    request_finished.send(sender=None)
    request_started.send(sender=None)
    try:
        assert COUNTER.current() == first + 1
    finally:
        request_finished.send(sender=None)


def test_remember_takes_known_counters_only(in_request):
    cache.set(COUNTER.key, 5, timeout=None)
    counters.remember(COUNTER.key, None)  # seen missing: creating it finds it exists after all
    counters.remember("not:a:counter", 7)
    assert COUNTER.current() == 5
    counters.remember(COUNTER.key, 9)  # already seen: the first value stays
    assert COUNTER.current() == 5


def test_a_counter_restarts_above_every_value_it_had():
    """Bumped far faster than once a millisecond, then lost (evicted, flushed): the restart
    from the clock is still above it (it was not with a millisecond clock)."""
    COUNTER.current()
    for _ in range(300):
        COUNTER.bump()
    highest = cache.get(COUNTER.key)
    cache.delete(COUNTER.key)
    assert COUNTER.current() > highest


def test_a_cold_listing_reads_the_catalog_version_once(client, redis_gets):
    ProductFactory.create_batch(3)
    cache.clear()
    response = client.get("/catalog/")
    assert response.status_code == 200
    assert redis_gets.count(selectors.CATALOG_VERSION.key) == 1


def test_an_unshared_listing_reads_the_version_with_the_page_cache_and_no_vocabulary(
    client, redis_gets
):
    """A listing nothing stores whole (an unknown query parameter): the counter came with the
    page cache's read, the vocabulary from this process's copy; only the facet counts and the
    cards are asked for besides."""
    ProductFactory.create_batch(3)
    client.get("/catalog/?utm_source=mail")
    redis_gets.clear()
    response = client.get("/catalog/?utm_source=mail")
    assert response.status_code == 200
    assert redis_gets.count(selectors.CATALOG_VERSION.key) == 1
    assert not [key for key in redis_gets if "catalog:meta:" in key]


def test_the_vocabulary_copy_follows_the_catalog_version(client):
    CategoryFactory(name="Lanterns")
    assert "Lanterns" in [c.name for c in selectors.catalog_meta().categories]
    CategoryFactory(name="Hammocks")  # a catalog write bumps the version
    assert "Hammocks" in [c.name for c in selectors.catalog_meta().categories]
    response = client.get("/catalog/")
    assert b"Hammocks" in response.content
