"""Scheduled publishes on the real worker process (`manage.py worker`), with a controlled clock:
the schedules are made for the future, then moved into the past (row and task), as time would."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from apps.layout import scheduling, services
from apps.layout.models import LayoutBlock, LayoutPage, Revision, ScheduledPublish
from tests.core.test_worker import finish, worker
from tests.layout.factories import banner, hero, marketer, publish_home

pytestmark = pytest.mark.django_db(transaction=True)


def test_due_schedules_publish_on_the_worker_and_a_conflicting_one_is_reported():
    publish_home(("hero", hero("Live hero")), ("main", banner("Winter sale")))
    hero_block = LayoutBlock.objects.get(type="hero")
    banner_block = LayoutBlock.objects.get(type="promo_banner")
    alice = marketer(username="alice", email="alice@example.com")
    carol = marketer(username="carol", email="carol@example.com")
    services.set_fields(alice, "home", f"b{hero_block.pk}", {"content": {"heading": "Alice"}})
    services.set_fields(carol, "home", f"b{hero_block.pk}", {"content": {"heading": "Carol"}})
    services.set_fields(
        carol, "home", f"b{banner_block.pk}", {"content": {"text": "Carol's banner"}}
    )
    soon = timezone.now() + timedelta(hours=1)
    first = scheduling.schedule(alice, "home", soon)
    second = scheduling.schedule(carol, "home", soon + timedelta(minutes=5))
    version = LayoutPage.objects.get(key="home").version

    # A worker now: nothing is due, nothing runs.
    finish(worker("--batch", "--interval", "0.1", "--no-scheduler"))
    assert LayoutPage.objects.get(key="home").version == version
    assert set(ScheduledPublish.objects.values_list("status", flat=True)) == {"pending"}

    # Time passes: both are due, Alice's first.
    past = timezone.now() - timedelta(minutes=10)
    for offset, item in enumerate((first, second)):
        when = past + timedelta(minutes=offset)
        ScheduledPublish.objects.filter(pk=item.pk).update(run_at=when)
        DBTaskResult.objects.filter(args_kwargs__args=[item.pk]).update(run_after=when)
    finish(worker("--batch", "--interval", "0.1", "--no-scheduler"))

    first.refresh_from_db(), second.refresh_from_db()
    assert first.status == "published" and first.version == version + 1
    assert LayoutBlock.objects.get(pk=hero_block.pk).content["heading"] == "Alice"
    assert Revision.objects.get(version=version + 1).note.startswith("Scheduled publish")
    # Carol's touches the hero Alice's publish changed: refused, reported, nothing applied.
    assert second.status == "failed"
    assert "Hero 'Alice' was changed in the newer publish" in second.message
    assert LayoutBlock.objects.get(pk=banner_block.pk).content["text"] == "Winter sale"
    assert LayoutPage.objects.get(key="home").version == version + 1
    statuses = dict(DBTaskResult.objects.values_list("task_path", "status").distinct())
    assert statuses["apps.layout.tasks.send_schedule_failure"] == "SUCCESSFUL"
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
