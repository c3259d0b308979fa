"""'Publish at…': a marketer's draft goes live at a chosen time, on the task worker.

Each schedule enqueues `tasks.publish_scheduled` with `run_after` = its time (django-tasks-db
keeps it durable, in the same transaction as the row). Moving a schedule enqueues a new task;
the old one finds the row not yet due and does nothing, a cancelled one finds it cancelled. The
run goes through `services.publish`, so it is the same conflict check and the same revision as a
manual publish; a conflict changes nothing and is reported to the owner (on their next visit to
the page, and by e-mail).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from . import selectors, services
from .models import ScheduledPublish

MAX_AHEAD = timedelta(days=366)
Status = ScheduledPublish.Status


def _check_time(run_at: datetime) -> datetime:
    now = timezone.now()
    if timezone.is_naive(run_at):
        run_at = timezone.make_aware(run_at)
    if run_at <= now:
        raise ValidationError("Choose a time in the future.")
    if run_at > now + MAX_AHEAD:
        raise ValidationError("Choose a time within the next year.")
    return run_at


def _enqueue(schedule: ScheduledPublish) -> None:
    from .tasks import publish_scheduled

    publish_scheduled.using(run_after=schedule.run_at).enqueue(schedule.pk)


@transaction.atomic
def schedule(user, page: str, run_at: datetime) -> ScheduledPublish:
    run_at = _check_time(run_at)
    if not services.change_count(selectors.draft_for(user, page)):
        raise ValidationError("Your draft has no changes to publish.")
    try:
        with transaction.atomic():  # the unique pending row decides between two racing requests
            item = ScheduledPublish.objects.create(owner=user, page=page, run_at=run_at)
    except IntegrityError:
        raise ValidationError(
            "Your draft is already scheduled: move or cancel that schedule."
        ) from None
    _enqueue(item)
    return item


def _own_pending(user, page: str, pk: int) -> ScheduledPublish:
    item = (
        ScheduledPublish.objects.select_for_update()
        .filter(owner=user, page=page, pk=pk, status=Status.PENDING)
        .first()
    )
    if item is None:
        raise Http404("No such pending schedule of yours.")
    return item


@transaction.atomic
def move(user, page: str, pk: int, run_at: datetime) -> ScheduledPublish:
    item = _own_pending(user, page, pk)
    item.run_at = _check_time(run_at)
    item.save(update_fields=["run_at"])
    _enqueue(item)
    return item


@transaction.atomic
def cancel(user, page: str, pk: int) -> ScheduledPublish:
    item = _own_pending(user, page, pk)
    item.status = Status.CANCELLED
    item.finished_at = timezone.now()
    item.save(update_fields=["status", "finished_at"])
    return item


@transaction.atomic
def drop_pending(user, page: str, why: str) -> int:
    """The draft went live or was thrown away by hand: its schedule has nothing left to do."""
    return ScheduledPublish.objects.filter(owner=user, page=page, status=Status.PENDING).update(
        status=Status.CANCELLED, finished_at=timezone.now(), message=why
    )


def schedules_of(user, page: str) -> list[ScheduledPublish]:
    return list(
        ScheduledPublish.objects.filter(owner=user, page=page).order_by("-run_at", "-pk")[:20]
    )


def _fail(item: ScheduledPublish, message: str) -> str:
    from .tasks import send_schedule_failure

    item.status = Status.FAILED
    item.message = message
    item.finished_at = timezone.now()
    item.save(update_fields=["status", "message", "finished_at"])
    send_schedule_failure.enqueue(item.pk)
    return f"schedule {item.pk} failed: {message}"


@transaction.atomic
def run(pk: int) -> str:
    """Publish a due schedule (the task body); idempotent, a no-op for moved or cancelled ones."""
    item = (
        ScheduledPublish.objects.select_for_update()
        .select_related("owner")
        .filter(pk=pk, status=Status.PENDING)
        .first()
    )
    if item is None:
        return f"schedule {pk} is not pending"
    if item.run_at > timezone.now():
        return f"schedule {pk} was moved to {item.run_at.isoformat()}"
    from .context import can_edit

    if not can_edit(item.owner):
        return _fail(item, "You may no longer publish the layout.")
    note = f"Scheduled publish ({timezone.localtime(item.run_at):%Y-%m-%d %H:%M})"
    try:
        result = services.publish(item.owner, item.page, note=note)
    except services.NothingToPublish:
        return _fail(item, "Your draft had no changes left to publish.")
    except ValidationError as exc:
        return _fail(item, "A block in your draft is invalid: " + " ".join(exc.messages))
    if not result.published:
        return _fail(item, "Nothing was published: " + " ".join(result.conflicts))
    item.status = Status.PUBLISHED
    item.version = result.version
    item.finished_at = timezone.now()
    item.save(update_fields=["status", "version", "finished_at"])
    return f"schedule {pk} published v{result.version}"


def send_failure_email(pk: int) -> str:
    item = ScheduledPublish.objects.select_related("owner").get(pk=pk)
    if not item.owner.email:
        return "no address"
    when = timezone.localtime(item.run_at)
    send_mail(
        subject=f"Scheduled publish of {item.page} did not go live",
        message=(
            f"Your draft of “{item.page}” was scheduled for {when:%Y-%m-%d %H:%M} "
            f"({settings.TIME_ZONE}) and was not published.\n\n{item.message}\n\n"
            "Open the page, update your draft and publish again."
        ),
        from_email=None,
        recipient_list=[item.owner.email],
    )
    return f"sent to {item.owner.email}"


def notices(user, page: str) -> tuple[ScheduledPublish | None, list[ScheduledPublish]]:
    """For the toolbar, in one query: the pending schedule, and the failures the owner has not
    been told about yet (marked told: each is shown once, on the next visit)."""
    rows = list(
        ScheduledPublish.objects.filter(owner=user, page=page).filter(
            Q(status=Status.PENDING) | Q(status=Status.FAILED, reported=False)
        )
    )
    pending = next((r for r in rows if r.status == Status.PENDING), None)
    failures = [r for r in rows if r.status == Status.FAILED]
    if failures:
        told = ScheduledPublish.objects.filter(
            pk__in=[r.pk for r in failures], reported=False
        ).update(reported=True)
        if told != len(failures):  # another request of theirs told them first
            failures = []
    return pending, failures


def pending_or_404(user, page: str, pk: int) -> ScheduledPublish:
    item = ScheduledPublish.objects.filter(
        owner=user, page=page, pk=pk, status=Status.PENDING
    ).first()
    if item is None:
        raise Http404("No such pending schedule of yours.")
    return item
