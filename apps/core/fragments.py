"""Shared HTML fragments with per-visitor slots, and the keys they are cached under.

A fragment rendered once and served to many visitors (a catalog listing, a product page's parts,
a product card, a layout block) must hold nothing personal. Forms inside it still need the
visitor's CSRF token, so the token's place is a *slot*: a marker written where the token goes and
replaced per response.

The marker is random and new for every render (`new_marker`), and is stored next to the HTML it
was rendered into. Content can therefore never contain it: a marketer's block, a product name or
an echoed query string written before the render cannot know it, and it is never sent to anyone
(each response replaces it). A fixed placeholder, public in the source code, let layout content
containing it harvest every visitor's token.

Keys carry everything the bytes depend on: the versions of the data, the exact path and query,
and the scheme and host of the request (`origin`), because the page parts hold absolute URLs
(canonical link, og:url, JSON-LD): without them the first visitor's Host header would be served
to everyone.
"""

from __future__ import annotations

import hashlib
import secrets

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from . import csrf

# Where a rendered variant stores the marker its slots were written with.
MARKER = "__slot__"
# The request attribute holding the page cache's holes while it renders a whole response
# (apps.core.pagecache).
RENDERING_HOLES = "_pagecache_holes"
# Where a cached variant may store the time (epoch seconds) after which it must not be shown,
# so whatever embeds it (a whole cached response) expires no later.
EXPIRES = "__expires__"
# The request attribute holding the earliest such time of everything the response embeds.
_UNTIL = "_fragments_until"


def new_marker() -> str:
    return "slot" + secrets.token_hex(16)


def origin(request: HttpRequest) -> str:
    """The scheme and host the request was made to (the host is validated by ALLOWED_HOSTS)."""
    return f"{request.scheme}://{request.get_host()}"


def request_digest(request: HttpRequest) -> str:
    """Scheme, host, path and query string of the request, hashed for use in a cache key."""
    where = f"{origin(request)}{request.path}?{request.META.get('QUERY_STRING', '')}"
    return hashlib.blake2b(where.encode(), digest_size=16).hexdigest()


def csrf_for(request: HttpRequest) -> str:
    """The CSRF token to write where a slot is filled: the page cache's hole while it renders
    this request's whole response (filled per response there), else the visitor's own token."""
    holes = getattr(request, RENDERING_HOLES, None)
    return holes["csrf_token"] if holes else csrf.token(request)


def limit_until(request: HttpRequest, until: float) -> None:
    """Note that this response embeds something that must not be shown after `until`."""
    setattr(request, _UNTIL, min(until, getattr(request, _UNTIL, until)))


def shown_until(request: HttpRequest) -> float | None:
    """The earliest `limit_until` of this request, if any."""
    return getattr(request, _UNTIL, None)


def render_slotted(
    request: HttpRequest, template: str, names: tuple[str, ...], context: dict
) -> dict[str, str]:
    """Named partials of one template with a fresh marker where the CSRF token goes."""
    marker = new_marker()
    context = {**context, "csrf_token": marker}
    parts = {name: render_to_string(f"{template}#{name}", context, request) for name in names}
    parts[MARKER] = marker
    return parts


def fill(request: HttpRequest, parts: dict[str, str]) -> dict[str, SafeString]:
    """The visitor's own CSRF token in every slot (minted only if a form needs it); a variant's
    expiry is noted on the request (`limit_until`)."""
    marker = parts.get(MARKER, "")
    if EXPIRES in parts:
        limit_until(request, parts[EXPIRES])
    html = {name: value for name, value in parts.items() if name not in (MARKER, EXPIRES)}
    if not marker or not any(marker in value for value in html.values()):
        return {name: mark_safe(value) for name, value in html.items()}  # noqa: S308
    token = csrf_for(request)
    return {name: mark_safe(value.replace(marker, token)) for name, value in html.items()}  # noqa: S308


def refill(html: str, marker: str, value: str) -> SafeString:
    """A cached piece rendered with `marker` put into a render that uses `value` instead."""
    return mark_safe(html.replace(marker, value) if marker else html)  # noqa: S308
