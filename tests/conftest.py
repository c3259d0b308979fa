from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clean_cache():
    """The cache is real Redis: empty this run's keys (its own key prefix) after every test."""
    yield
    cache.delete_pattern("*")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def run_tasks():
    """Call it to run every task enqueued so far (see tests/worker.py)."""
    from tests.worker import run_pending_tasks

    return run_pending_tasks
