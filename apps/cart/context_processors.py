"""The header badge's count, read from the session: no query for a visitor without a session,
only the session read (cache first) otherwise; catalog pages budget on it. The page cache
(apps.core.pagecache) fills its hole with the same count: a cached page shows the visitor's own."""

from __future__ import annotations

from django.http import HttpRequest

from .selectors import SESSION_CART_COUNT


def badge_count(request: HttpRequest) -> int:
    session = getattr(request, "session", None)
    if session is None or session.session_key is None:
        return 0
    return session.get(SESSION_CART_COUNT, 0)


def cart_badge(request: HttpRequest) -> dict:
    return {"cart_badge_count": badge_count(request)}
