"""Fixed-window counters in the cache (Redis in production), for forms that send e-mail.

A cache outage lets requests through (django-redis ignores errors): rate limiting degrades to
none rather than locking every shopper out.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache


def _key(scope: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}"


def hit(scope: str, value: str, *, limit: int, window: int) -> bool:
    """Count one attempt; False once `limit` attempts were made within `window` seconds."""
    key = _key(scope, value)
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count is None or count <= limit


def client_ip(request) -> str:
    """The client address as the login lockout (django-axes) resolves it, so one setting
    (AXES_CLIENT_IP_CALLABLE, e.g. behind a proxy) governs both."""
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or "unknown"
