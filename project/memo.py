"""Per-request memo for reads that every page repeats (who the user is in the organisation, which
governments they administer, the rule version in force): looked up once per request instead of
once per template tag, permission check and selector that asks.

Active only while ``request_memo()`` is entered — for safe (GET/HEAD) requests, by
``workflow.middleware.audit_request_middleware`` — so a request that writes, a Celery task or a
test never reads a value from before its own change. Outside it, ``memoized`` just calls ``load``."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

_memo: ContextVar[dict | None] = ContextVar("kinerja_request_memo", default=None)


@contextmanager
def request_memo() -> Iterator[dict]:
    token = _memo.set({})
    try:
        yield _memo.get()
    finally:
        _memo.reset(token)


def memoized(key: Hashable, load: Callable[[], T]) -> T:
    memo = _memo.get()
    if memo is None:
        return load()
    try:
        return memo[key]
    except KeyError:
        value = memo[key] = load()
        return value
