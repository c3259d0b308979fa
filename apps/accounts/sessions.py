"""Session engine: sessions in PostgreSQL (as `django.contrib.sessions.backends.db`), read with
their signed-in user in one query.

`load()` fetches the row and its user in one fixed statement (`_load`: what
`select_related("user").get(...)` runs, without compiling it per request) and keeps the user on
the store; the authentication middleware (`apps.accounts.middleware`) verifies and uses it
instead of a second query. Saving the session copies its `_auth_user_id` into the row's `user`
column. Nothing is cached beyond the request: every request reads its row from PostgreSQL.
"""

from __future__ import annotations

import logging
from functools import cache

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends import db
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.db import connection
from django.utils import timezone

from apps.core import rows


def _user_pk(data: dict):
    """The signed-in user's primary key from session data, or None."""
    if SESSION_KEY not in data:
        return None
    try:
        return get_user_model()._meta.pk.to_python(data[SESSION_KEY])
    except ValidationError:
        return None


@cache
def _sql(model, user_model, vendor: str) -> str:
    qn = connection.ops.quote_name
    columns = rows.columns(model, "s") + rows.columns(user_model, "u")
    user_column = model._meta.get_field("user").column
    return (
        f"SELECT {', '.join(columns)} FROM {qn(model._meta.db_table)} s "
        f"LEFT JOIN {qn(user_model._meta.db_table)} u "
        f"ON u.{qn(user_model._meta.pk.column)} = s.{qn(user_column)} "
        f"WHERE s.{qn(model._meta.pk.column)} = %s AND s.{qn('expire_date')} > %s"
    )


def _load(model, session_key):
    """(session row, its signed-in user or None) for an unexpired key, or (None, None): the
    ORM query `select_related("user").get(...)` as one fixed statement. The ORM compiled it
    on every request with a session (~0.5 ms, twice the query); tests/accounts/
    test_session_user.py compares both."""
    user_model = get_user_model()
    with connection.cursor() as cursor:
        cursor.execute(_sql(model, user_model, connection.vendor), [session_key, timezone.now()])
        found = cursor.fetchone()
    if found is None:
        return None, None
    split = len(model._meta.concrete_fields)
    row = rows.instance(model, found[:split])
    user = None
    if row.user_id is not None:
        user = rows.instance(user_model, found[split:])
        row.user = user  # as select_related leaves it: no query on access
    return row, user


class SessionStore(db.SessionStore):
    # The user joined to the row by the last load(), or None (anonymous, or not loaded yet).
    preloaded_user = None

    @classmethod
    def get_model_class(cls):
        from .models import Session

        return Session

    def _get_session_from_db(self):
        self.preloaded_user = None
        try:
            row, user = _load(self.model, self.session_key)
        except SuspiciousOperation as e:
            logger = logging.getLogger(f"django.security.{e.__class__.__name__}")
            logger.warning(str(e))
            row = None
        if row is None:
            self._session_key = None
            return None
        self.preloaded_user = user
        return row

    async def _aget_session_from_db(self):
        self.preloaded_user = None
        try:
            row = await self.model.objects.select_related("user").aget(
                session_key=self.session_key, expire_date__gt=timezone.now()
            )
        except (self.model.DoesNotExist, SuspiciousOperation) as e:
            if isinstance(e, SuspiciousOperation):
                logger = logging.getLogger(f"django.security.{e.__class__.__name__}")
                logger.warning(str(e))
            self._session_key = None
            return None
        self.preloaded_user = row.user
        return row

    def create_model_instance(self, data):
        obj = super().create_model_instance(data)
        obj.user_id = _user_pk(data)
        return obj

    async def acreate_model_instance(self, data):
        obj = await super().acreate_model_instance(data)
        obj.user_id = _user_pk(data)
        return obj

    def clear(self):
        super().clear()
        self.preloaded_user = None
