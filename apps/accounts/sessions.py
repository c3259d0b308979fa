"""Session engine: sessions in PostgreSQL (as `django.contrib.sessions.backends.db`), read with
their signed-in user in one query.

`load()` fetches the row with `select_related("user")` and keeps the user on the store; the
authentication middleware (`apps.accounts.middleware`) verifies and uses it instead of a second
query. Saving the session copies its `_auth_user_id` into the row's `user` column. Nothing is
cached beyond the request: every request reads its row from PostgreSQL.
"""

from __future__ import annotations

import logging

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends import db
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.utils import timezone


def _user_pk(data: dict):
    """The signed-in user's primary key from session data, or None."""
    if SESSION_KEY not in data:
        return None
    try:
        return get_user_model()._meta.pk.to_python(data[SESSION_KEY])
    except ValidationError:
        return None


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
            row = self.model.objects.select_related("user").get(
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
