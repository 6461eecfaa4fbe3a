"""Government-wide figures (progress per OPD, the admin's summary, appeals and overdue tasks per
month) computed once between two writes instead of on every view.

Their queries scan every appraisal or open task of a government, so they grow with its size while
the pages that show them should not. Every write of the product appends to the audit chain, whose
head number is in the cache key: the first view after any write computes the figures again, every
other view reads them (one indexed single-row read for the head). Figures that also move with the
clock (what is overdue) are kept at most ``KINERJA_AGGREGATE_CACHE_SECONDS``; 0 turns the cache off.
Values are plain numbers and keys, never translated labels: the caller names them."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count

from project.memo import memoized
from project.sql import column, rows, table

from ..models import AuditChainHead, Skp, StatusSkp

T = TypeVar("T")


def audit_head() -> int:
    """The number of the last audited write (once per request)."""
    return memoized("audit_head", _audit_head)


def _audit_head() -> int:
    # the first row, as ``AuditChainHead.objects.values_list("seq").first()`` (``project.sql``)
    h = AuditChainHead
    found = rows(f"SELECT {column(h, 'seq')} FROM {table(h)} ORDER BY {column(h, 'id')} LIMIT 1", [])  # noqa: S608 - names from the models, values bound
    return found[0][0] if found else 0


def in_own_transaction() -> bool:
    """Inside a transaction the code opened (not a test case's wrapper around it)."""
    return any(not block._from_testcase for block in connection.atomic_blocks)


def between_writes(key: Hashable, load: Callable[[], T]) -> T:
    """``load()``, kept under the number of the last audited write. Inside a transaction it is
    loaded afresh and kept nowhere: what a transaction reads may be its own writes, not committed
    yet (kept under a number a rollback gives back to the next write, it would be served as that
    write's figures), and a number read before its own writes would serve it figures from before
    them."""
    seconds = settings.KINERJA_AGGREGATE_CACHE_SECONDS
    if seconds <= 0 or in_own_transaction():
        return load()
    digest = hashlib.sha256(repr(key).encode()).hexdigest()[:32]
    full_key = f"kinerja-aggregate-{audit_head()}-{digest}"
    found = cache.get(full_key)
    if found is None:
        found = load()
        cache.set(full_key, found, seconds)
    return found


def unit_status_counts(*, periode_id: int) -> list[tuple[int, str, int]]:
    """The period's appraisals per unit and status, closed ones left out: ``(unit, status, n)``.
    The progress per OPD, its chart and the drill-down all add these up."""

    def load():
        rows = (
            Skp.objects.filter(periode_id=periode_id)
            .exclude(status=StatusSkp.DITUTUP)  # closed without a result by a transfer
            .values_list("unit_id", "status")
            .annotate(n=Count("pk"))
            .order_by()
        )
        return [tuple(row) for row in rows]

    return between_writes(("unit_status", periode_id), load)
