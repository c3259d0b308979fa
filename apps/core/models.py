"""Core's one table: which periodic job slots have been enqueued (see apps.core.tasks)."""

from __future__ import annotations

from django.db import models


class ScheduledRun(models.Model):
    """One row per (job, time slot): the unique constraint is what lets any number of workers
    run the scheduler while each slot's job is enqueued exactly once."""

    name = models.CharField(max_length=100)
    slot = models.DateTimeField()
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "slot"], name="scheduledrun_once_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.slot:%Y-%m-%d %H:%M}"
