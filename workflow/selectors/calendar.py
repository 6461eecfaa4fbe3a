"""Reads of the holiday calendar, and deadlines counted in the days the rule pack names
(``kebijakan.jenis_hari_keberatan``: calendar days by default, or working days)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ..domain.workdays import DAY_KINDS, KALENDER, KERJA, add_days, span_for
from ..models import HariLibur, Skp
from .scoring import RuleBook, policy


def holidays_between(*, instansi_id: int, start: dt.date, end: dt.date) -> frozenset[dt.date]:
    """The government's holidays from ``start`` to ``end`` (both included)."""
    return frozenset(
        HariLibur.objects.filter(instansi_id=instansi_id, tanggal__range=(start, end)).values_list("tanggal", flat=True)
    )


def holidays_of_year(*, instansi_id: int, tahun: int):
    """The government's holidays of one year, in date order (for the admin's page)."""
    return HariLibur.objects.filter(instansi_id=instansi_id, tanggal__year=tahun).order_by("tanggal")


def day_kind(policy_outputs: dict) -> str:
    """How the policy counts appeal days: ``kerja`` or ``kalender``; versions of the rules
    without the output (older packs) count calendar days."""
    kind = policy_outputs.get("jenis_hari_keberatan") or KALENDER
    return kind if kind in DAY_KINDS else KALENDER


def days_after(*, instansi_id: int, start: dt.date, days: int, kind: str) -> dt.date:
    """``days`` days after ``start`` counted as ``kind``, with the government's holidays for
    working days."""
    if kind != KERJA:
        return add_days(start, days, KALENDER)
    span = span_for(days)
    while True:
        low, high = (start, start + span) if days >= 0 else (start - span, start)
        result = add_days(start, days, KERJA, holidays_between(instansi_id=instansi_id, start=low, end=high))
        if low <= result <= high:
            return result
        span *= 2  # more holidays than the span allowed for: look further


def moment_after(*, instansi_id: int, moment: dt.datetime, days: int, kind: str) -> dt.datetime:
    """``moment`` moved by ``days`` days counted as ``kind``: calendar days exactly as before
    (``moment + days``); working days to the same local time of the day found."""
    if kind != KERJA:
        return moment + dt.timedelta(days=days)
    local = timezone.localtime(moment)
    day = days_after(instansi_id=instansi_id, start=local.date(), days=days, kind=kind)
    return timezone.make_aware(dt.datetime.combine(day, local.time().replace(tzinfo=None)))


def appeal_in_working_days(skp: Skp, book: RuleBook | None = None) -> bool:
    """Whether the rules in force count this appraisal's appeal days as working days (for the
    pages that show the appeal deadline)."""
    return day_kind(policy(skp, book)) == KERJA
