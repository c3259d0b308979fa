"""Layout's background work: scheduled publishes and the e-mail when one cannot go live."""

from __future__ import annotations

from django.tasks import task

from apps.core.tasks import retried


@task
def publish_scheduled(schedule_id: int) -> str:
    from . import scheduling

    return scheduling.run(schedule_id)


@task
def send_schedule_failure(schedule_id: int) -> str:
    from . import scheduling

    return scheduling.send_failure_email(schedule_id)


retried(send_schedule_failure, attempts=5)
