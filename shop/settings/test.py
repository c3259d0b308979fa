"""Test runs: real PostgreSQL and real Redis, always.

DATABASE_URL and REDIS_URL default to the local services; a separate Redis database keeps test
keys away from anything else on the machine.
"""

from __future__ import annotations

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hypershop")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/1")


def _redis_url_for_worker(url: str, worker: str) -> str:
    """pytest-xdist worker `gwN` gets Redis database base+N: `cache.clear()` (FLUSHDB) in one
    worker's test must not empty the other's (keys are also prefixed per process, see below).
    Servers a test starts (gunicorn, the worker command) inherit the rewritten REDIS_URL."""
    if not worker.startswith("gw"):
        return url
    head, _, base = url.rpartition("/")
    if not base.isdigit():
        head, base = url.rstrip("/"), "0"
    number = int(base) + int(worker[2:])
    if number > 15:
        raise RuntimeError(
            f"xdist worker {worker} would use Redis database {number} of {url}: "
            "run fewer workers (-n) or give REDIS_URL a lower database number"
        )
    return f"{head}/{number}"


# The URL before any rewrite is kept, so a process a test starts with these settings (the worker
# command) inherits both and lands on the same database instead of shifting it again.
os.environ.setdefault("REDIS_URL_BEFORE_WORKERS", os.environ["REDIS_URL"])
os.environ["REDIS_URL"] = _redis_url_for_worker(
    os.environ["REDIS_URL_BEFORE_WORKERS"], os.environ.get("PYTEST_XDIST_WORKER", "")
)
os.environ.setdefault("CACHE_KEY_PREFIX", f"hypershop-test-{os.getpid()}")
# The shop's 5 s statement timeout is tested where it matters (tests/core/test_middleware.py,
# tests/security/test_faults.py set their own); a loaded CI machine must not trip it elsewhere,
# including when the test database is dropped at the end.
os.environ.setdefault("STATEMENT_TIMEOUT_MS", "60000")

from .base import *  # noqa: E402,F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
MEDIA_ROOT = BASE_DIR / ".test-media"  # noqa: F405
STORAGES = {  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# High enough that the suite's own failed logins never lock anyone; the lockout test lowers it.
AXES_FAILURE_LIMIT = 50
AXES_IP_FAILURE_LIMIT = 500
# Requests never load the facet index in a background thread here (its own connection would not
# see the test's transaction); the facet index tests build it with `facetindex.ensure()`.
CATALOG_FACET_INDEX_BACKGROUND = False
