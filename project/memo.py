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


@contextmanager
def step_memo() -> Iterator[dict]:
    """The same memo around one workflow step run from code or a form (``services.tasks``) or a
    unit's release: such a step changes none of what is memoized (the organisation, admin roles,
    rule versions), and asking once keeps every decision of the step on one rule version. Inside
    an active memo, that one is used."""
    memo = _memo.get()
    if memo is not None:
        yield memo
        return
    with request_memo() as memo:
        yield memo


def memoized(key: Hashable, load: Callable[[], T]) -> T:
    memo = _memo.get()
    if memo is None:
        return load()
    try:
        return memo[key]
    except KeyError:
        value = memo[key] = load()
        return value


MISSING = object()


def recall(key: Hashable):
    """What the active memo holds under ``key``, or ``MISSING`` (also without an active memo)."""
    memo = _memo.get()
    return MISSING if memo is None else memo.get(key, MISSING)


def remember(key: Hashable, value) -> None:
    """Hold ``value`` under ``key`` in the active memo (nothing without one): for a read that
    learns, besides its own answer, what another would ask."""
    memo = _memo.get()
    if memo is not None:
        memo[key] = value
