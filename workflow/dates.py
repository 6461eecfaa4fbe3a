"""Dates as the product prints them outside templates (columns, messages, e-mails): a moment is
read in the local time zone (``TIME_ZONE``, Asia/Jakarta), never in UTC, in which a deadline at
01:00 WIB still falls on the day before. Templates get the same from Django's ``date`` filter."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

DATE_FORMAT = "%d-%m-%Y"


def local_date(value: dt.date | dt.datetime) -> str:
    """``value`` as dd-mm-yyyy; an aware moment is first converted to the local time zone."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    return value.strftime(DATE_FORMAT)
