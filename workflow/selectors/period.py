"""Reads of periods and their review windows."""

from __future__ import annotations

import threading

from ..models import JendelaReview

# Review windows change rarely (an admin edits them); every appraisal step asks for them. Each
# process keeps them until a window of the period is saved or deleted in this process (see
# ``workflow.signals``), or for WINDOWS_TTL seconds when another process changed them.
WINDOWS_TTL = 60.0
_windows: dict[int, tuple[float, list[JendelaReview]]] = {}
_lock = threading.Lock()


def period_windows(periode_id: int) -> list[JendelaReview]:
    import time

    now = time.monotonic()
    cached = _windows.get(periode_id)
    if cached is not None and now - cached[0] < WINDOWS_TTL:
        return cached[1]
    windows = list(JendelaReview.objects.filter(periode_id=periode_id).order_by("urutan"))
    with _lock:
        _windows[periode_id] = (now, windows)
    return windows


def forget_period_windows(**_kwargs) -> None:
    with _lock:
        _windows.clear()
