"""Periodic jobs: registered by the apps, enqueued once per slot however many workers tick."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from apps.core import tasks
from apps.core.models import ScheduledRun


def test_the_shops_periodic_jobs_are_registered():
    assert {job.name: job.interval for job in tasks.PERIODIC_JOBS.values()} == {
        "apps.checkout.tasks.reconcile_payments": timedelta(minutes=5),
        "apps.wishlist.tasks.send_wishlist_alerts": timedelta(minutes=60),
        "apps.catalog.tasks.refresh_facet_index": timedelta(minutes=10),
    }


@pytest.mark.django_db
def test_each_slot_is_enqueued_once():
    noon = datetime(2026, 5, 1, 12, 1, tzinfo=UTC)
    assert len(tasks.tick(noon)) == 3
    assert tasks.tick(noon + timedelta(minutes=3)) == []  # same slots
    assert tasks.tick(noon + timedelta(minutes=4)) == ["apps.checkout.tasks.reconcile_payments"]
    assert DBTaskResult.objects.count() == 4 == ScheduledRun.objects.count()


@pytest.mark.django_db(transaction=True)
def test_workers_ticking_at_once_enqueue_a_slot_once():
    noon = datetime(2026, 5, 1, 12, 1, tzinfo=UTC)
    barrier = threading.Barrier(4)

    def tick() -> None:
        try:
            barrier.wait()
            tasks.tick(noon)
        finally:
            connection.close()

    threads = [threading.Thread(target=tick) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(DBTaskResult.objects.values_list("task_path", flat=True)) == [
        "apps.catalog.tasks.refresh_facet_index",
        "apps.checkout.tasks.reconcile_payments",
        "apps.wishlist.tasks.send_wishlist_alerts",
    ]
