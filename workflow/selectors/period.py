"""Reads of periods and their review windows."""

from __future__ import annotations

from ..cache import ProcessCache
from ..models import JendelaReview

# Review windows change rarely (an admin edits them); every appraisal step asks for them.
WINDOWS_TTL = 60.0
_windows: ProcessCache[list[JendelaReview]] = ProcessCache(WINDOWS_TTL)


def period_windows(periode_id: int) -> list[JendelaReview]:
    return _windows.get(
        periode_id, lambda: list(JendelaReview.objects.filter(periode_id=periode_id).order_by("urutan"))
    )


forget_period_windows = _windows.clear
