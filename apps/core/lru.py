"""A small thread-safe least-recently-used map, bounded by the total weight of its values."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from threading import Lock
from typing import Any


class LRU:
    """At most `budget` in total weight (each value weighs what `put` says, 1 by default); the
    least recently used values go first, and a value heavier than the whole budget is not kept.
    Used for the page cache's per-process copies of bodies and the card skeletons."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.size = 0
        self.items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self.lock = Lock()

    def get(self, key: Hashable) -> Any:
        """The value at `key` (now the most recently used), or None."""
        with self.lock:
            item = self.items.get(key)
            if item is None:
                return None
            self.items.move_to_end(key)
            return item[0]

    def put(self, key: Hashable, value: Any, weight: int = 1) -> None:
        with self.lock:
            old = self.items.pop(key, None)
            if old is not None:
                self.size -= old[1]
            if weight > self.budget:
                return
            self.items[key] = (value, weight)
            self.size += weight
            while self.size > self.budget:
                _, (_, dropped) = self.items.popitem(last=False)
                self.size -= dropped
