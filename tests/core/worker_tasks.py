"""Tasks the real-worker tests enqueue: each leaves a line in a file the test reads back."""

from __future__ import annotations

import time

from django.tasks import task

from apps.core.tasks import retried


def _append(path: str, text: str) -> None:
    with open(path, "a") as out:
        out.write(text + "\n")


@task
def append(path: str, text: str, pause: float = 0.0) -> str:
    time.sleep(pause)
    _append(path, text)
    return text


@task
def always_fails(path: str) -> None:
    _append(path, f"{time.monotonic():.3f}")
    raise RuntimeError("the mail server said no")


retried(always_fails, attempts=3)
