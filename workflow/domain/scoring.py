"""What a scoring consults and records, as plain values: the tables, the facts the rules read,
the record of each decision, and the rules' suggestion of the two ratings."""

from __future__ import annotations

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


@dataclass
class Suggestion:
    """What the rating tables make of the assessor's ratings: the two suggested ratings, the record
    of each decision and the facts they read."""

    hasil_kerja: str
    perilaku: str
    decisions: list[dict] = field(default_factory=list)
    facts: dict = field(default_factory=dict)


def decision_record(table: str, decision, **extra) -> dict:
    """How a decision is stored in a result's trace (``extra``: e.g. ``appeal=True``)."""
    return {"table": table, "version_label": str(decision.version), **extra, **decision.to_dict()}


def facts_hasil_kerja(rhk_jenis: dict[int, str], rhk_ratings: dict[int, str]) -> dict:
    """The facts of the work-result table: ``rhk_jenis`` is each RHK's kind by its key, in order."""
    total = len(rhk_jenis) or 1
    ratings = [rhk_ratings.get(pk, "") for pk in rhk_jenis]
    return {
        "porsi_rhk_di_atas": sum(r == Rating.DI_ATAS for r in ratings) / total,
        "porsi_rhk_di_bawah": sum(r == Rating.DI_BAWAH for r in ratings) / total,
        "rhk_utama_di_bawah": sum(
            rhk_ratings.get(pk) == Rating.DI_BAWAH for pk, j in rhk_jenis.items() if j == JenisRhk.UTAMA
        ),
    }


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


def months_covered(mulai: dt.date, selesai: dt.date, *, period_start: dt.date, period_end: dt.date) -> float:
    """How many months of its period an SKP covers, to one decimal: its days as a share of the
    period's twelve months (1 January – 30 June is 6.0, as is 1 July – 31 December)."""
    days = (selesai - mulai).days + 1
    period_days = (period_end - period_start).days + 1
    return round(days * 12 / period_days, 1)


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
