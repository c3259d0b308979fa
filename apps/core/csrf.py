"""The visitor's masked CSRF token for a cached page's hole, minted without 64 system calls.

`django.middleware.csrf.get_token` draws every character of the secret and of the per-response
mask with its own `secrets.choice`: 64 `os.urandom` calls, ~0.2 ms, which was a quarter of what
a warm cached page costs. `token()` makes exactly what Django makes (a 32-character mask from
CSRF_ALLOWED_CHARS, then the secret shifted by it, character by character; a new secret in
`request.META` when the visitor has none, so CsrfViewMiddleware sets their cookie) from one
`secrets.token_bytes` read each, by rejection sampling, so every character stays uniform.

Django's own middleware checks the tokens (tests/core/test_csrf_token.py unmasks them with
Django's code and posts them through the real middleware).
"""

from __future__ import annotations

import secrets

from django.http import HttpRequest
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH

_CHARS = CSRF_ALLOWED_CHARS
_BASE = len(_CHARS)
# Bytes below this map onto the alphabet uniformly (256 is not a multiple of its length).
_BELOW = 256 - 256 % _BASE
_INDEX = {char: index for index, char in enumerate(_CHARS)}


# Random bytes to alphabet characters, the bytes at or above _BELOW deleted first (all in C).
_TO_CHARS = bytes(ord(_CHARS[b % _BASE]) for b in range(256))
_REJECTED = bytes(range(_BELOW, 256))


def _random(count: int) -> str:
    """`count` uniform random characters of the alphabet."""
    out = b""
    while len(out) < count:
        out += secrets.token_bytes(count + 8).translate(_TO_CHARS, _REJECTED)
    return out[:count].decode("ascii")


def token(request: HttpRequest) -> str:
    """What `get_token(request)` returns, with the same side effects on `request.META`."""
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        secret = _random(CSRF_SECRET_LENGTH)
        request.META["CSRF_COOKIE"] = secret
    # Used: CsrfViewMiddleware sends the cookie (a new one, or the old one's expiry renewed).
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    mask = _random(CSRF_SECRET_LENGTH)
    cipher = "".join(
        _CHARS[(_INDEX[char] + _INDEX[shift]) % _BASE]
        for char, shift in zip(secret, mask, strict=True)
    )
    return mask + cipher
