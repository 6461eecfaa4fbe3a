"""Who gets an SKP (shared/domain.md §3 item 9): recording an employee's leave or suspension
(``KeadaanPegawai``), the employees an opening leaves out, and the SKP of an employee who comes back.

The rules this module applies (defaults where the regulation is silent; README "Who gets an SKP"):

- A status is refused when it shares a day with the approved months of an SKP (see
  ``selectors.keadaan``), with another status of the same employee, or when it ends before it starts.
- Opening a period leaves out every employee whose status is in force on the opening's reference
  date: the day the opening runs, or the period's first day when it runs earlier (the period's last
  day when later). Each one is recorded with the reason (``PengecualianPembukaan``) on the opening.
- An employee whose status ended inside an open period gets an SKP from the day after (the
  "return date"), when that day has come: at once when the end is recorded on or after it, else
  from the time-driven sweep (``returns_open``, run with the timers by Celery beat). Only an
  employee the period was opened for gets one (left out by an opening of it, or already holding an
  SKP of it), and only if no SKP of the period covers the return date already.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from ..models import (
    AppraisalProcess,
    AuditAction,
    JenisKeadaan,
    KeadaanPegawai,
    Pegawai,
    PembukaanPeriode,
    PengecualianPembukaan,
    Periode,
    Skp,
    StatusKepegawaian,
    StatusPeriode,
)
from ..selectors.keadaan import KeadaanCheck, keadaan_problems
from ..selectors.org import OrgSnapshot
from .appraisal import skp_build
from .audit import acting_as, audit_batch, audit_record
from .tasks import flow_of, process_starting

DAY = dt.timedelta(days=1)
FIELDS = ("jenis", "tanggal_mulai", "tanggal_selesai", "nomor_sk", "keterangan")


def _state(keadaan: KeadaanPegawai) -> dict:
    return {f: getattr(keadaan, f) for f in FIELDS} | {"pegawai": keadaan.pegawai_id}


def keadaan_record(
    *,
    pegawai: Pegawai,
    jenis: str,
    tanggal_mulai: dt.date,
    tanggal_selesai: dt.date | None = None,
    nomor_sk: str = "",
    keterangan: str = "",
    by=None,
    keadaan: KeadaanPegawai | None = None,
    snap: OrgSnapshot | None = None,
) -> KeadaanPegawai:
    """Record a leave or suspension of ``pegawai`` (or change ``keadaan``, e.g. to give its end
    date), audited, then open the SKP of a return that has come (see the module). Raises
    ``ValidationError`` by field, writing nothing, when the status breaks a rule."""
    if jenis not in JenisKeadaan.values:
        raise ValidationError({"jenis": _unknown_kind(jenis)})
    if keadaan is not None and keadaan.pegawai_id != pegawai.pk:
        raise ValidationError({"pegawai": _("A status cannot be moved to another employee.")})
    check = KeadaanCheck(pegawai.pk, jenis, tanggal_mulai, tanggal_selesai, keadaan_id=keadaan.pk if keadaan else None)
    problems = keadaan_problems([check])[0]
    if problems:
        errors: dict[str, list[str]] = defaultdict(list)
        for field, message in problems:
            errors[field].append(message)
        raise ValidationError(dict(errors))
    values = {
        "jenis": jenis,
        "tanggal_mulai": tanggal_mulai,
        "tanggal_selesai": tanggal_selesai,
        "nomor_sk": (nomor_sk or "").strip(),
        "keterangan": (keterangan or "").strip(),
    }
    with transaction.atomic(), acting_as(by):
        if keadaan is None:
            obj, before = KeadaanPegawai(pegawai=pegawai, **values), {}
        else:
            obj = KeadaanPegawai.objects.select_for_update().get(pk=keadaan.pk)
            before = _state(obj)
            if all(getattr(obj, k) == v for k, v in values.items()):
                return obj
            for k, v in values.items():
                setattr(obj, k, v)
        obj.pegawai = pegawai
        obj._history_user = by
        obj.full_clean(exclude=["pegawai"])
        obj.save()
        after = _state(obj)
        if before:
            changed = [k for k in after if before.get(k) != after[k]]
            before, after = {k: before[k] for k in changed}, {k: after[k] for k in changed}
        audit_record(
            action=AuditAction.KEADAAN_CHANGED if keadaan else AuditAction.KEADAAN_RECORDED,
            obj=obj,
            by=by,
            before=before,
            after=after,
        )
        if obj.tanggal_selesai is not None:
            returns_open(by=by, pegawai_ids=[pegawai.pk], snap=snap)
    return obj


def keadaan_end(*, keadaan: KeadaanPegawai, tanggal_selesai: dt.date, by=None) -> KeadaanPegawai:
    """Give a status its last day (the employee comes back the day after)."""
    return keadaan_record(
        pegawai=keadaan.pegawai,
        jenis=keadaan.jenis,
        tanggal_mulai=keadaan.tanggal_mulai,
        tanggal_selesai=tanggal_selesai,
        nomor_sk=keadaan.nomor_sk,
        keterangan=keadaan.keterangan,
        by=by,
        keadaan=keadaan,
    )


def keadaan_upsert(
    *,
    pegawai: Pegawai,
    jenis: str,
    tanggal_mulai: dt.date,
    tanggal_selesai: dt.date | None,
    nomor_sk: str = "",
    by=None,
) -> bool:
    """The import's write: the status of ``pegawai`` of this kind starting on this day, created
    or changed (its end, its decree); True when something was written."""
    same = KeadaanPegawai.objects.filter(pegawai=pegawai, jenis=jenis, tanggal_mulai=tanggal_mulai).first()
    nomor_sk = nomor_sk or (same.nomor_sk if same else "")
    if same is not None and same.tanggal_selesai == tanggal_selesai and same.nomor_sk == nomor_sk:
        return False
    keadaan_record(
        pegawai=pegawai,
        jenis=jenis,
        tanggal_mulai=tanggal_mulai,
        tanggal_selesai=tanggal_selesai,
        nomor_sk=nomor_sk,
        keterangan=same.keterangan if same else "",
        by=by,
        keadaan=same,
    )
    return True


def _unknown_kind(value: str) -> str:
    return _("unknown status %(value)r; use one of: %(codes)s.") % {
        "value": value,
        "codes": ", ".join(JenisKeadaan.values),
    }


# --- opening a period --------------------------------------------------------------------------


def opening_reference_date(periode: Periode, today: dt.date | None = None) -> dt.date:
    """The day whose statuses decide who an opening leaves out: today, inside the period."""
    today = today or timezone.localdate()
    return min(max(today, periode.tanggal_mulai), periode.tanggal_selesai)


def exclusions_record(*, job: PembukaanPeriode, leaves, on: dt.date, by=None) -> int:
    """Record on ``job`` each employee left out because of one of ``leaves`` (the statuses in
    force on ``on``), with the reason; one statement, with history. Returns how many."""
    rows = [
        PengecualianPembukaan(
            pembukaan=job,
            pegawai_id=k.pegawai_id,
            keadaan=k,
            jenis=k.jenis,
            tanggal_mulai=k.tanggal_mulai,
            tanggal_selesai=k.tanggal_selesai,
            pada_tanggal=on,
        )
        for k in leaves
    ]
    if rows:
        bulk_create_with_history(rows, PengecualianPembukaan, default_user=by, batch_size=500)
    return len(rows)


def returned_since(*, periode: Periode, pegawai_ids, on: dt.date) -> dict[int, dt.date]:
    """Of ``pegawai_ids``, those whose status ended inside ``periode`` before ``on``: the day each
    came back (the latest such end, plus one day). One query."""
    ended = (
        KeadaanPegawai.objects.filter(
            pegawai_id__in=pegawai_ids, tanggal_selesai__gte=periode.tanggal_mulai, tanggal_selesai__lt=on
        )
        .values("pegawai_id")
        .annotate(last=Max("tanggal_selesai"))
    )
    return {row["pegawai_id"]: row["last"] + DAY for row in ended}


# --- coming back -------------------------------------------------------------------------------


def skp_open_from(*, pegawai: Pegawai, periode: Periode, mulai: dt.date, snap: OrgSnapshot, by=None) -> Skp | None:
    """Create the SKP of ``pegawai`` covering ``periode`` from ``mulai`` (numbered after their last
    SKP of the period) and start its process, as ``appraisal_open`` does. Idempotent: nothing when
    an SKP of the period already covers ``mulai`` or a later day; the unique constraint settles a
    race (the loser gets ``None``)."""
    mine = Skp.objects.filter(periode=periode, pegawai=pegawai)
    if mine.filter(tanggal_selesai__gte=mulai).exists():
        return None
    last = mine.aggregate(last=Max("urutan"))["last"] or 0
    try:
        with transaction.atomic(), acting_as(by), audit_batch():
            skp = skp_build(pegawai=pegawai, periode=periode, snap=snap, mulai=mulai, urutan=last + 1)
            # The process starts first (its handler links the SKP in memory), as in appraisal_open.
            with process_starting():
                flow_of(AppraisalProcess).start.run(skp=skp, by=by)
            skp.save()
            audit_record(
                action=AuditAction.APPRAISAL_OPENED,
                obj=skp,
                by=by,
                after={
                    "status": skp.status,
                    "pegawai": skp.pegawai_id,
                    "periode": skp.periode_id,
                    "urutan": skp.urutan,
                    "tanggal_mulai": skp.tanggal_mulai,
                    "penilai": skp.penilai_id,
                },
                reason=_("Back from leave or suspension"),
            )
    except IntegrityError:
        return None
    return skp


def returns_open(*, today: dt.date | None = None, by=None, pegawai_ids=None, snap: OrgSnapshot | None = None) -> int:
    """Open the SKP of every employee whose return date (the day after a status ended) has come
    inside an open period they were opened for (see the module), from that date; of ``pegawai_ids``
    only, when given. Idempotent; returns how many SKP were created. A few queries per open period,
    whatever the number of employees."""
    today = today or timezone.localdate()
    created = 0
    for periode in Periode.objects.filter(status=StatusPeriode.OPEN, tanggal_mulai__lt=today).order_by("pk"):
        until = min(today, periode.tanggal_selesai)
        ended = KeadaanPegawai.objects.filter(
            pegawai__instansi_id=periode.instansi_id,
            pegawai__aktif=True,
            tanggal_selesai__gte=periode.tanggal_mulai,
            tanggal_selesai__lt=until,
        ).exclude(pegawai__status_kepegawaian=StatusKepegawaian.PEJABAT_NEGARA)
        if pegawai_ids is not None:
            ended = ended.filter(pegawai_id__in=pegawai_ids)
        candidates = set(ended.values_list("pegawai_id", flat=True))  # the index on the end date: few rows
        if not candidates:
            continue
        # Only those the period was opened for: left out by an opening of it, or holding an SKP of it.
        opened_for = set(
            PengecualianPembukaan.objects.filter(pembukaan__periode=periode, pegawai_id__in=candidates).values_list(
                "pegawai_id", flat=True
            )
        ) | set(Skp.objects.filter(periode=periode, pegawai_id__in=candidates).values_list("pegawai_id", flat=True))
        back = returned_since(periode=periode, pegawai_ids=candidates & opened_for, on=until)
        if not back:
            continue
        # Still away on the return date (another status began that day), or already covered: nothing.
        away = {
            k.pegawai_id
            for k in KeadaanPegawai.objects.filter(pegawai_id__in=back)
            if k.tanggal_mulai <= back[k.pegawai_id]
            and (k.tanggal_selesai is None or k.tanggal_selesai >= back[k.pegawai_id])
        }
        covered = {
            s["pegawai_id"]
            for s in Skp.objects.filter(periode=periode, pegawai_id__in=back).values("pegawai_id", "tanggal_selesai")
            if s["tanggal_selesai"] >= back[s["pegawai_id"]]
        }
        due = [pk for pk in back if pk not in away and pk not in covered]
        if not due:
            continue
        if snap is None or snap.instansi.pk != periode.instansi_id:
            snap = OrgSnapshot.load(periode.instansi_id)
        # One transaction per period, its history rows and events written together at the end (as a
        # chunk of an opening does); each SKP in its own savepoint, so a lost race skips only it.
        with transaction.atomic(), acting_as(by), audit_batch():
            people = Pegawai.objects.filter(pk__in=due).select_related("unit", "jabatan", "user").order_by("pk")
            for pegawai in people:
                if skp_open_from(pegawai=pegawai, periode=periode, mulai=back[pegawai.pk], snap=snap, by=by):
                    created += 1
    return created
