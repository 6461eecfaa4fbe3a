"""Reads for the regional allowance (TPP): which periodic window pays a month, and the rows the
payroll needs for one month and one OPD (employee, NIP, window, predikat, TPP percentage)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..models import Granularitas, HasilPeriodik, JendelaReview, JenisJendela, Periode, Unit


@dataclass(frozen=True)
class TppRow:
    nama: str
    nip: str
    opd: str
    unit: str
    jendela: str
    predikat: str  # the code (``Predikat``)
    persen: Decimal | None


def window_of_month(*, periode: Periode, bulan: int) -> JendelaReview | None:
    """The periodic window whose review decides the allowance of month ``bulan`` (1-12): the
    months of a period are split evenly over its windows (monthly: one each; quarterly: three).
    None when the month falls to the annual review (the last window)."""
    per_window = 12 // Granularitas(periode.granularitas).jumlah_periode
    urutan = (bulan - 1) // per_window + 1
    window = periode.jendela_set.filter(urutan=urutan).first()
    return window if window is not None and window.jenis == JenisJendela.PERIODIK else None


def _is_in(home: Unit | None, opd: Unit) -> bool:
    return home is not None and home.pk == opd.pk


def tpp_rows(*, periode: Periode, bulan: int, opd: Unit | None = None) -> list[TppRow]:
    """The periodic results that pay month ``bulan`` of ``periode``: of the appraisals whose unit
    (the SKP's snapshot) lies in ``opd`` (all OPD when None), ordered by OPD and name. A fixed
    number of queries, whatever the number of rows."""
    window = window_of_month(periode=periode, bulan=bulan)
    if window is None:
        return []
    units = {u.pk: u for u in Unit.objects.filter(instansi_id=periode.instansi_id).only("pk", "parent_id", "nama")}

    def opd_of(unit_id):
        unit, seen = units.get(unit_id), set()
        while unit is not None and unit.parent_id is not None and unit.pk not in seen:
            seen.add(unit.pk)
            parent = units.get(unit.parent_id)
            if parent is None or parent.parent_id is None:
                return unit
            unit = parent
        return None

    results = (
        HasilPeriodik.objects.filter(evaluasi__jendela=window, evaluasi__skp__periode=periode)
        .select_related("evaluasi__skp__pegawai")
        .only(
            "predikat",
            "tpp_persen",
            "evaluasi__jendela_id",
            "evaluasi__skp__unit_id",
            "evaluasi__skp__unit_nama",
            "evaluasi__skp__pegawai__nama",
            "evaluasi__skp__pegawai__nip",
        )
    )
    if opd is not None:
        results = results.filter(evaluasi__skp__unit_id__in=[pk for pk in units if _is_in(opd_of(pk), opd)])
    rows = []
    for hasil in results:
        skp = hasil.evaluasi.skp
        home = opd_of(skp.unit_id)
        rows.append(
            TppRow(
                nama=skp.pegawai.nama,
                nip=skp.pegawai.nip or "",
                opd=home.nama if home is not None else "",
                unit=skp.unit_nama,
                jendela=window.nama,
                predikat=hasil.predikat,
                persen=hasil.tpp_persen,
            )
        )
    return sorted(rows, key=lambda r: (r.opd, r.nama, r.nip))
