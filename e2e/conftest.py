"""Browser journeys: Debian's Chromium via pytest-playwright against pytest-django's live_server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings

# live_server runs Django in a thread while Playwright's sync API runs an event loop in this one.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str:
    path = (
        os.environ.get("CHROMIUM_PATH")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if not path:
        pytest.fail(
            "Chromium is missing: run 'make system-packages' (Debian: apt-get install chromium)."
        )
    return path


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": chromium_path(), "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "en-GB"}


@pytest.fixture(autouse=True)
def _e2e_isolation(request, settings, tmp_path):
    if remote_base_url(request.config):  # another shop: nothing of ours to isolate
        yield
        return
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    from django.core.cache import cache

    cache.delete_pattern("*")


def wait_for_htmx(page, timeout: float = 10_000) -> None:
    """Wait until htmx has no request in flight and nothing is swapping or settling."""
    page.wait_for_function(
        """() => window.htmx !== undefined && document.querySelectorAll(
              '.htmx-request, .htmx-settling, .htmx-swapping').length === 0""",
        timeout=timeout,
    )


def session_cookie(live_server, user) -> dict:
    """A real session cookie for `user`, for a browser context's add_cookies()."""
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    return {"name": cookie.key, "value": cookie.value, "url": live_server.url}


@pytest.fixture
def login_as(live_server, context):
    """Log a user in by planting a real session cookie (fast path for every journey but login's)."""

    def _login(user, browser_context=None):
        (browser_context or context).add_cookies([session_cookie(live_server, user)])
        return user

    return _login


# --- Pointing journeys at a running shop ---------------------------------------------------------
# `pytest e2e --base-url https://staging.example.com` (or `make e2e BASE_URL=...`) runs only the
# journeys marked `remote`: they create what they need through the site itself (a sign-up), so
# they work against any shop. Without --base-url they run against the production-like server
# below, on the test database.


def remote_base_url(config: pytest.Config) -> str | None:
    url = config.getoption("--base-url", default=None)
    return url.rstrip("/") if url else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not remote_base_url(config):
        # Locally they shop on the test database, committed so gunicorn sees the data.
        for item in items:
            if item.get_closest_marker("remote"):
                item.add_marker(pytest.mark.django_db(transaction=True))
        return
    kept = [item for item in items if item.get_closest_marker("remote")]
    deselected = [item for item in items if not item.get_closest_marker("remote")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


@pytest.fixture(scope="module")
def production_server(request, django_db_setup, tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """nginx + gunicorn with shop.settings.prod on the test database, as docker-compose.yml runs
    them (e2e/servers.py); yields (base URL, the MEDIA_ROOT nginx serves)."""
    from django.db import connection

    from e2e.servers import production_shop

    workdir = tmp_path_factory.mktemp("production")
    media = workdir / "media"
    media.mkdir()
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/1")
    with production_shop(workdir, database_url, redis_url, media) as url:
        yield url, media


@pytest.fixture
def shop_url(request, settings) -> str:
    """Where a `remote` journey shops: --base-url if given, else the production-like server with
    the demo shop seeded in the test database (committed, so gunicorn sees it)."""
    remote = remote_base_url(request.config)
    if remote:
        return remote
    url, media = request.getfixturevalue("production_server")
    settings.MEDIA_ROOT = media
    from e2e.shop import demo_shop

    demo_shop()
    return url
