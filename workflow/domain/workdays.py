"""Counting days for deadlines: calendar days, or working days (Monday to Friday, minus the
government's holidays: national holidays, cuti bersama and its own regional holidays).

Pure functions of dates; the holidays are handed in (``selectors.calendar`` reads them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

# How appeal days are counted (the rule pack's ``kebijakan.jenis_hari_keberatan``).
KALENDER = "kalender"
KERJA = "kerja"
DAY_KINDS = (KALENDER, KERJA)

_ONE = dt.timedelta(days=1)


def is_working_day(day: dt.date, holidays: Collection[dt.date] = ()) -> bool:
    """Monday to Friday and not a holiday."""
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: dt.date, n: int, holidays: Collection[dt.date] = ()) -> dt.date:
    """The ``n``-th working day after ``start`` (before it when ``n`` is negative); ``start``
    itself never counts, and ``n == 0`` gives ``start``. Filed on a Friday with ``n == 1``: the
    next Monday, or the first working day after a long weekend."""
    step = _ONE if n >= 0 else -_ONE
    day, left = start, abs(n)
    while left:
        day += step
        if is_working_day(day, holidays):
            left -= 1
    return day


def working_days_between(start: dt.date, end: dt.date, holidays: Collection[dt.date] = ()) -> int:
    """How many working days lie after ``start`` up to and including ``end`` (0 when ``end`` is
    not after ``start``)."""
    count, day = 0, start
    while day < end:
        day += _ONE
        if is_working_day(day, holidays):
            count += 1
    return count


def add_days(start: dt.date, n: int, kind: str, holidays: Collection[dt.date] = ()) -> dt.date:
    """``n`` days after ``start``, counted as ``kind`` (``kalender`` or ``kerja``); an unknown
    kind counts calendar days, the product's default."""
    if kind == KERJA:
        return add_working_days(start, n, holidays)
    return start + dt.timedelta(days=n)


def span_for(n: int, holidays_per_year: int = 30) -> dt.timedelta:
    """A calendar span surely long enough to hold ``n`` working days (to know which holidays to
    load): seven days per five working days, plus room for holidays."""
    weeks = abs(n) // 5 + 1
    return dt.timedelta(days=7 * weeks + holidays_per_year * (abs(n) // 250 + 1))
