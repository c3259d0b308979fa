"""`AuthenticationMiddleware` that uses the user the session store already joined.

`get_user` is `django.contrib.auth.get_user` with one change: where Django calls
`backend.get_user(user_id)` (a second query), it takes the user `apps.accounts.sessions`
loaded with the session row, when that user is the session's `_auth_user_id` and the backend
is one whose `get_user` is `ModelBackend.get_user` (a primary-key read plus
`user_can_authenticate`, which is applied here too). Every other check is Django's, unchanged:
the backend must be in `AUTHENTICATION_BACKENDS`, the session auth hash is compared with
`constant_time_compare`, then the `SECRET_KEY_FALLBACKS` hashes (the key is cycled on a
fallback match), and the session is flushed on a mismatch. Any other case takes Django's path.
"""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, load_backend
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import (
    AuthenticationMiddleware as DjangoAuthenticationMiddleware,
)
from django.contrib.auth.middleware import auser
from django.contrib.auth.models import AnonymousUser
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

_NOT_PRELOADED = object()


def _preloaded_user(request, backend, user_id):
    """The joined user as `backend.get_user(user_id)` would return it, or _NOT_PRELOADED."""
    user = getattr(request.session, "preloaded_user", None)
    if user is None or user.pk != user_id:
        return _NOT_PRELOADED
    if getattr(type(backend), "get_user", None) is not ModelBackend.get_user:
        return _NOT_PRELOADED
    return user if backend.user_can_authenticate(user) else None


def get_user(request):
    """`django.contrib.auth.get_user`, reading the user from the session's own query."""
    user = None
    try:
        user_id = auth._get_user_session_key(request)
        backend_path = request.session[BACKEND_SESSION_KEY]
    except KeyError:
        pass
    else:
        if backend_path in settings.AUTHENTICATION_BACKENDS:
            backend = load_backend(backend_path)
            user = _preloaded_user(request, backend, user_id)
            if user is _NOT_PRELOADED:
                user = backend.get_user(user_id)
            # Verify the session
            if hasattr(user, "get_session_auth_hash"):
                session_hash = request.session.get(HASH_SESSION_KEY)
                if not session_hash:
                    session_hash_verified = False
                else:
                    session_auth_hash = user.get_session_auth_hash()
                    session_hash_verified = constant_time_compare(session_hash, session_auth_hash)
                if not session_hash_verified:
                    # If the current secret does not verify the session, try with the fallback
                    # secrets and stop when a matching one is found.
                    if session_hash and any(
                        constant_time_compare(session_hash, fallback_auth_hash)
                        for fallback_auth_hash in user.get_session_auth_fallback_hash()
                    ):
                        request.session.cycle_key()
                        request.session[HASH_SESSION_KEY] = session_auth_hash
                    else:
                        request.session.flush()
                        user = None

    return user or AnonymousUser()


def _get_cached_user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = get_user(request)
    return request._cached_user


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's middleware with `request.user` from `get_user` above (the async
    `request.auser()` is Django's own and reads the user with its own query)."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _get_cached_user(request))
        request.auser = partial(auser, request)
