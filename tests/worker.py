"""Run the tasks a test enqueued, in this process, the way the worker does.

It uses django-tasks-db's own `Worker.run_task` on rows claimed with SKIP LOCKED, so task
bodies, retries (the task_finished handler) and failures behave as under `manage.py worker`;
only the polling loop is ours, so it runs inside the test's transaction. The tests in
tests/core/test_worker.py use the real worker process instead.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult


def run_pending_tasks(*, include_delayed: bool = False, limit: int = 100) -> int:
    """Run ready tasks (and retries waiting for their backoff, if asked) until none is left."""
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran = 0
    while ran < limit:
        ready = DBTaskResult.objects.filter(status="READY")
        if not include_delayed:
            ready = ready.ready()
        with transaction.atomic():
            task_result = ready.order_by("enqueued_at").select_for_update(skip_locked=True).first()
            if task_result is None:
                break
            if include_delayed:
                task_result.run_after = timezone.now()
            task_result.claim(worker.worker_id)
        worker.run_task(task_result)
        ran += 1
    return ran
