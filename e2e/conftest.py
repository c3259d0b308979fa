"""Browser journeys: Debian's Chromium via pytest-playwright against pytest-django's live_server."""

from __future__ import annotations

import os
import shutil

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
def _e2e_isolation(settings, tmp_path):
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
