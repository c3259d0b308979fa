"""Signed opt-out tokens: the link in an alert e-mail works without logging in.

The token is the user's id signed with SECRET_KEY under a dedicated salt, so it cannot be
forged or reused for anything else. It does not expire: an unsubscribe link must keep working.
"""

from __future__ import annotations

from django.core import signing

SALT = "wishlist.alerts.opt-out"


def make_opt_out_token(user_id: int) -> str:
    return signing.dumps(user_id, salt=SALT, compress=True)


def read_opt_out_token(token: str) -> int | None:
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None
