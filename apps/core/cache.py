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
- a counter that is missing (evicted, flushed) restarts from the clock in milliseconds, above any
  value it can have had, so a lost key never brings back renders cached under an old value.

A process that never noticed the outage (idle during it) can read the old version until a process
that saw it recovers; what it reads is bounded by the fragments' own TTLs (60 s for anything that
shows stock or price; see apps.catalog.fragments).
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db import transaction

from .redis import on_recovery


class VersionCounter:
    """A Redis counter (no TTL) that cache keys embed; `bump()` invalidates them all at once."""

    _all: dict[str, VersionCounter] = {}

    def __init__(self, key: str) -> None:
        self.key = key
        VersionCounter._all[key] = self

    def current(self) -> int:
        value = cache.get(self.key)
        if value is None:
            start = _clock()
            if cache.add(self.key, start, timeout=None):
                return start  # ours: no second read
            value = cache.get(self.key)  # another process's, added first
            if value is None:  # Redis unreachable: any value; nothing will be read or stored
                return _clock()
        return int(value)

    def bump(self) -> None:
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
    return int(time.time() * 1000)


@on_recovery
def bump_every_version() -> None:
    for counter in list(VersionCounter._all.values()):
        counter.bump()
