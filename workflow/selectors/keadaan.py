"""Reads about who gets an SKP: the checks a leave or suspension (``KeadaanPegawai``) must pass
before it is written, in a few queries for any number of them (the import checks a whole file).

"Approved months" (the rule a new status must respect): an SKP whose plan has been approved (its
status has reached ``disetujui``: approved, under review, scored, published, under appeal or final)
covers the days from its ``tanggal_mulai`` to its ``tanggal_selesai``. A status sharing one of
those days is refused: the months were planned and agreed, and the SKP cannot lose them. An SKP
still being planned (draft, submitted, returned) does not block a status."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _

from ..dates import local_date
from ..models import KeadaanPegawai, PengecualianPembukaan, Skp, StatusSkp
from ..models.keadaan import overlap_message


@dataclass(frozen=True)
class KeadaanCheck:
    """One status about to be written: for ``pegawai_id`` (None: an employee not saved yet), of
    ``jenis`` from ``mulai`` to ``selesai`` (None: open-ended). ``keadaan_id``: the record being
    changed. ``upsert``: the record of the same employee, kind and start (if any) is the one being
    changed, as the import does; when its end is unchanged too, there is nothing to check."""

    pegawai_id: int | None
    jenis: str
    mulai: dt.date
    selesai: dt.date | None
    keadaan_id: int | None = None
    upsert: bool = False


def _overlaps(a_start: dt.date, a_end: dt.date | None, b_start: dt.date, b_end: dt.date | None) -> bool:
    return (b_end is None or a_start <= b_end) and (a_end is None or b_start <= a_end)


def approved_months_message(skp: Skp) -> str:
    return _(
        "This overlaps the approved months of the employee's SKP %(year)s (%(start)s – %(end)s, %(status)s): "
        "an SKP whose plan is approved cannot lose months. End or move that SKP first, or choose other dates."
    ) % {
        "year": skp.periode.tahun,
        "start": local_date(skp.tanggal_mulai),
        "end": local_date(skp.tanggal_selesai),
        "status": skp.get_status_display(),
    }


def keadaan_problems(checks: list[KeadaanCheck], *, only_skp: bool = False) -> list[list[tuple[str, str]]]:
    """The problems of each check, as ``(field, message)`` with the field ``tanggal_mulai`` or
    ``tanggal_selesai``, in the active language: the end before the start, another status of the
    employee on one of the days, the approved months of an SKP (``only_skp``: only these, for a
    form whose model ``clean`` checks the rest). Two queries for all the checks."""
    ids = {c.pegawai_id for c in checks if c.pegawai_id}
    leaves: dict[int, list[KeadaanPegawai]] = defaultdict(list)
    skps: dict[int, list[Skp]] = defaultdict(list)
    if ids:
        for k in KeadaanPegawai.objects.filter(pegawai_id__in=ids).order_by("tanggal_mulai"):
            leaves[k.pegawai_id].append(k)
        approved = Skp.objects.filter(pegawai_id__in=ids, status__in=StatusSkp.reached(StatusSkp.DISETUJUI))
        for skp in approved.select_related("periode").order_by("tanggal_mulai"):
            skps[skp.pegawai_id].append(skp)
    found = []
    for c in checks:
        problems: list[tuple[str, str]] = []
        found.append(problems)
        if c.selesai is not None and c.selesai < c.mulai:
            if not only_skp:
                problems.append(("tanggal_selesai", _("The end date is before the start date.")))
            continue
        mine = leaves.get(c.pegawai_id, []) if c.pegawai_id else []
        changing = c.keadaan_id
        if c.upsert and changing is None:
            same = next((k for k in mine if k.jenis == c.jenis and k.tanggal_mulai == c.mulai), None)
            if same is not None:
                if same.tanggal_selesai == c.selesai:
                    continue  # nothing changes: nothing to check
                changing = same.pk
        clash = next(
            (k for k in mine if k.pk != changing and _overlaps(c.mulai, c.selesai, k.tanggal_mulai, k.tanggal_selesai)),
            None,
        )
        if clash is not None and not only_skp:
            problems.append(("tanggal_mulai", overlap_message(clash)))
        before = next((k for k in mine if k.pk == changing), None)
        for skp in skps.get(c.pegawai_id, []) if c.pegawai_id else []:
            if not _overlaps(c.mulai, c.selesai, skp.tanggal_mulai, skp.tanggal_selesai):
                continue
            if before is not None and _overlaps(
                before.tanggal_mulai, before.tanggal_selesai, skp.tanggal_mulai, skp.tanggal_selesai
            ):
                continue  # the record already shared these days (recorded before the SKP's dates were set)
            field = "tanggal_mulai" if skp.tanggal_mulai <= c.mulai <= skp.tanggal_selesai else "tanggal_selesai"
            problems.append((field, approved_months_message(skp)))
            break
    return found


def exclusions_of(job) -> models.QuerySet:
    """The employees an opening (``PembukaanPeriode``) left out, with the reason, by name."""
    return (
        PengecualianPembukaan.objects.filter(pembukaan=job)
        .select_related("pegawai__unit")
        .order_by("pegawai__nama", "pk")
    )
