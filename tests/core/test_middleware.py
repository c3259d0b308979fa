from __future__ import annotations

import pytest
from django.contrib import messages
from django.db import OperationalError, connection
from django.http import HttpResponse
from django.test import RequestFactory
from django_htmx.middleware import HtmxMiddleware

from apps.core.middleware import DatabaseUnavailableMiddleware, HtmxMessagesMiddleware

pytestmark = pytest.mark.django_db


def _with_messages(request):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore

    request.session = SessionStore()
    request.user = AnonymousUser()
    request._messages = FallbackStorage(request)
    return request


def _view(request):
    messages.success(request, "Added to your cart.")
    return HttpResponse("<div id='line'>line</div>", content_type="text/html; charset=utf-8")


def _stack():
    return HtmxMiddleware(HtmxMessagesMiddleware(_view))


def test_htmx_fragment_gets_messages_out_of_band():
    request = _with_messages(RequestFactory().post("/x", headers={"HX-Request": "true"}))
    body = _stack()(request).content.decode()
    assert body.startswith("<div id='line'>line</div>")
    # innerHTML: #messages (a live region) stays in the page, so its new text is announced.
    assert 'id="messages"' in body and 'data-hx-swap-oob="innerHTML"' in body
    assert "Added to your cart." in body


def test_full_page_and_boosted_requests_are_left_alone():
    for headers in ({}, {"HX-Request": "true", "HX-Boosted": "true"}):
        request = _with_messages(RequestFactory().post("/x", headers=headers))
        body = _stack()(request).content.decode()
        assert "hx-swap-oob" not in body


def test_statement_timeout_becomes_a_clean_503(client):
    def slow_view(request):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 50")
            cursor.execute("SELECT pg_sleep(1)")
        return HttpResponse("never")

    middleware = DatabaseUnavailableMiddleware(slow_view)
    request = RequestFactory().get("/")
    try:
        slow_view(request)
    except OperationalError as exc:
        response = middleware.process_exception(request, exc)
    assert response.status_code == 503
    assert "try again" in response.content.decode()
    assert response["Retry-After"] == "5"


def test_other_exceptions_are_not_swallowed():
    middleware = DatabaseUnavailableMiddleware(lambda r: HttpResponse())
    assert middleware.process_exception(RequestFactory().get("/"), ValueError("x")) is None
