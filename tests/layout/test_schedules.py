"""'Publish at…': scheduled publishes run on the task worker, with a manual publish's checks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from apps.layout import scheduling, services
from apps.layout.models import Draft, LayoutBlock, LayoutPage, Revision, ScheduledPublish
from tests.layout.factories import banner, hero, marketer, publish_home

pytestmark = pytest.mark.django_db
Status = ScheduledPublish.Status


@pytest.fixture
def home():
    publish_home(("hero", hero("Live hero")), ("main", banner("Winter sale")))
    return LayoutBlock.objects.get(type="hero")


@pytest.fixture
def alice(home):
    user = marketer(username="alice", email="alice@example.com")
    services.set_fields(user, "home", f"b{home.pk}", {"content": {"heading": "Monday hero"}})
    return user


def local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def time_passes(item: ScheduledPublish) -> None:
    """The controlled clock: the schedule and its task row are now due (no sleeping)."""
    past = timezone.now() - timedelta(seconds=1)
    ScheduledPublish.objects.filter(pk=item.pk).update(run_at=past)
    DBTaskResult.objects.filter(status="READY", run_after__isnull=False).update(run_after=past)


def schedule_by_form(client, user, when) -> ScheduledPublish:
    client.force_login(user)
    response = client.post("/layout/home/schedules/", {"run_at": local(when)})
    assert response.status_code == 302, response.content
    return ScheduledPublish.objects.get(owner=user, status=Status.PENDING)


def test_a_schedule_is_a_delayed_task_that_publishes_at_its_time(client, alice, run_tasks):
    when = timezone.now() + timedelta(days=2)
    item = schedule_by_form(client, alice, when)
    assert item.run_at == when.replace(second=0, microsecond=0)
    task_row = DBTaskResult.objects.get(task_path="apps.layout.tasks.publish_scheduled")
    assert task_row.run_after == item.run_at and task_row.args_kwargs["args"] == [item.pk]
    assert "Publishes at" in client.get("/").text  # the toolbar lists it
    assert run_tasks() == 0  # not due: nothing runs early
    version = LayoutPage.objects.get(key="home").version
    time_passes(item)
    assert run_tasks() == 1
    item.refresh_from_db()
    assert item.status == Status.PUBLISHED and item.version == version + 1
    assert LayoutBlock.objects.get(type="hero").content["heading"] == "Monday hero"
    revision = Revision.objects.get(version=version + 1)
    assert revision.author == alice and revision.note.startswith("Scheduled publish")
    assert revision.change_count == 1
    assert not Draft.objects.filter(owner=alice).exists()


def test_a_conflicting_schedule_is_not_applied_and_tells_the_marketer(
    client, alice, home, run_tasks, mailoutbox
):
    item = schedule_by_form(client, alice, timezone.now() + timedelta(hours=3))
    bob = marketer(username="bob")
    services.set_fields(bob, "home", f"b{home.pk}", {"content": {"heading": "Bob's hero"}})
    assert services.publish(bob, "home").published
    time_passes(item)
    run_tasks()  # the publish, then the e-mail it enqueued
    item.refresh_from_db()
    assert item.status == Status.FAILED
    assert "Hero 'Bob's hero' was changed in the newer publish" in item.message
    assert LayoutBlock.objects.get(type="hero").content["heading"] == "Bob's hero"
    assert Draft.objects.filter(owner=alice).exists()  # nothing of hers was lost
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["alice@example.com"]
    assert "did not go live" in mailoutbox[0].subject and "Bob's hero" in mailoutbox[0].body
    # On her next visit, once.
    client.force_login(alice)
    page = client.get("/").text
    assert "did not go live" in page and "Hero &#x27;Bob&#x27;s hero&#x27;" in page
    assert "did not go live" not in client.get("/").text


def test_moving_and_cancelling(client, alice, run_tasks):
    item = schedule_by_form(client, alice, timezone.now() + timedelta(hours=3))
    later = timezone.now() + timedelta(days=4)
    response = client.post(f"/layout/home/schedules/{item.pk}/move/", {"run_at": local(later)})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.run_at == later.replace(second=0, microsecond=0)
    # The first task comes due at the old time: it finds the schedule moved and does nothing.
    DBTaskResult.objects.filter(run_after__lt=later - timedelta(days=1)).update(
        run_after=timezone.now() - timedelta(seconds=1)
    )
    assert run_tasks() == 1
    item.refresh_from_db()
    assert item.status == Status.PENDING
    assert LayoutBlock.objects.get(type="hero").content["heading"] == "Live hero"
    assert client.post(f"/layout/home/schedules/{item.pk}/cancel/").status_code == 302
    time_passes(item)
    run_tasks()
    item.refresh_from_db()
    assert item.status == Status.CANCELLED
    assert LayoutBlock.objects.get(type="hero").content["heading"] == "Live hero"
    assert Draft.objects.filter(owner=alice).exists()


@pytest.mark.parametrize(
    "value, message",
    [
        ("", "required"),
        ("next monday", "Enter a date and time"),
        ("2020-01-01T08:00", "in the future"),
        ("2999-01-01T08:00", "within the next year"),
    ],
)
def test_bad_times_are_a_400_with_a_message(client, alice, value, message):
    client.force_login(alice)
    response = client.post("/layout/home/schedules/", {"run_at": value})
    assert response.status_code == 400 and message in response.text
    assert not ScheduledPublish.objects.exists() and not DBTaskResult.objects.exists()


def test_one_schedule_per_draft_and_none_without_changes(client, alice, home):
    schedule_by_form(client, alice, timezone.now() + timedelta(hours=3))
    response = client.post(
        "/layout/home/schedules/", {"run_at": local(timezone.now() + timedelta(hours=5))}
    )
    assert response.status_code == 400 and "already scheduled" in response.text
    client.force_login(marketer(username="idle"))
    response = client.post(
        "/layout/home/schedules/", {"run_at": local(timezone.now() + timedelta(hours=5))}
    )
    assert response.status_code == 400 and "no changes to publish" in response.text
    assert ScheduledPublish.objects.count() == 1


def test_only_the_owner_moves_or_cancels(client, alice):
    item = schedule_by_form(client, alice, timezone.now() + timedelta(hours=3))
    client.force_login(marketer(username="bob"))
    soon = local(timezone.now() + timedelta(hours=9))
    assert (
        client.post(f"/layout/home/schedules/{item.pk}/move/", {"run_at": soon}).status_code == 404
    )
    assert client.post(f"/layout/home/schedules/{item.pk}/cancel/").status_code == 404
    assert client.post("/layout/home/schedules/999999/cancel/").status_code == 404
    assert f"/schedules/{item.pk}/" not in client.get("/layout/home/schedules/").text
    item.refresh_from_db()
    assert item.status == Status.PENDING


def test_run_is_idempotent(alice):
    item = scheduling.schedule(alice, "home", timezone.now() + timedelta(hours=1))
    ScheduledPublish.objects.filter(pk=item.pk).update(run_at=timezone.now())
    assert "published" in scheduling.run(item.pk)
    assert "not pending" in scheduling.run(item.pk)
    assert Revision.objects.filter(note__startswith="Scheduled").count() == 1


def test_publishing_or_discarding_by_hand_cancels_the_schedule(client, alice, home):
    item = schedule_by_form(client, alice, timezone.now() + timedelta(hours=3))
    assert client.post("/layout/home/publish/").status_code == 302
    item.refresh_from_db()
    assert item.status == Status.CANCELLED and item.message == "Published by hand first."
    services.set_fields(alice, "home", f"b{home.pk}", {"content": {"heading": "Again"}})
    item = schedule_by_form(client, alice, timezone.now() + timedelta(hours=3))
    assert client.post("/layout/home/discard/").status_code == 302
    item.refresh_from_db()
    assert item.status == Status.CANCELLED and item.message == "The draft was discarded."


def test_a_marketer_who_lost_the_permission_publishes_nothing(alice, run_tasks):
    item = scheduling.schedule(alice, "home", timezone.now() + timedelta(hours=1))
    alice.user_permissions.clear()
    time_passes(item)
    run_tasks()
    item.refresh_from_db()
    assert item.status == Status.FAILED and "no longer publish" in item.message
    assert LayoutBlock.objects.get(type="hero").content["heading"] == "Live hero"


def test_a_second_schedule_racing_the_first_is_refused_by_the_database(alice):
    """The unique pending row, not only the form's check, keeps one schedule per draft."""
    first = scheduling.schedule(alice, "home", timezone.now() + timedelta(hours=1))
    with pytest.raises(ValidationError, match="already scheduled"):
        scheduling.schedule(alice, "home", timezone.now() + timedelta(hours=2))
    assert list(ScheduledPublish.objects.values_list("pk", flat=True)) == [first.pk]
