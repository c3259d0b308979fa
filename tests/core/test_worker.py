"""The task backend with the real worker process (`manage.py worker`) on real PostgreSQL.

These tests commit (transaction=True) so the worker, another process, sees their rows.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django_tasks_db.models import DBTaskResult

from apps.core.models import ScheduledRun
from tests.core.worker_tasks import always_fails, append

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(settings.BASE_DIR)


def worker(*args: str) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shop.settings.test",
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "TASKS_RETRY_BASE_DELAY": "0.5",
        "DB_POOL": "false",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--no-startup-delay", "--no-reload", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(process: subprocess.Popen, timeout: float = 60) -> str:
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        raise AssertionError(f"worker did not finish: {output}") from None
    assert process.returncode == 0, output
    return output


def test_a_task_enqueued_in_a_rolled_back_transaction_never_runs(tmp_path):
    out = tmp_path / "runs.txt"
    with pytest.raises(RuntimeError), transaction.atomic():
        append.enqueue(str(out), "rolled back")
        raise RuntimeError("the order could not be saved")
    with transaction.atomic():
        append.enqueue(str(out), "committed")
    finish(worker("--batch", "--interval", "0.1"))
    assert out.read_text().splitlines() == ["committed"]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_two_workers_never_run_one_task_twice(tmp_path):
    out = tmp_path / "runs.txt"
    expected = [f"task-{n:02d}" for n in range(40)]
    for text in expected:
        append.enqueue(str(out), text, 0.05)
    first, second = worker("--batch", "--interval", "0.1"), worker("--batch", "--interval", "0.1")
    finish(first), finish(second)
    assert sorted(out.read_text().splitlines()) == expected  # each exactly once
    results = list(DBTaskResult.objects.all())
    assert {r.status for r in results} == {"SUCCESSFUL"}
    assert all(len(r.worker_ids) == 1 for r in results)
    assert len({r.worker_ids[0] for r in results}) == 2  # both workers took their share


def test_a_failing_task_is_retried_with_backoff_then_shown_failed(tmp_path, admin_client):
    out = tmp_path / "attempts.txt"
    result = always_fails.enqueue(str(out))
    process = worker("--interval", "0.1", "--max-tasks", "3", "--no-scheduler")
    finish(process)
    attempts = [float(stamp) for stamp in out.read_text().splitlines()]
    assert len(attempts) == 3
    # Backoff: 0.5 s after the first failure, 1 s after the second.
    assert attempts[1] - attempts[0] >= 0.5 and attempts[2] - attempts[1] >= 1.0
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "FAILED" and len(row.worker_ids) == 3
    assert "RuntimeError: the mail server said no" in row.traceback
    page = admin_client.get("/admin/django_tasks_database/dbtaskresult/?status__exact=FAILED")
    html = page.content.decode()
    assert page.status_code == 200
    assert "always_fails" in html and "RuntimeError: the mail server said no" in html


def test_the_worker_runs_the_periodic_jobs_by_itself():
    """No crontab: the worker's scheduler enqueues each periodic job's slot and runs it."""
    finish(worker("--interval", "0.1", "--max-tasks", "3", "--tick", "0.2"))
    assert sorted(DBTaskResult.objects.values_list("task_path", "status")) == [
        ("apps.catalog.tasks.refresh_facet_index", "SUCCESSFUL"),
        ("apps.checkout.tasks.reconcile_payments", "SUCCESSFUL"),
        ("apps.wishlist.tasks.send_wishlist_alerts", "SUCCESSFUL"),
    ]
    assert ScheduledRun.objects.count() == 3
