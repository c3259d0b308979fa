"""Background tasks in the admin: staff see failed tasks with their error and attempts."""

from __future__ import annotations

from django.contrib import admin
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskAdmin(DBTaskResultAdmin):
    list_display = (
        "task_name",
        "status",
        "attempts",
        "error",
        "enqueued_at",
        "finished_at",
        "queue_name",
    )
    search_fields = ("task_path", "exception_class_path")

    @admin.display(description="attempts")
    def attempts(self, obj: DBTaskResult) -> int:
        return len(obj.worker_ids)

    @admin.display(description="error")
    def error(self, obj: DBTaskResult) -> str:
        if not obj.traceback:
            return ""
        last = obj.traceback.strip().splitlines()[-1]
        return last[:200]
