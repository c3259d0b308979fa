"""The merge endpoint: idempotent, earliest snapshot kept, bad input refused or skipped."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from apps.catalog.models import Product
from apps.wishlist.models import WishlistItem
from apps.wishlist.payload import MAX_ITEMS
from tests.factories import UserFactory
from tests.wishlist.conftest import old_product, post_merge

pytestmark = pytest.mark.django_db


def ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


def payload(*products, price="19.99", added=None):
    added = added or timezone.now() - timedelta(hours=1)
    return {
        "items": [
            {"productId": p.pk, "priceSnapshot": price, "addedAt": ms(added)} for p in products
        ]
    }


def test_merge_stores_items_with_browser_snapshot(shopper_client, shopper):
    a, b = old_product(current_price=Decimal("25.00")), old_product()
    saved_at = timezone.now() - timedelta(days=2)
    response = post_merge(shopper_client, payload(a, b, price="19.99", added=saved_at))
    assert response.status_code == 200
    report = response.json()
    assert sorted(report["added"]) == sorted([a.pk, b.pk])
    assert report["count"] == 2 and report["skipped"] == []
    item = WishlistItem.objects.get(user=shopper, product=a)
    assert item.price_snapshot == Decimal("19.99")
    assert item.snapshot_source == "client"
    assert abs(item.added_at - saved_at) < timedelta(milliseconds=2)


def test_same_payload_twice_is_idempotent(shopper_client, shopper):
    products = [old_product() for _ in range(3)]
    body = payload(*products)
    first = post_merge(shopper_client, body)
    second = post_merge(shopper_client, body)
    assert first.status_code == second.status_code == 200
    assert sorted(second.json()["alreadySaved"]) == sorted(p.pk for p in products)
    assert second.json()["added"] == []
    assert WishlistItem.objects.filter(user=shopper).count() == 3


def test_earliest_snapshot_is_kept(shopper_client, shopper):
    product = old_product(current_price=Decimal("20.00"))
    now = timezone.now()
    post_merge(shopper_client, payload(product, price="18.00", added=now - timedelta(days=1)))
    # A later save (another tab, another device) does not replace the earlier snapshot...
    post_merge(shopper_client, payload(product, price="15.00", added=now - timedelta(hours=1)))
    item = WishlistItem.objects.get(user=shopper, product=product)
    assert item.price_snapshot == Decimal("18.00")
    # ...but an earlier one does.
    post_merge(shopper_client, payload(product, price="22.00", added=now - timedelta(days=3)))
    item.refresh_from_db()
    assert item.price_snapshot == Decimal("22.00")
    assert WishlistItem.objects.filter(user=shopper).count() == 1


def test_server_heart_is_not_overwritten_by_later_browser_snapshot(shopper_client, shopper):
    product = old_product(current_price=Decimal("30.00"))
    shopper_client.post(f"/wishlist/items/{product.pk}/", {"saved": "1"})
    hearted_at = WishlistItem.objects.get(user=shopper, product=product).added_at
    # The browser's save comes a millisecond after the heart. The payload carries whole
    # milliseconds, so "now" read right after a fast heart can round down to before it.
    later = hearted_at + timedelta(milliseconds=1)
    post_merge(shopper_client, payload(product, price="28.00", added=later))
    item = WishlistItem.objects.get(user=shopper, product=product)
    assert (item.price_snapshot, item.snapshot_source) == (Decimal("30.00"), "server")


def test_duplicates_in_one_payload_keep_the_earliest(shopper_client, shopper):
    product = old_product(current_price=Decimal("10.00"))
    now = timezone.now()
    body = {
        "items": [
            {"productId": product.pk, "priceSnapshot": "9.00", "addedAt": ms(now)},
            {"productId": product.pk, "priceSnapshot": "11.00", "addedAt": ms(now - timedelta(1))},
        ]
    }
    assert post_merge(shopper_client, body).status_code == 200
    assert WishlistItem.objects.get(user=shopper).price_snapshot == Decimal("11.00")


def test_unknown_archived_and_draft_products_are_skipped_and_reported(shopper_client, shopper):
    live = old_product()
    archived = old_product(status=Product.Status.ARCHIVED)
    draft = old_product(status=Product.Status.DRAFT)
    body = payload(live, archived, draft)
    body["items"].append({"productId": 987654321, "priceSnapshot": "1.00"})
    report = post_merge(shopper_client, body).json()
    assert report["added"] == [live.pk]
    skipped = {entry["productId"]: entry["reason"] for entry in report["skipped"]}
    unavailable = "unavailable"
    assert skipped == {archived.pk: unavailable, draft.pk: unavailable, 987654321: unavailable}
    assert list(WishlistItem.objects.values_list("product_id", flat=True)) == [live.pk]


@pytest.mark.parametrize(
    "claimed",
    ["-5.00", "0.01", "1000000", "1e9", "19.999", "NaN", "abc", None, True, [], {"x": 1}],
)
def test_untrusted_snapshot_takes_the_server_price(shopper_client, shopper, claimed):
    product = old_product(current_price=Decimal("40.00"))
    body = {"items": [{"productId": product.pk, "priceSnapshot": claimed}]}
    report = post_merge(shopper_client, body).json()
    assert report["serverPriced"] == [product.pk]
    item = WishlistItem.objects.get(user=shopper)
    assert (item.price_snapshot, item.snapshot_source) == (Decimal("40.00"), "server")


def test_number_snapshot_is_read_without_float_rounding(shopper_client, shopper):
    product = old_product(current_price=Decimal("40.00"))
    body = '{"items": [{"productId": PK, "priceSnapshot": 35.10}]}'.replace("PK", str(product.pk))
    assert post_merge(shopper_client, body).status_code == 200
    assert WishlistItem.objects.get(user=shopper).price_snapshot == Decimal("35.10")


def test_added_at_in_the_future_or_before_the_product_existed_is_clamped(shopper_client, shopper):
    a, b = old_product(), old_product()
    future = timezone.now() + timedelta(days=365)
    body = {
        "items": [
            {"productId": a.pk, "priceSnapshot": "19.99", "addedAt": ms(future)},
            {"productId": b.pk, "priceSnapshot": "19.99", "addedAt": "1999-01-01T00:00:00Z"},
        ]
    }
    post_merge(shopper_client, body)
    assert WishlistItem.objects.get(product=a).added_at <= timezone.now()
    b.refresh_from_db()
    assert WishlistItem.objects.get(product=b).added_at == b.created_at


def test_another_users_id_in_the_payload_is_ignored(shopper_client, shopper):
    other = UserFactory()
    product = old_product()
    body = {"userId": other.pk, "items": [{"productId": product.pk, "user": other.pk}]}
    assert post_merge(shopper_client, body).status_code == 200
    assert not WishlistItem.objects.filter(user=other).exists()
    assert WishlistItem.objects.get().user == shopper


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        "",
        "[]",
        '"items"',
        '{"items": "1,2,3"}',
        '{"items": null}',
        '{"items": [1, 2]}',
        '{"item": []}',
        '{"items": [{"productId": NaN}]}',
        "[" * 5000 + "]" * 5000,
    ],
)
def test_malformed_payloads_get_a_4xx_or_skip_report_and_store_nothing(shopper_client, body):
    response = post_merge(shopper_client, body)
    assert response.status_code in (200, 400, 415)
    if response.status_code != 200:
        assert response.json()["error"]
    else:
        assert response.json()["added"] == []
    assert not WishlistItem.objects.exists()


@pytest.mark.parametrize("product_id", ["abc", -1, 0, 1.5, True, None, 2**70, "12" * 20])
def test_wrong_product_ids_are_skipped(shopper_client, product_id):
    product = old_product()
    body = {"items": [{"productId": product_id}, {"productId": product.pk}]}
    report = post_merge(shopper_client, body).json()
    assert report["added"] == [product.pk]
    assert report["skipped"][0]["reason"] == "invalid"


def test_thousands_of_items_are_refused_whole(shopper_client):
    product = old_product()
    items = [{"productId": product.pk, "priceSnapshot": "1.00"}] * (MAX_ITEMS + 1)
    response = post_merge(shopper_client, {"items": items})
    assert response.status_code == 413
    huge = [{"productId": i + 1, "priceSnapshot": "19.99", "addedAt": 1} for i in range(5000)]
    assert post_merge(shopper_client, {"items": huge}).status_code == 413
    assert not WishlistItem.objects.exists()


def test_anonymous_merge_is_401_not_a_redirect(client):
    response = post_merge(client, payload(old_product()))
    assert response.status_code == 401
    assert not WishlistItem.objects.exists()


def test_form_encoded_merge_is_refused(shopper_client):
    response = shopper_client.post("/wishlist/merge/", {"items": "[]"})
    assert response.status_code == 415


def test_csrf_is_enforced(shopper):
    client = Client(enforce_csrf_checks=True)
    client.force_login(shopper, backend="django.contrib.auth.backends.ModelBackend")
    product = old_product()
    response = post_merge(client, payload(product))
    assert response.status_code == 403
    assert not WishlistItem.objects.exists()
    client.get("/wishlist/")
    token = client.cookies["csrftoken"].value
    response = post_merge(client, payload(product), headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert WishlistItem.objects.count() == 1


def test_get_is_not_allowed(shopper_client):
    assert shopper_client.get("/wishlist/merge/").status_code == 405


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_identical_merges_store_one_row_per_product():
    """Real threads, each with its own PostgreSQL connection, released at the same moment."""
    assert connection.vendor == "postgresql"
    user = UserFactory()
    products = [old_product() for _ in range(5)]
    body = json.dumps(payload(*products))
    barrier = threading.Barrier(10)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            client = Client()
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            # Give the connection back to the pool (DB_POOL_MAX=10 by default) while waiting.
            connections.close_all()
            barrier.wait(timeout=20)
            response = client.post("/wishlist/merge/", body, content_type="application/json")
            statuses.append(response.status_code)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    connection.close()  # this thread's connection too: ten workers, ten pooled connections
    threads = [threading.Thread(target=worker) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert statuses == [200] * 10
    assert WishlistItem.objects.filter(user=user).count() == 5
    for product in products:
        assert WishlistItem.objects.filter(user=user, product=product).count() == 1


@pytest.mark.parametrize("size", [3, 150])
def test_retried_merge_costs_the_same_queries_at_any_size(
    shopper_client, shopper, django_assert_num_queries, size
):
    products = [old_product() for _ in range(size)]
    body = payload(*products)
    post_merge(shopper_client, body)
    # session with its user (one query), product states, savepoint, existing rows, release, count
    with django_assert_num_queries(6):
        response = post_merge(shopper_client, body)
    assert len(response.json()["alreadySaved"]) == size
    assert WishlistItem.objects.filter(user=shopper).count() == size


@pytest.mark.django_db(transaction=True)
def test_product_deleted_during_the_merge_is_skipped_not_a_500(monkeypatch):
    """The catalog deletes a product between the merge's read and its commit (the foreign key
    fails only at COMMIT on PostgreSQL): the retry reads again and reports it unavailable."""
    from apps.wishlist import services

    user = UserFactory()
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    kept, doomed = old_product(), old_product()
    real_states = services.product_states
    calls: list[int] = []

    def states_then_delete(ids):
        states = real_states(ids)
        if not calls:
            Product.objects.filter(pk=doomed.pk).delete()  # the concurrent deletion
        calls.append(1)
        return states

    monkeypatch.setattr(services, "product_states", states_then_delete)
    response = post_merge(client, payload(kept, doomed))
    assert response.status_code == 200
    report = response.json()
    assert report["added"] == [kept.pk] and report["count"] == 1
    assert report["skipped"] == [{"productId": doomed.pk, "reason": "unavailable"}]
    assert list(WishlistItem.objects.values_list("product_id", flat=True)) == [kept.pk]
