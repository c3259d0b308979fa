"""Helpers for answering htmx requests: a page or its named partial, several partials at once,
refusals of bad input, and the one safe way to follow a `next`.

The body carries hx-boost, so boosted link clicks and form posts are htmx requests that still
want the whole page: only non-boosted htmx requests get a fragment.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit, urlunsplit

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import reswap


def wants_fragment(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted


def page_or_partial(request: HttpRequest, template: str, partial: str) -> str:
    """The whole page for a normal or boosted request, `template#partial` for an htmx fragment."""
    return f"{template}#{partial}" if wants_fragment(request) else template


def fragments(request: HttpRequest, *parts: tuple[str, dict]) -> HttpResponse:
    """Several partials in one htmx response: the swap target first, then out-of-band ones."""
    html = "".join(render_to_string(name, context, request=request) for name, context in parts)
    return HttpResponse(html)


# `card_id_prefix` (layout.rendering): a page showing the same product in two grids prefixes the
# second grid's ids. A form in such a card posts its prefix back so the fragment that replaces it
# keeps it (else the swapped-in form repeated the first grid's ids). Anything else is ignored.
_ID_PREFIX = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}-")


def id_prefix(request: HttpRequest) -> str:
    """The card's id prefix a form posted (`id_prefix`), if it is one; otherwise ""."""
    value = request.POST.get("id_prefix", "")
    return value if isinstance(value, str) and _ID_PREFIX.fullmatch(value) else ""


def refused(request: HttpRequest, error: object, redirect_to: str) -> HttpResponse:
    """Bad input the shopper can correct: nothing changed, and they are told why.

    An htmx request gets a 400 that keeps the page as it is (base.html's htmx config swaps 4xx
    answers; HX-Reswap none swaps nothing but the out-of-band message); a plain post is
    redirected back to where the shopper was, the message shown there (POST/redirect/GET)."""
    messages.error(request, str(error))
    if wants_fragment(request):
        return reswap(HttpResponse("", status=400), "none")
    return HttpResponseRedirect(redirect_to)


# --- Following `next` -------------------------------------------------------------------------

MAX_NEXT_LENGTH = 2000


def safe_next(request: HttpRequest, default: str, *, referer: bool = False) -> str:
    """Where to send the shopper back to: the request's `next` (POST, then GET; then the Referer
    if `referer`), if it is a path on this site, else `default`.

    Only paths are followed: `/cart/`, or an absolute URL of this very host and scheme reduced to
    its path. A bare word (`foo`), a URL name (`accounts:login`), another host, a scheme
    (`javascript:`), a protocol-relative (`//evil`) or backslash URL, control characters or an
    encoded variant of any of these are refused. The result is used with HttpResponseRedirect,
    never with `redirect()`, which would try a bare word as a URL name (a 500).
    """
    candidates = [request.POST.get("next"), request.GET.get("next")]
    if referer:
        candidates.append(request.headers.get("Referer"))
    for target in candidates:
        path = _local_path(request, target)
        if path is not None:
            return path
    return default


def redirect_next(request: HttpRequest, default: str, *, referer: bool = False) -> HttpResponse:
    return HttpResponseRedirect(safe_next(request, default, referer=referer))


def _local_path(request: HttpRequest, target: str | None) -> str | None:
    if not target or len(target) > MAX_NEXT_LENGTH:
        return None
    if any(ord(char) < 32 or ord(char) == 127 for char in target):
        return None
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        if parts.scheme != request.scheme:
            return None
        target = urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment))
    decoded = unquote(target)
    if not target.startswith("/") or target.startswith("//") or decoded.startswith("//"):
        return None
    if "\\" in decoded or any(ord(char) < 32 or ord(char) == 127 for char in decoded):
        return None
    return target
