"""The shop's worker: django-tasks-db's `db_worker` plus the periodic-job scheduler.

Run as many as you like against one database: tasks are claimed with SKIP LOCKED and each
periodic slot is enqueued once (apps.core.tasks.tick).
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import close_old_connections, connection
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from apps.core import tasks

logger = logging.getLogger(__name__)


def _schedule_forever(every_seconds: float) -> None:
    while True:
        try:
            close_old_connections()
            tasks.tick()
        except Exception:  # noqa: BLE001 - a database blip must not stop the schedule
            logger.exception("scheduler tick failed")
        finally:
            connection.close()
        time.sleep(every_seconds)


class Command(DbWorkerCommand):
    help = "Run background tasks and enqueue periodic jobs on schedule."

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--no-scheduler",
            action="store_false",
            dest="scheduler",
            help="Do not enqueue periodic jobs from this worker.",
        )
        parser.add_argument("--tick", type=float, default=20.0, help="Scheduler period (s).")

    def handle(self, *args, scheduler: bool = True, tick: float = 20.0, **options) -> None:
        if scheduler and not options.get("batch"):
            threading.Thread(target=_schedule_forever, args=(tick,), daemon=True).start()
        super().handle(*args, **options)
