"""The header badge's count, read from the session: no query for a visitor without a session,
only the session read (cache first) otherwise; catalog pages budget on it."""

from __future__ import annotations

from django.http import HttpRequest

from .selectors import SESSION_CART_COUNT


def cart_badge(request: HttpRequest) -> dict:
    session = getattr(request, "session", None)
    if session is None or session.session_key is None:
        return {"cart_badge_count": 0}
    return {"cart_badge_count": session.get(SESSION_CART_COUNT, 0)}
