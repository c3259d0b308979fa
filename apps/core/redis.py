"""A django-redis client behind a circuit breaker.

Redis is a cache here, never the source of truth, so when it stops answering the shop carries on
without it. Without a breaker every cache call of every request would wait for the socket
timeout and log a traceback: a hung (not down) Redis would make the whole shop slow. With it:

- the first failure opens the breaker and logs ONE warning; while open, every cache call fails
  at once (django-redis's IGNORE_EXCEPTIONS turns that into a miss, a no-op write);
- once per INTERVAL one caller (the others still skip) pings Redis with the short socket timeout;
  so a hung Redis costs one timeout per interval and process, not one per request;
- when the ping answers, the recovery hooks run before any other cache call of this process is
  let through: cached data written before the outage may be stale (an invalidation sent during
  the outage was lost), so each registered version counter is bumped (apps.core.cache), and one
  line says Redis is back.

State is per process (and per Redis location), shared by the process's threads.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django_redis.client import DefaultClient
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ResponseError

logger = logging.getLogger(__name__)

DEFAULT_INTERVAL = 5.0


class RedisUnavailable(ConnectionError):
    """The breaker is open: the call was not sent to Redis."""


class Breaker:
    CLOSED, OPEN, RECOVERING = "closed", "open", "recovering"

    def __init__(self, name: str, interval: float) -> None:
        self.name = name
        self.interval = interval
        self.state = self.CLOSED
        self.opened_at = 0.0
        self.retry_at = 0.0
        self.owner: int | None = None
        self._lock = threading.Lock()

    def allow(self, probe: Callable[[], Any]) -> bool:
        """May this thread talk to Redis now? Runs the half-open probe and recovery if due."""
        if self.state == self.CLOSED:
            return True
        me = threading.get_ident()
        with self._lock:
            if self.state == self.CLOSED:
                return True
            if self.state == self.RECOVERING:
                return self.owner == me
            if time.monotonic() < self.retry_at:
                return False
            self.state, self.owner = self.RECOVERING, me
        try:
            probe()
            for hook in list(_RECOVERY_HOOKS):
                hook()
        except Exception:  # noqa: BLE001 - any failure keeps Redis out for another interval
            with self._lock:
                self.state, self.owner = self.OPEN, None
                self.retry_at = time.monotonic() + self.interval
            return False
        with self._lock:
            if self.state != self.RECOVERING:  # a hook's own call failed: still out
                return False
            self.state, self.owner = self.CLOSED, None
        logger.warning("Redis %s answers again after %.1f s", self.name, self.downtime())
        return True

    def failed(self, error: BaseException) -> None:
        with self._lock:
            was_closed = self.state == self.CLOSED
            if self.state == self.RECOVERING and self.owner != threading.get_ident():
                return
            self.state, self.owner = self.OPEN, None
            now = time.monotonic()
            self.retry_at = now + self.interval
            if was_closed:
                self.opened_at = now
        if was_closed:
            logger.warning(
                "Redis %s unreachable (%s: %s); cache bypassed, retried every %g s",
                self.name,
                type(error).__name__,
                error,
                self.interval,
            )

    def downtime(self) -> float:
        return time.monotonic() - self.opened_at

    @property
    def is_open(self) -> bool:
        return self.state != self.CLOSED


_BREAKERS: dict[str, Breaker] = {}
_BREAKERS_LOCK = threading.Lock()
_RECOVERY_HOOKS: list[Callable[[], None]] = []


def on_recovery(hook: Callable[[], None]) -> Callable[[], None]:
    """Run `hook` (through the cache, as the recovering thread) whenever Redis comes back."""
    if hook not in _RECOVERY_HOOKS:
        _RECOVERY_HOOKS.append(hook)
    return hook


def breaker_for(location: str) -> Breaker:
    with _BREAKERS_LOCK:
        if location not in _BREAKERS:
            interval = float(getattr(settings, "REDIS_BREAKER_INTERVAL", DEFAULT_INTERVAL))
            parts = urlsplit(location.split(",")[0])
            name = f"{parts.hostname}:{parts.port}{parts.path}" if parts.hostname else location
            _BREAKERS[location] = Breaker(name, interval)
        return _BREAKERS[location]


def _guarded(method: Callable) -> Callable:
    @functools.wraps(method)
    def call(self: BreakerClient, *args: Any, **kwargs: Any) -> Any:
        breaker = self.breaker
        if not breaker.allow(self.ping):
            raise ConnectionInterrupted(connection=None) from RedisUnavailable(breaker.name)
        try:
            return method(self, *args, **kwargs)
        except ConnectionInterrupted as error:
            if not isinstance(error.__cause__, ResponseError):  # Redis answered: not an outage
                breaker.failed(error.__cause__ or error)
            raise

    return call


class BreakerClient(DefaultClient):
    """django-redis's DefaultClient with every cache operation behind the process's breaker."""

    def __init__(self, server: Any, params: dict[str, Any], backend: Any) -> None:
        super().__init__(server, params, backend)
        location = server if isinstance(server, str) else ",".join(server)
        self.breaker = breaker_for(location)

    def ping(self) -> None:
        self.get_client(write=True).ping()


for _name in (
    "set",
    "add",
    "get",
    "persist",
    "expire",
    "pexpire",
    "touch",
    "delete",
    "delete_pattern",
    "delete_many",
    "clear",
    "get_many",
    "set_many",
    "incr",
    "decr",
    "incr_version",
    "ttl",
    "pttl",
    "has_key",
    "keys",
):
    setattr(BreakerClient, _name, _guarded(getattr(DefaultClient, _name)))
