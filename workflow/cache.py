"""A small per-process cache with a time limit, for reference data every step reads (org
snapshots, review windows). Entries are dropped at once by ``clear`` (wired to saves in this
process, see ``workflow.signals``) and otherwise live ``ttl`` seconds, which bounds how late a change
made by another process is seen."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from django.db import connection

T = TypeVar("T")


class ProcessCache(Generic[T]):
    """``max_items``: past it, expired entries are dropped (and all of them if none had expired),
    for keys without a natural bound (one per user). ``committed_only``: inside a transaction the
    value is loaded and not kept — what it read may yet be rolled back, or be the transaction's own
    uncommitted change that another request must not see."""

    def __init__(self, ttl: float, *, max_items: int | None = None, committed_only: bool = False):
        self.ttl = ttl
        self.max_items = max_items
        self.committed_only = committed_only
        self._items: dict[Hashable, tuple[float, T]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], T]) -> T:
        if self.committed_only and connection.in_atomic_block:
            return load()
        now = time.monotonic()
        cached = self._items.get(key)
        if cached is not None and now - cached[0] < self.ttl:
            return cached[1]
        value = load()
        with self._lock:
            if self.max_items is not None and len(self._items) >= self.max_items:
                self._items = {k: v for k, v in self._items.items() if now - v[0] < self.ttl}
                if len(self._items) >= self.max_items:
                    self._items.clear()
            self._items[key] = (now, value)
        return value

    def clear(self, **_signal_kwargs) -> None:
        with self._lock:
            self._items.clear()
