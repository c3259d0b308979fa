"""Whole anonymous responses cached in Redis, with holes for what differs per visitor.

A warm catalog listing ran no SQL yet cost several times the shop's hello-world floor: three Redis
round trips for its fragments, then the page shell (URLs reversed for every link, SEO tags, the
CSRF token, the CSP nonce, context processors). Anonymous shoppers see the same bytes except for a
few holes, so the complete response is rendered once and stored; a hit is ONE Redis round trip
(the version counters and the entry's head in one `get_many`) plus one join of the body's pieces
with the holes' values.

The holes, each a random marker new for every render (apps.core.fragments) that content cannot
know, written where the per-visitor value goes and replaced in every response:

- `csrf_token`: the visitor's own masked token (`csrf.token`, which also sets their cookie);
- `csp_nonce`: the request's nonce, which the CSP middleware then puts in the header;
- `messages_slot` (with `messages` empty): the visitor's flash messages, consumed once;
- whatever apps register with `hole()` (the cart badge's count, from the session).

The anonymous wishlist lives in the browser: hearts and the header counter are the same for every
anonymous shopper (wishlist.js marks them), so they need no hole; signed-in visitors, whose hearts
are their own, never read or write this cache.

The entry is stored in two keys: a small head per (scheme+host, path+query, htmx variant)
carrying the versions it was rendered under (and the names of their counters, so the front door,
apps.core.frontdoor, can check them without knowing the view) and a random stamp, and the body
(cut at its holes) under that stamp. A hit needs the head's versions equal to the current ones,
read in the same round trip; the body then comes from this process's own copy under that stamp
(`_copy`), or from Redis once. A copy is never used under any other stamp, so it is never staler
than Redis. A version missing from Redis (evicted, or the breaker open) is a miss and nothing is
stored, so the version counters' outage handling (apps.core.cache) covers this cache too. The
versions are read BEFORE rendering: a write committed during the render leaves the entry stale
under the old versions, never fresh-looking. Entries live `ttl` seconds (stock shown lags by at
most that, as the fragments' do).

Never stored: a response that is not a 200, that is streamed, that sets a cookie of its own, that
says `private`/`no-store` (an editor's render, a draft), or that touched the session; nor for a
request that is not a plain anonymous GET.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control

from . import cache as counters
from . import csrf
from .fragments import RENDERING_HOLES, new_marker, origin, shown_until
from .lru import LRU

# Per-visitor values that apps add: context variable -> its value for this request.
_HOLES: dict[str, Callable[[HttpRequest], object]] = {}
MESSAGES_TEMPLATE = "partials/messages.html#items"
# Response headers that belong to one response, never replayed from the cache.
_OWN = {"set-cookie", "content-length", "cache-control"}
# Every version counter a cached view declared (apps.core.frontdoor reads them all at once).
version_names: set[str] = set()
# Request attribute: (page key, what the front door read from Redis for it) for the view's use.
LOOKUP = "_pagecache_lookup"


def hole(name: str) -> Callable[[Callable[[HttpRequest], object]], Callable]:
    """Register `func(request)` as the per-visitor value of the context variable `name`."""

    def register(func: Callable[[HttpRequest], object]) -> Callable[[HttpRequest], object]:
        _HOLES[name] = func
        return func

    return register


def cached_page(*, versions: tuple[str, ...], ttl: int, query: bool = True) -> Callable:
    """Serve the view's anonymous GET responses from the page cache.

    `versions` are the cache keys of the counters the response's bytes depend on (a catalog
    version, a layout version); `ttl` bounds how long an entry may be served. With `query=False`
    a URL with a query string (which the view ignores: tracking parameters, junk) is answered
    but never stored, so such URLs cannot fill Redis.
    """

    version_names.update(versions)

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not eligible(request):
                return view(request, *args, **kwargs)
            key = page_key(request)
            found = _read(request, key, versions)
            current = [found.get(name) for name in versions]
            for name, value in zip(versions, current, strict=True):
                counters.remember(name, value)  # the view's own lookups need no round trip
            head = found.get(key)
            if _current(head, current):
                entry = _entry(key, head["stamp"])
                if entry is not None:
                    return respond(request, entry)
            response, marker, holes = _render(request, view, args, kwargs)
            if response.streaming:
                return response
            body = response.content.decode(response.charset)
            parts = _split(body, marker, holes, response.charset)
            lifetime = _lifetime(request, ttl)
            if not query and request.META.get("QUERY_STRING"):
                lifetime = 0
            if _storable(request, response) and None not in current and lifetime > 0:
                entry = {
                    "versions": current,
                    "status": response.status_code,
                    "headers": [(k, v) for k, v in response.items() if k.lower() not in _OWN],
                    "charset": response.charset,
                    "parts": parts,
                }
                _store(key, versions, current, entry, lifetime)
            response.content = _join(request, parts, response.charset)
            patch_cache_control(response, private=True)
            return response

        return wrapped

    return decorator


def _read(request: HttpRequest, key: str, versions: tuple[str, ...]) -> dict:
    """The counters and the head, from what the front door read for this request if it read
    them all (one round trip either way), else from Redis."""
    lookup = getattr(request, LOOKUP, None)
    if lookup is not None:
        delattr(request, LOOKUP)  # taken: the front door sees a cached view answered
        if lookup[0] == key and all(name in lookup[1] for name in versions):
            return lookup[1]
    return cache.get_many([*versions, key])


def front_lookup(request: HttpRequest) -> dict | None:
    """The entry to answer this request with, read with every counter a cached view declared;
    None when it is not current (what was read is left on the request for the view's cache)."""
    key = page_key(request)
    names = sorted(version_names)
    found = cache.get_many([*names, key])
    setattr(request, LOOKUP, (key, {name: found.get(name) for name in [*names, key]}))
    head = found.get(key)
    if not isinstance(head, dict) or not isinstance(head.get("names"), list):
        return None
    current = [found.get(name) for name in head["names"]]
    if not _current(head, current):
        return None
    return _entry(key, head["stamp"])


def _current(head: Any, current: list) -> bool:
    """Whether a stored entry may be served: rendered under the current versions, and in this
    release's format (an entry written by the previous release is a miss, not an error)."""
    return (
        isinstance(head, dict)
        and "stamp" in head
        and isinstance(head.get("names"), list)
        and None not in current
        and head.get("versions") == current
    )


def body_key(key: str, stamp: str) -> str:
    return f"pagebody:{key}:{stamp}"


def _store(key: str, names: tuple[str, ...], current: list, entry: dict, lifetime: int) -> None:
    """The entry under a new stamp, and the head naming it and the counters (one round trip)."""
    stamp = secrets.token_hex(8)
    head = {"versions": current, "names": list(names), "stamp": stamp}
    cache.set_many({key: head, body_key(key, stamp): entry}, lifetime)
    _keep(key, stamp, entry)


def _entry(key: str, stamp: str) -> dict | None:
    """The entry the head names: this process's copy, else from Redis (then kept here)."""
    entry = _copy(key, stamp)
    if entry is None:
        entry = cache.get(body_key(key, stamp))
        if not isinstance(entry, dict) or "parts" not in entry:
            return None
        _keep(key, stamp, entry)
    return entry


def _copy(key: str, stamp: str) -> dict | None:
    """This process's copy of the entry at `key`, if it is the one stored under `stamp`. Only
    used under the stamp Redis's head names for the current versions, a copy is never staler
    than the shared entry; it saves moving the body (tens of KB) out of Redis on every hit."""
    copy = _local.get(key)
    return copy[1] if copy is not None and copy[0] == stamp else None


def _keep(key: str, stamp: str, entry: dict) -> None:
    _local.put(key, (stamp, entry), sum(len(part) for part in entry["parts"]))


# Bodies this process served lately, by key: (stamp, entry), 32 MB (~500 listing pages).
_local = LRU(32 * 2**20)


def eligible(request: HttpRequest) -> bool:
    if request.method != "GET":
        return False
    user = getattr(request, "user", None)
    return user is not None and not user.is_authenticated


def variant(request: HttpRequest) -> str:
    """The htmx headers a view may branch on: fragment or page, boosted, history restore."""
    headers = request.headers
    return "".join(
        "1" if headers.get(name) == "true" else "0"
        for name in ("HX-Request", "HX-Boosted", "HX-History-Restore-Request")
    )


def page_key(request: HttpRequest) -> str:
    where = f"{origin(request)}{request.path}?{request.META.get('QUERY_STRING', '')}"
    digest = hashlib.blake2b(where.encode(), digest_size=16).hexdigest()
    return f"page:{variant(request)}:{digest}"


def _render(
    request: HttpRequest, view: Callable, args: tuple, kwargs: dict
) -> tuple[HttpResponse, str, dict[str, str]]:
    """The view's response rendered with a fresh marker in every hole: (response, the marker,
    {hole name: the marker followed by the name's own ending})."""
    marker = new_marker()
    holes = {name: f"{marker}{name}" for name in ("csrf_token", "csp_nonce", *_HOLES)}
    holes["messages_slot"] = f"{marker}messages"
    setattr(request, RENDERING_HOLES, holes)
    try:
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            response.context_data = {**(response.context_data or {}), **holes, "messages": ()}
            response.render()
    finally:
        delattr(request, RENDERING_HOLES)
    return response, marker, holes


def _lifetime(request: HttpRequest, ttl: int) -> int:
    """`ttl`, or less if the response embeds a part that expires sooner (a fragment cached a
    while ago, a banner about to start); 0 if nothing it embeds said how long it may be shown."""
    until = shown_until(request)
    return 0 if until is None else min(ttl, int(until - time.time()))


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
        and not getattr(getattr(request, "session", None), "modified", False)
    )


def respond(request: HttpRequest, entry: dict) -> HttpResponse:
    """A cached entry as this visitor's response."""
    response = HttpResponse(
        _join(request, entry["parts"], entry["charset"]),
        status=entry["status"],
        charset=entry["charset"],
    )
    for name, value in entry["headers"]:
        response[name] = value
    # Every body holds this visitor's CSRF token and CSP nonce: no shared cache may keep it.
    patch_cache_control(response, private=True)
    return response


def _split(body: str, marker: str, holes: dict[str, str], charset: str) -> list[bytes | str]:
    """`body` cut at its holes: encoded text at even indexes, a hole's name at odd ones.

    Done once per render, so a hit is one join instead of a scan of the body per hole. Every
    hole is the render's one random `marker` followed by an ending of its own (`_render`), so
    the body is cut at that marker by one `str.split` (no pattern compiled for each render's
    markers), and each piece after a cut begins with the ending of the hole it stands for."""
    # Descending: an ending that begins with another ending sorts (and is tried) before it.
    ends = sorted(((value[len(marker) :], name) for name, value in holes.items()), reverse=True)
    pieces = body.split(marker)
    parts: list[bytes | str] = []
    text = pieces[0]
    for piece in pieces[1:]:
        end, name = next(((end, name) for end, name in ends if piece.startswith(end)), ("", ""))
        if not name:  # the marker without a hole's ending after it: text (never, in practice)
            text += marker + piece
            continue
        parts += [text.encode(charset), name]
        text = piece[len(end) :]
    parts.append(text.encode(charset))
    return parts


def _join(request: HttpRequest, parts: list[bytes | str], charset: str) -> bytes:
    """The body with every hole filled with this visitor's own value (each computed once)."""
    values: dict[str, bytes] = {}
    out = []
    for index, part in enumerate(parts):
        if index % 2:
            if part not in values:
                values[part] = _value(request, part).encode(charset)
            out.append(values[part])
        else:
            out.append(part)
    return b"".join(out)


def _value(request: HttpRequest, name: str) -> str:
    if name == "csrf_token":
        return csrf.token(request)
    if name == "csp_nonce":
        nonce = getattr(request, "_csp_nonce", None)
        return str(nonce) if nonce is not None else ""
    if name == "messages_slot":
        from django.contrib.messages import get_messages

        storage = get_messages(request)
        return render_to_string(MESSAGES_TEMPLATE, {"messages": storage}) if storage else ""
    return str(_HOLES[name](request))
