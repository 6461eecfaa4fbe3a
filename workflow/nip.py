"""NIP (Nomor Induk Pegawai) parsing and validation.

An 18-digit NIP is: birth date ``YYYYMMDD`` + appointment month ``YYYYMM`` + sex digit
(1 male, 2 female) + a 3-digit sequence (shared/domain.md §2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Youngest age at which a civil servant can be appointed.
MIN_APPOINTMENT_AGE = 18


@dataclass(frozen=True)
class Nip:
    value: str
    tanggal_lahir: dt.date
    tmt_tahun: int
    tmt_bulan: int
    jenis_kelamin: int  # 1 male, 2 female
    urutan: int


def parse_nip(raw: str) -> Nip:
    """Return the parts of a valid NIP, or raise ``ValidationError`` saying what is wrong."""
    value = (raw or "").strip().replace(" ", "")
    if not value.isdigit() or len(value) != 18:
        raise ValidationError(
            _("NIP must be exactly 18 digits (got %(count)d characters)."),
            code="nip_length",
            params={"count": len(value)},
        )
    try:
        birth = dt.date(int(value[0:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        raise ValidationError(
            _("NIP %(nip)s: the first 8 digits are not a real birth date (YYYYMMDD)."),
            code="nip_birth_date",
            params={"nip": value},
        ) from None
    year, month = int(value[8:12]), int(value[12:14])
    if not 1 <= month <= 12:
        raise ValidationError(
            _("NIP %(nip)s: digits 9-14 are not a valid appointment month (YYYYMM)."),
            code="nip_appointment_month",
            params={"nip": value},
        )
    age_years = year - birth.year - (1 if month < birth.month else 0)
    if age_years < MIN_APPOINTMENT_AGE:
        raise ValidationError(
            _(
                "NIP %(nip)s: appointed in %(month)02d/%(year)d at age %(age)d; "
                "the appointment must be at least %(min)d years after birth."
            ),
            code="nip_appointment_age",
            params={"nip": value, "month": month, "year": year, "age": age_years, "min": MIN_APPOINTMENT_AGE},
        )
    sex = int(value[14])
    if sex not in (1, 2):
        raise ValidationError(
            _("NIP %(nip)s: digit 15 (sex) must be 1 (male) or 2 (female), not %(digit)d."),
            code="nip_sex",
            params={"nip": value, "digit": sex},
        )
    return Nip(value, birth, year, month, sex, int(value[15:18]))


def validate_nip(value: str) -> None:
    """Django field validator."""
    parse_nip(value)


def make_nip(tanggal_lahir: dt.date, tmt_tahun: int, tmt_bulan: int, jenis_kelamin: int, urutan: int) -> str:
    """Compose a NIP from its parts (used by the demo and by test factories); validates the result."""
    value = f"{tanggal_lahir:%Y%m%d}{tmt_tahun:04d}{tmt_bulan:02d}{jenis_kelamin}{urutan:03d}"
    parse_nip(value)
    return value
