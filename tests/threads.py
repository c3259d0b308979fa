"""Start several jobs at the same instant, each in its own thread with its own database
connection (tests marked `django_db(transaction=True)`, so the threads see each other's
commits): the race tests of the cart and checkout."""

from __future__ import annotations

import threading

from django.db import connection


def run_together(jobs: list) -> list:
    """Start every job at the same instant in its own thread; return outcomes in order."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list = [None] * len(jobs)

    def worker(index: int, job) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = job()
        except Exception as error:  # noqa: BLE001 - the test inspects every outcome
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a job hung (deadlock?)"
    return outcomes
