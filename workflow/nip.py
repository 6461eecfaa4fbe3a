"""The 18-digit numbers of ASN: the NIP of a PNS and the NI PPPK of a PPPK (shared/domain.md §2).

- NIP (PNS): birth date ``YYYYMMDD`` + appointment month ``YYYYMM`` + sex digit (1 male,
  2 female) + a 3-digit sequence, e.g. ``198503152010012003``.
- NI PPPK: birth date ``YYYYMMDD`` + appointment **year** ``YYYY`` + the fixed code ``21`` (where
  a NIP has the month) + sex digit + a 3-digit sequence, e.g. ``199312282025212001``.

``nomor_induk_check(value, status)`` is the one check of a number against an employee's status
(a NIP for a PNS, an NI PPPK for a PPPK, either or none for a state official): the employee
model's ``clean``, the organisation import and every form call it. ``validate_nomor_induk`` is the
field validator: it cannot see the status, so it checks only that the value is one of the two
formats. Every message says which digits are wrong.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Youngest age at which a civil servant can be appointed.
MIN_APPOINTMENT_AGE = 18
# Digits 13-14 of every NI PPPK (where a NIP has the appointment month).
PPPK_CODE = "21"
# The employment statuses (``models.StatusKepegawaian`` values: this module sits below the models).
PNS, PPPK = "PNS", "PPPK"


@dataclass(frozen=True)
class Nip:
    value: str
    tanggal_lahir: dt.date
    tmt_tahun: int
    tmt_bulan: int
    jenis_kelamin: int  # 1 male, 2 female
    urutan: int


@dataclass(frozen=True)
class NiPppk:
    value: str
    tanggal_lahir: dt.date
    tmt_tahun: int
    jenis_kelamin: int  # 1 male, 2 female
    urutan: int


def _clean(raw) -> str:
    return ("" if raw is None else str(raw)).strip().replace(" ", "")


def _eighteen_digits(value: str) -> bool:
    # ASCII only: str.isdigit() also accepts "²" and other scripts' digits.
    return len(value) == 18 and value.isascii() and value.isdigit()


def _birth_date(value: str, message) -> dt.date:
    try:
        return dt.date(int(value[0:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        raise ValidationError(message, code="nip_birth_date", params={"nip": value}) from None


def _sex(value: str, message) -> int:
    sex = int(value[14])
    if sex not in (1, 2):
        raise ValidationError(message, code="nip_sex", params={"nip": value, "digit": sex})
    return sex


def parse_nip(raw: str) -> Nip:
    """Return the parts of a valid NIP (PNS), or raise ``ValidationError`` saying what is wrong."""
    value = _clean(raw)
    if not _eighteen_digits(value):
        raise ValidationError(
            _("NIP must be exactly 18 digits (got %(count)d characters)."),
            code="nip_length",
            params={"count": len(value)},
        )
    birth = _birth_date(value, _("NIP %(nip)s: the first 8 digits are not a real birth date (YYYYMMDD)."))
    year, month = int(value[8:12]), int(value[12:14])
    if value[12:14] == PPPK_CODE and _is_ni_pppk(value):
        raise ValidationError(
            _(
                "NIP %(nip)s: digits 13-14 are 21, the code of an NI PPPK, not an appointment month: "
                "this is the number of a PPPK. A PNS needs a NIP (birth date, appointment year and "
                "month, sex, sequence); check the number or the employment status."
            ),
            code="nip_is_ni_pppk",
            params={"nip": value},
        )
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
    sex = _sex(value, _("NIP %(nip)s: digit 15 (sex) must be 1 (male) or 2 (female), not %(digit)d."))
    return Nip(value, birth, year, month, sex, int(value[15:18]))


def parse_ni_pppk(raw: str) -> NiPppk:
    """Return the parts of a valid NI PPPK, or raise ``ValidationError`` saying what is wrong."""
    value = _clean(raw)
    if not _eighteen_digits(value):
        raise ValidationError(
            _("NI PPPK must be exactly 18 digits (got %(count)d characters)."),
            code="ni_pppk_length",
            params={"count": len(value)},
        )
    birth = _birth_date(value, _("NI PPPK %(nip)s: the first 8 digits are not a real birth date (YYYYMMDD)."))
    year, code = int(value[8:12]), value[12:14]
    if code != PPPK_CODE:
        if _is_nip(value):
            message = _(
                "NI PPPK %(nip)s: digits 13-14 are %(code)s, the appointment month of a PNS NIP; an NI "
                "PPPK has the code 21 there. This is the number of a PNS: check the number or the "
                "employment status."
            )
        else:
            message = _("NI PPPK %(nip)s: digits 13-14 must be the PPPK code 21, not %(code)s.")
        raise ValidationError(message, code="ni_pppk_code", params={"nip": value, "code": code})
    # Only the year is known: the appointment may fall on the last day of the year.
    if year - birth.year < MIN_APPOINTMENT_AGE:
        raise ValidationError(
            _(
                "NI PPPK %(nip)s: digits 9-12 give the appointment year %(year)d, at most age %(age)d; "
                "the appointment must be at least %(min)d years after birth."
            ),
            code="ni_pppk_appointment_age",
            params={"nip": value, "year": year, "age": max(year - birth.year, 0), "min": MIN_APPOINTMENT_AGE},
        )
    sex = _sex(value, _("NI PPPK %(nip)s: digit 15 (sex) must be 1 (male) or 2 (female), not %(digit)d."))
    return NiPppk(value, birth, year, sex, int(value[15:18]))


def _is_nip(value: str) -> bool:
    try:
        parse_nip(value)
    except ValidationError:
        return False
    return True


def _is_ni_pppk(value: str) -> bool:
    try:
        parse_ni_pppk(value)
    except ValidationError:
        return False
    return True


def nomor_induk_check(raw, status: str) -> Nip | NiPppk | None:
    """Check an employee's number against their employment status and return its parts: a PNS
    needs a NIP, a PPPK an NI PPPK (an empty number is the caller's to refuse); a state official
    may have either, or none (None). Raises ``ValidationError`` saying which digits are wrong, and
    when the number is of the other kind, that it is."""
    value = _clean(raw)
    if status == PNS:
        return parse_nip(value)
    if status == PPPK:
        return parse_ni_pppk(value)
    return parse_nomor_induk(value) if value else None


def parse_nomor_induk(raw) -> Nip | NiPppk:
    """The parts of a NIP or an NI PPPK, whichever the number is (the code ``21`` in digits 13-14
    says which is meant); raises the ``ValidationError`` of that format."""
    value = _clean(raw)
    if not _eighteen_digits(value):
        raise ValidationError(
            _("NIP or NI PPPK must be exactly 18 digits (got %(count)d characters)."),
            code="nomor_induk_length",
            params={"count": len(value)},
        )
    if value[12:14] == PPPK_CODE:
        return parse_ni_pppk(value)
    return parse_nip(value)


def validate_nomor_induk(value: str) -> None:
    """Django field validator: a NIP or an NI PPPK (the status-aware check is ``nomor_induk_check``)."""
    parse_nomor_induk(value)


def validate_nip(value: str) -> None:
    """The former field validator (NIP only), kept because old migrations name it."""
    parse_nip(value)


def make_nip(tanggal_lahir: dt.date, tmt_tahun: int, tmt_bulan: int, jenis_kelamin: int, urutan: int) -> str:
    """Compose a NIP from its parts (used by the demo and by test factories); validates the result."""
    value = f"{tanggal_lahir:%Y%m%d}{tmt_tahun:04d}{tmt_bulan:02d}{jenis_kelamin}{urutan:03d}"
    parse_nip(value)
    return value


def make_ni_pppk(tanggal_lahir: dt.date, tmt_tahun: int, jenis_kelamin: int, urutan: int) -> str:
    """Compose an NI PPPK from its parts (used by the demo and by test factories); validates the result."""
    value = f"{tanggal_lahir:%Y%m%d}{tmt_tahun:04d}{PPPK_CODE}{jenis_kelamin}{urutan:03d}"
    parse_ni_pppk(value)
    return value
