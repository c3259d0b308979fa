"""The suite's pytest-xdist workers each get a Redis database of their own (shop/settings/test.py):
one worker's `cache.clear()` is a FLUSHDB and must never empty the other's cache."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings

from shop.settings.test import _redis_url_for_worker


@pytest.mark.parametrize(
    ("url", "worker", "expected"),
    [
        ("redis://127.0.0.1:6379/1", "", "redis://127.0.0.1:6379/1"),  # no xdist
        ("redis://127.0.0.1:6379/1", "gw0", "redis://127.0.0.1:6379/1"),
        ("redis://127.0.0.1:6379/1", "gw1", "redis://127.0.0.1:6379/2"),
        ("redis://127.0.0.1:6379/3", "gw12", "redis://127.0.0.1:6379/15"),
        ("redis://127.0.0.1:6379", "gw1", "redis://127.0.0.1:6379/1"),
        ("redis://127.0.0.1:6379/", "gw2", "redis://127.0.0.1:6379/2"),
    ],
)
def test_each_worker_gets_its_own_redis_database(url, worker, expected):
    assert _redis_url_for_worker(url, worker) == expected


def test_too_many_workers_for_redis_is_a_clear_error():
    with pytest.raises(RuntimeError, match="run fewer workers"):
        _redis_url_for_worker("redis://127.0.0.1:6379/10", "gw6")


def test_servers_a_test_starts_use_the_same_database_as_its_cache():
    """gunicorn (e2e/servers.py) and the worker command read REDIS_URL from the environment."""
    assert settings.CACHES["default"]["LOCATION"] == os.environ["REDIS_URL"]


def test_a_process_started_with_the_test_settings_keeps_the_same_database():
    """The worker command (tests/core/test_worker.py) runs with shop.settings.test and this
    process's environment: it must not add the worker's number a second time."""
    env = {
        **os.environ,
        "PYTEST_XDIST_WORKER": "gw1",
        "DJANGO_SETTINGS_MODULE": "shop.settings.test",
        "REDIS_URL_BEFORE_WORKERS": "redis://127.0.0.1:6379/1",
        "REDIS_URL": "redis://127.0.0.1:6379/2",  # what this worker's settings made of it
    }
    code = "from django.conf import settings; print(settings.CACHES['default']['LOCATION'])"
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    assert result.stdout.strip() == "redis://127.0.0.1:6379/2"
