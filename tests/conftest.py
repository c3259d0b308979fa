from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clean_cache():
    """The cache is real Redis: empty this run's keys (its own key prefix) after every test, and
    close a version snapshot a request left open (one that raised before its response closed),
    so no counter value read in one test is trusted in the next."""
    yield
    cache.delete_pattern("*")
    from apps.core.cache import _end_request

    _end_request()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def run_tasks():
    """Call it to run every task enqueued so far (see tests/worker.py)."""
    from tests.worker import run_pending_tasks

    return run_pending_tasks
