"""The project's error views (handler400/403/404/500): they answer, whatever state the request
is in.

Django's own 400 and 500 views run the CSRF machinery again (`requires_csrf_token`), which reads
the body: a body that could not be parsed the first time (`charset=utf-7` on a form post) raised
again inside the error view, and the visitor got the server's bare 500 with no security headers.
400, 403 and 404 get the full shop page (base.html, the visitor's cart badge) and fall back to a
standalone page if even that cannot be rendered; 500 is always the standalone page (the request
or the process is in an unknown state). None of them reads the request body. Whatever they
return still passes back through the middleware, so the security headers are set.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

FALLBACK = (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
    "<body><main><h1>{title}</h1><p>{text}</p>"
    '<p><a href="/">Back to the shop</a></p></main></body></html>\n'
)
TEXTS = {
    400: ("Bad request", "The shop could not read that request. Please go back and try again."),
    403: ("Not allowed", "You may not do that."),
    404: ("Page not found", "We could not find that page."),
    500: ("Something went wrong", "We have been told and are looking into it. Please try again."),
}


def _standalone(status: int) -> str:
    title, text = TEXTS[status]
    try:
        return render_to_string(f"{status}.html", {"SHOP_NAME": settings.SHOP_NAME})
    except Exception:  # noqa: BLE001 - the error page itself must never fail
        logger.exception("error page %s could not be rendered", status)
        return FALLBACK.format(title=title, text=text)


def _response(body: str, status: int) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="text/html; charset=utf-8")


def _page(request: HttpRequest, status: int, context: dict) -> HttpResponse:
    """The full shop page for `status`, or the standalone one if the page cannot be built."""
    try:
        return _response(render_to_string(f"{status}.html", context, request=request), status)
    except Exception:  # noqa: BLE001 - the error page itself must never fail
        logger.exception("error page %s failed; serving the standalone page", status)
        return _response(FALLBACK.format(title=TEXTS[status][0], text=TEXTS[status][1]), status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 400, {})


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception is not None and str(exception) else ""
    return _page(request, 403, {"exception": message})


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 404, {})


def server_error(request: HttpRequest) -> HttpResponse:
    return _response(_standalone(500), 500)
