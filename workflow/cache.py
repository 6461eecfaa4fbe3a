"""A small per-process cache with a time limit, for reference data every step reads (org
snapshots, review windows). Entries are dropped at once by ``clear`` (wired to saves in this
process, see ``workflow.signals``) and otherwise live ``ttl`` seconds, which bounds how late a change
made by another process is seen."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class ProcessCache(Generic[T]):
    def __init__(self, ttl: float):
        self.ttl = ttl
        self._items: dict[Hashable, tuple[float, T]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], T]) -> T:
        now = time.monotonic()
        cached = self._items.get(key)
        if cached is not None and now - cached[0] < self.ttl:
            return cached[1]
        value = load()
        with self._lock:
            self._items[key] = (now, value)
        return value

    def clear(self, **_signal_kwargs) -> None:
        with self._lock:
            self._items.clear()
