"""Reads of periods and their review windows."""

from __future__ import annotations

from ..cache import ProcessCache
from ..models import JendelaReview, Periode, StatusPeriode

# Review windows change rarely (an admin edits them); every appraisal step asks for them.
WINDOWS_TTL = 60.0
_windows: ProcessCache[list[JendelaReview]] = ProcessCache(WINDOWS_TTL)


def period_windows(periode_id: int) -> list[JendelaReview]:
    return _windows.get(
        periode_id, lambda: list(JendelaReview.objects.filter(periode_id=periode_id).order_by("urutan"))
    )


# Each government's current period, asked by the home, team and dashboard pages, kept the same way.
_current: ProcessCache[Periode | None] = ProcessCache(WINDOWS_TTL, max_items=1000, committed_only=True)


def current_period(instansi_id: int) -> Periode | None:
    """The government's open period (the latest if several), else its latest."""
    return _current.get(instansi_id, lambda: _current_period(instansi_id))


def _current_period(instansi_id: int) -> Periode | None:
    return (
        Periode.objects.filter(instansi_id=instansi_id, status=StatusPeriode.OPEN).order_by("-tahun").first()
        or Periode.objects.filter(instansi_id=instansi_id).order_by("-tahun").first()
    )


def forget_period_windows(**_signal_kwargs) -> None:
    _windows.clear()
    _current.clear()
