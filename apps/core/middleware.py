"""Cross-cutting response handling: a clean 503 when the database cannot answer in time."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import OperationalError, close_old_connections
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from .htmx import wants_fragment

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    """Turn a statement timeout or a lost connection into a 503 page instead of a stack trace.

    The broken connection is discarded so the next request gets a fresh one from the pool.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError):
            return None
        logger.warning("database unavailable: %s", exception)
        close_old_connections()
        body = render_to_string("503.html", {}, request=None)
        response = HttpResponse(body, status=503)
        response["Retry-After"] = "5"
        return response


class HtmxMessagesMiddleware:
    """Deliver Django messages queued during an htmx request as an out-of-band swap.

    A full page renders messages in base.html; a fragment has no such slot, so the messages
    partial is appended with `hx-swap-oob` and lands in the page's `#messages` region.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not wants_fragment(request):
            return response
        if response.streaming or "HX-Redirect" in response or response.status_code in (301, 302):
            return response
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        from django.contrib.messages import get_messages

        storage = get_messages(request)
        if not len(storage):
            return response
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        response.content += render_to_string(
            "partials/messages.html", {"messages": storage, "oob": True}, request=request
        ).encode()
        return response
