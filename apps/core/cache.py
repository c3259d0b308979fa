"""Version counters that key cached renders, and how a lost bump is made harmless.

A cached fragment's key carries a version; a write bumps the version and every old key is simply
never read again. The danger is a bump that does not arrive: Redis paused or unreachable at the
moment of the write, the error swallowed (IGNORE_EXCEPTIONS), and after Redis resumes every reader
trusts the old version and its stale HTML.

Here a bump cannot be lost silently:

- a bump that fails trips the process's circuit breaker (apps.core.redis); while it is open the
  process reads nothing from the cache (every read misses and renders from PostgreSQL);
- when the breaker closes again, every registered counter is bumped BEFORE this process reads
  anything from the cache again (a recovery hook), so the first read after an outage misses too,
  whether or not a bump was lost during it. Every process that saw the outage does the same;
- a counter that is missing (evicted, flushed) restarts from the clock in microseconds, above any
  value it can have had, so a lost key never brings back renders cached under an old value.

Within one request a counter is read from Redis at most once (`_snapshot`): every part of the
response (the page cache's check, the fragments' keys, the cards' keys) is keyed by the value the
request saw first, so they agree with each other, and a render costs one round trip per counter
instead of one per lookup. A bump made by the request itself replaces its snapshot value.

A process that never noticed the outage (idle during it) can read the old version until a process
that saw it recovers; what it reads is bounded by the fragments' own TTLs (60 s for anything that
shows stock or price; see apps.catalog.fragments).
"""

from __future__ import annotations

import time
from contextvars import ContextVar

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction

from .redis import on_recovery

# The counters' values this request has seen, by key; None outside a request (a management
# command, the worker, a test calling a selector): every read then goes to Redis.
_snapshot: ContextVar[dict[str, int | None] | None] = ContextVar("version_snapshot", default=None)


def _begin_request(**_kwargs: object) -> None:
    _snapshot.set({})


def _end_request(**_kwargs: object) -> None:
    _snapshot.set(None)


request_started.connect(_begin_request, dispatch_uid="core.cache.snapshot.begin")
request_finished.connect(_end_request, dispatch_uid="core.cache.snapshot.end")


def remember(key: str, value: object) -> None:
    """A counter's value read by other means (the page cache reads the counters in the same
    round trip as its entry): the rest of the request uses it instead of reading it again."""
    seen = _snapshot.get()
    if seen is not None and key in VersionCounter._all:
        # None: missing from Redis a moment ago (the first lookup goes straight to creating it).
        seen.setdefault(key, None if value is None else int(value))


class VersionCounter:
    """A Redis counter (no TTL) that cache keys embed; `bump()` invalidates them all at once."""

    _all: dict[str, VersionCounter] = {}

    def __init__(self, key: str) -> None:
        self.key = key
        VersionCounter._all[key] = self

    def current(self) -> int:
        seen = _snapshot.get()
        if seen is not None and self.key in seen:
            value = seen[self.key]
            if value is not None:
                return value
        else:
            value = cache.get(self.key)
        if value is None:
            start = _clock()
            if cache.add(self.key, start, timeout=None):
                return self._seen(seen, start)  # ours: no second read
            value = cache.get(self.key)  # another process's, added first
            if value is None:  # Redis unreachable: any value; nothing will be read or stored
                return _clock()  # not remembered: the next lookup asks Redis again
        return self._seen(seen, int(value))

    def _seen(self, seen: dict[str, int | None] | None, value: int) -> int:
        if seen is not None:
            seen[self.key] = value
        return value

    def bump(self) -> None:
        seen = _snapshot.get()
        if seen is not None:
            seen.pop(self.key, None)  # read again after a write of this request
        try:
            if cache.incr(self.key) is not None:
                return
        except ValueError:  # missing: restart above anything it may have been
            pass
        cache.set(self.key, _clock(), timeout=None)

    def bump_now_and_on_commit(self, **_kwargs: object) -> None:
        """Now, and again after commit: a render between the two (from the rows as they were
        before the write committed) would otherwise stay cached under the new value."""
        self.bump()
        transaction.on_commit(self.bump)


def _clock() -> int:
    """Microseconds: a counter restarted from it is above any value it had unless it was bumped
    more than once a microsecond on average (a bump is a Redis round trip, tens of them)."""
    return int(time.time() * 1_000_000)


@on_recovery
def bump_every_version() -> None:
    for counter in list(VersionCounter._all.values()):
        counter.bump()
