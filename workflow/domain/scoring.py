"""What a scoring consults and records, as plain values: the tables, the facts the rules read,
the record of each decision, and the rules' suggestion of the two ratings."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from ..models.choices import JenisRhk, NilaiPerilaku, Rating

RULE_SET = "penilaian-kinerja"
# The tables the workflow consults: each rating table suggests one of the two ratings (its output
# ``rating``), which the assessor may depart from with a reason; the predikat table gives the predikat.
SUGGESTION_TABLES = {"rating_hasil_kerja": "hasil_kerja", "rating_perilaku": "perilaku"}
PREDIKAT_TABLE = "predikat_kinerja"
# The table that picks, of two SKP of one year (the one chosen so far and the next), the one whose
# predikat is the year's (output ``pilih``: ``sebelumnya`` or ``kemudian``).
ANNUAL_TABLE = "predikat_tahunan"
# The regional allowance (TPP): predikat of a periodic window → percentage (the Governor's regulation).
TPP_TABLE = "tpp"
# A unit head's work-result rating equals their unit's organisation predikat (shared/domain.md §5):
# this table suggests it instead of ``rating_hasil_kerja`` when the policy switch is on.
PIMPINAN_TABLE = "rating_hasil_kerja_pimpinan"
# Every table whose output suggests one of the two ratings (the explanation lists them as suggestions).
RATING_TABLES = {**SUGGESTION_TABLES, PIMPINAN_TABLE: "hasil_kerja"}
ANGKA_KREDIT_TABLE = "angka_kredit"


@dataclass
class Suggestion:
    """What the rating tables make of the assessor's ratings: the two suggested ratings, the record
    of each decision and the facts they read."""

    hasil_kerja: str
    perilaku: str
    decisions: list[dict] = field(default_factory=list)
    facts: dict = field(default_factory=dict)
    # a unit head's work-result rating follows the organisation and the policy does not let the
    # assessor depart from it
    hasil_kerja_tetap: bool = False


def decision_record(table: str, decision, **extra) -> dict:
    """How a decision is stored in a result's trace (``extra``: e.g. ``appeal=True``)."""
    return {"table": table, "version_label": str(decision.version), **extra, **decision.to_dict()}


def facts_hasil_kerja(rhk_jenis: dict[int, str], rhk_ratings: dict[int, str]) -> dict:
    """The facts of the work-result table: ``rhk_jenis`` is each RHK's kind by its key, in order."""
    total = len(rhk_jenis) or 1
    ratings = [rhk_ratings.get(pk, "") for pk in rhk_jenis]
    utama = [pk for pk, j in rhk_jenis.items() if j == JenisRhk.UTAMA]
    utama_di_bawah = sum(rhk_ratings.get(pk) == Rating.DI_BAWAH for pk in utama)
    return {
        "porsi_rhk_di_atas": sum(r == Rating.DI_ATAS for r in ratings) / total,
        "porsi_rhk_di_bawah": sum(r == Rating.DI_BAWAH for r in ratings) / total,
        "rhk_utama_di_bawah": utama_di_bawah,
        "porsi_rhk_utama_di_bawah": utama_di_bawah / (len(utama) or 1),
    }


def months_covered(start: dt.date, end: dt.date) -> float:
    """The months from ``start`` to ``end`` (both included), each calendar month counted by the
    share of its days covered: 1 January – 30 June is 6, and two SKPs split on any day add up to
    the months of the whole span (a transfer on the 16th counts that month half in each)."""
    months = 0.0
    day = start
    while day <= end:
        days_in_month = calendar.monthrange(day.year, day.month)[1]
        last = dt.date(day.year, day.month, days_in_month)
        months += ((min(last, end) - day).days + 1) / days_in_month
        day = last + dt.timedelta(days=1)
    return months


def credit_points(*, koefisien: float, persentase: float, months: float) -> float:
    """Angka kredit of one SKP: the level's yearly coefficient × the predikat's percentage × the
    share of the year served (shared/domain.md §7)."""
    return koefisien * persentase / 100 * months / 12


def facts_perilaku(perilaku_ratings: dict[str, str]) -> dict:
    values = [perilaku_ratings.get(v, "") for v in NilaiPerilaku.values]
    return {
        "perilaku_di_atas": sum(r == Rating.DI_ATAS for r in values),
        "perilaku_di_bawah": sum(r == Rating.DI_BAWAH for r in values),
    }


def result_facts(
    *, suggestion: Suggestion, hasil_kerja: str, perilaku: str, rhk_count: int, rhk_ratings: dict[int, str]
) -> dict:
    """The facts stored with a result: what the rules read, the ratings given and suggested, and
    the count of RHK rated above and below expectations."""
    return {
        **suggestion.facts,
        "hasil_kerja": hasil_kerja,
        "perilaku": perilaku,
        "hasil_kerja_saran": suggestion.hasil_kerja,
        "perilaku_saran": suggestion.perilaku,
        "jumlah_rhk": rhk_count,
        "rhk_di_atas": sum(r == Rating.DI_ATAS for r in rhk_ratings.values()),
        "rhk_di_bawah": sum(r == Rating.DI_BAWAH for r in rhk_ratings.values()),
    }


def facts_annual(*, earlier: tuple[float, str], later: tuple[float, str]) -> dict:
    """The facts of the annual table for two SKP (months covered, predikat), earlier first."""
    return {
        "bulan_sebelumnya": earlier[0],
        "bulan_kemudian": later[0],
        "selisih_bulan": round(later[0] - earlier[0], 1),
        "predikat_sebelumnya": earlier[1],
        "predikat_kemudian": later[1],
    }


@dataclass
class AnnualPart:
    """One SKP of the year: what it covers and its published predikat ("" while it has none)."""

    skp: object  # models.Skp
    months: float
    predikat: str = ""
    counts: bool = True  # False: closed without a result, it takes no part


@dataclass
class AnnualPredikat:
    """The year's predikat of an employee with several SKP: each SKP's part, the decisions of the
    annual table (stored like a result's trace), and the SKP whose predikat is the year's. While an
    SKP that counts has no published result, ``pending`` names it and there is no predikat yet."""

    tahun: int
    parts: list[AnnualPart]
    predikat: str = ""
    decisive: object | None = None  # the SKP whose predikat is the year's
    decisions: list[dict] = field(default_factory=list)
    pending: list = field(default_factory=list)
    error: str = ""
