"""Writes for appraisal periods."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from ..models import AuditAction, Granularitas, Instansi, JendelaReview, JenisJendela, Periode, StatusPeriode
from .audit import audit_record

# Days each periodic review window stays open after its review period ends.
REVIEW_WINDOW_DAYS = 14
# The annual review window: from the first working days of December to the end of January.
FINAL_WINDOW_OPENS = (12, 1)
FINAL_WINDOW_DAYS = 45
PERIOD_NAMES = {
    Granularitas.SEMESTER: "Semester",
    Granularitas.TRIWULAN: "Triwulan",
    Granularitas.BULANAN: "Bulan",
}


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    return dt.date(day.year + month_index // 12, month_index % 12 + 1, 1)


@transaction.atomic
def periode_windows_generate(*, periode: Periode) -> list[JendelaReview]:
    """(Re)build the review windows of ``periode``: one per periodic review except the last
    (the annual review covers it), each opening on the first day after its review period, and
    the annual window. Windows stay editable in the admin afterwards."""
    periode.jendela_set.all().delete()
    count = Granularitas(periode.granularitas).jumlah_periode
    months = 12 // count
    windows = []
    for index in range(1, count):
        opens = _add_months(dt.date(periode.tahun, 1, 1), index * months)
        windows.append(
            JendelaReview(
                periode=periode,
                urutan=index,
                jenis=JenisJendela.PERIODIK,
                nama=f"{PERIOD_NAMES[Granularitas(periode.granularitas)]} {index} {periode.tahun}",
                dibuka=opens,
                ditutup=opens + dt.timedelta(days=REVIEW_WINDOW_DAYS - 1),
            )
        )
    final_opens = dt.date(periode.tahun, *FINAL_WINDOW_OPENS)
    windows.append(
        JendelaReview(
            periode=periode,
            urutan=count,
            jenis=JenisJendela.AKHIR,
            nama=_("Annual review %(year)s") % {"year": periode.tahun},
            dibuka=final_opens,
            ditutup=final_opens + dt.timedelta(days=FINAL_WINDOW_DAYS - 1),
        )
    )
    for window in windows:
        window.full_clean()
        window.save()
    return windows


@transaction.atomic
def periode_create(
    *,
    instansi: Instansi,
    tahun: int,
    granularitas: str = Granularitas.SEMESTER,
    batas_rencana: dt.date | None = None,
    status: str = StatusPeriode.DRAFT,
) -> Periode:
    """Create the period of ``tahun`` for ``instansi`` with its review windows. The plan is due at
    the end of January by default (shared/domain.md §3)."""
    periode = Periode(
        instansi=instansi,
        tahun=tahun,
        tanggal_mulai=dt.date(tahun, 1, 1),
        tanggal_selesai=dt.date(tahun, 12, 31),
        granularitas=granularitas,
        batas_rencana=batas_rencana or dt.date(tahun, 1, 31),
        status=status,
    )
    periode.full_clean()
    periode.save()
    periode_windows_generate(periode=periode)
    audit_record(
        action=AuditAction.PERIOD_CREATED,
        obj=periode,
        after={"tahun": tahun, "granularitas": granularitas, "status": status},
    )
    return periode
