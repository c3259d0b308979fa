"""Background work on Django's tasks framework, with what the framework leaves to us.

The backend is django-tasks-db (`settings.TASKS`): a task is a row in the same database as the
change that caused it, so `task.enqueue()` inside a transaction is durable and atomic with that
change (a rolled-back transaction never runs its tasks), and workers claim rows with
`SELECT … FOR UPDATE SKIP LOCKED` (two workers never run one task). Two things it does not do,
added here:

- **Retries with backoff.** `retried(task, attempts=5)` registers a policy; when an attempt fails
  the worker's `task_finished` signal puts the same row back to READY with `run_after` pushed
  out exponentially (`TASKS_RETRY_BASE_DELAY` × 2^(attempt−1) seconds). The last error stays on
  the row; after the last attempt it stays FAILED and shows in the admin's failed-task list.
- **Periodic jobs.** `every(task, minutes=…)` registers a job; `tick()` (run by each worker's
  scheduler thread, see the `worker` command) enqueues every job whose time slot has no
  `ScheduledRun` row yet. The unique (name, slot) row is written in the same transaction as the
  task, so any number of workers enqueue each slot once. No crontab to write.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.tasks import Task, TaskResultStatus
from django.tasks.signals import task_finished
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: Task
    interval: timedelta


RETRY_POLICIES: dict[str, RetryPolicy] = {}
PERIODIC_JOBS: dict[str, PeriodicJob] = {}


def retried(task: Task, attempts: int = 5) -> Task:
    """Retry `task` up to `attempts` times in all, with exponential backoff."""
    RETRY_POLICIES[task.module_path] = RetryPolicy(attempts)
    return task


def every(task: Task, *, minutes: int) -> None:
    """Run `task` (no arguments) once every `minutes`, on every installation, with no cron."""
    PERIODIC_JOBS[task.module_path] = PeriodicJob(
        task.module_path, task, timedelta(minutes=minutes)
    )


def retry_delay(attempt: int) -> timedelta:
    base = float(getattr(settings, "TASKS_RETRY_BASE_DELAY", 30))
    return timedelta(seconds=base * 2 ** (attempt - 1))


@receiver(task_finished)
def _retry_failed(sender, task_result, **kwargs) -> None:
    """Put a failed attempt back in the queue while its policy allows (database backend only)."""
    db_result = getattr(task_result, "db_result", None)
    if db_result is None or task_result.status != TaskResultStatus.FAILED:
        return
    policy = RETRY_POLICIES.get(db_result.task_path)
    attempt = len(db_result.worker_ids)
    if policy is None or attempt >= policy.attempts:
        return
    type(db_result).objects.filter(pk=db_result.pk, status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY,
        run_after=timezone.now() + retry_delay(attempt),
        finished_at=None,
    )
    logger.warning(
        "Task %s attempt %d/%d failed; retrying", db_result.task_path, attempt, policy.attempts
    )


def slot_of(now: datetime, interval: timedelta) -> datetime:
    epoch = datetime(2000, 1, 1, tzinfo=now.tzinfo)
    return epoch + ((now - epoch) // interval) * interval


def tick(now: datetime | None = None) -> list[str]:
    """Enqueue every periodic job whose current slot has not been enqueued; returns their names."""
    from .models import ScheduledRun

    now = now or timezone.now()
    enqueued = []
    for job in PERIODIC_JOBS.values():
        slot = slot_of(now, job.interval)
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(name=job.name, slot=slot)
                result = job.task.enqueue()
                run.task_id = str(result.id)
                run.save(update_fields=["task_id"])
        except IntegrityError:
            continue  # another worker enqueued this slot
        enqueued.append(job.name)
    return enqueued
