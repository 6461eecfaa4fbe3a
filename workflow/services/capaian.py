"""The organisation's achievement (capaian kinerja organisasi): one task per unit per period, in
the inbox of the leader above the unit (``flows.CapaianFlow``), started at the end of the period —
when the annual review window opens (``capaian_sweep``, run with the timers) or when an admin
starts them (``capaian_tasks_open``) — in the background, in chunks, with progress
(``PembukaanPeriode`` of kind ``capaian``); and the leader's setting of the predikat
(``capaian_set``), audited, the history kept. The admin's entry in the Django admin stays for
corrections (audited by the admin's base)."""

from __future__ import annotations

from celery import current_app
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    AuditAction,
    CapaianOrganisasi,
    CapaianProcess,
    JenisJendela,
    PembukaanPeriode,
    PenetapanCapaian,
    Periode,
    PredikatOrganisasi,
    StatusPeriode,
    Unit,
)
from ..selectors.capaian import capaian_barred, capaian_units
from ..selectors.org import org_snapshot
from .audit import acting_as, audit_batch, audit_record
from .system import system_user
from .tasks import flow_of, process_starting, task_execution

# The Celery task that runs one chunk (``workflow.tasks.open_capaian_chunk``, which calls
# ``capaian_tasks_chunk``), enqueued by its registered name like the period's opening chunks.
CAPAIAN_CHUNK_TASK = "workflow.tasks.open_capaian_chunk"
# The longest notes the leader may write (the evidence of the achievement indicators).
CATATAN_MAX = 5000


def _node(name: str):
    """A step of the organisation-achievement flow (see ``services.tasks.flow_of``)."""
    return getattr(flow_of(CapaianProcess), name)


# --- starting the tasks ---------------------------------------------------------------------


def capaian_open(*, periode: Periode, unit: Unit, by=None) -> PenetapanCapaian | None:
    """Start the task of ``unit`` for ``periode`` unless it has one. Safe to call twice at once:
    the unique constraint decides, the loser gets ``None``."""
    if PenetapanCapaian.objects.filter(periode=periode, unit=unit).exists():
        return None
    try:
        with transaction.atomic(), acting_as(by), audit_batch():
            penetapan = PenetapanCapaian(periode=periode, unit=unit)
            # The process starts first (its handler links the task in memory), so the row is
            # inserted once, already pointing at its process.
            with process_starting():
                _node("start").run(penetapan=penetapan)
            penetapan.save()
    except IntegrityError:
        return None
    return penetapan


def capaian_tasks_open(*, periode: Periode, by) -> PembukaanPeriode:
    """Start the organisation-achievement tasks of every unit of the period's government that
    gets one (``selectors.capaian.capaian_units``), in the background in chunks of
    KINERJA_OPEN_CHUNK_SIZE units (in-process without a broker). Rerunning is safe: units that
    have their task are skipped."""
    if periode.status != StatusPeriode.OPEN:
        raise ValidationError(_("Organisation-achievement tasks can be started only in an open period."))
    ids = [u.pk for u in capaian_units(periode)]
    size = settings.KINERJA_OPEN_CHUNK_SIZE
    chunks = [ids[i : i + size] for i in range(0, len(ids), size)]
    with transaction.atomic(), acting_as(by):
        job = PembukaanPeriode(
            periode=periode,
            jenis=PembukaanPeriode.Jenis.CAPAIAN,
            dibuka_oleh=by,
            total=len(ids),
            chunks=len(chunks),
            status=PembukaanPeriode.Status.QUEUED if chunks else PembukaanPeriode.Status.DONE,
            selesai=None if chunks else timezone.now(),
        )
        job._history_user = by
        job.save()
        audit_record(
            action=AuditAction.CAPAIAN_TASKS_OPENED, obj=periode, by=by, after={"job": job.pk, "units": len(ids)}
        )

    def enqueue():
        chunk_task = current_app.tasks[CAPAIAN_CHUNK_TASK]
        for nomor, chunk in enumerate(chunks):
            chunk_task.delay(job.pk, chunk, by.pk if by else None, nomor)

    transaction.on_commit(enqueue)
    return job


def capaian_tasks_chunk(*, job_id: int, unit_ids: list[int], by, nomor: int) -> int:
    """Start the tasks of chunk ``nomor`` and count it into the job, in one transaction under the
    job's row lock (a chunk delivered twice counts and creates nothing the second time); returns
    how many tasks were new."""
    created = 0
    with transaction.atomic(), acting_as(by), audit_batch():
        job = PembukaanPeriode.objects.select_for_update().select_related("periode").get(pk=job_id)
        if nomor in job.chunks_dihitung:
            return 0
        have = set(
            PenetapanCapaian.objects.filter(periode=job.periode, unit_id__in=unit_ids).values_list("unit_id", flat=True)
        )
        for unit in Unit.objects.filter(pk__in=unit_ids).exclude(pk__in=have).order_by("pk"):
            if capaian_open(periode=job.periode, unit=unit, by=by) is not None:
                created += 1
        job.chunks_dihitung = [*job.chunks_dihitung, nomor]
        job.diproses += len(unit_ids)
        job.dibuat += created
        job.chunks_selesai += 1
        if job.chunks_selesai >= job.chunks:
            job.status, job.selesai = PembukaanPeriode.Status.DONE, timezone.now()
        else:
            job.status = PembukaanPeriode.Status.RUNNING
        job._history_user = by
        job.save()
    return created


def capaian_sweep(*, today=None) -> int:
    """At the end of the period: for every open period whose annual review window has opened and
    whose organisation-achievement tasks were never started, start them (as the system). Run with
    the timers (``services.deadlines.run_timers``); returns how many periods it started."""
    today = today or timezone.localdate()
    due = (
        Periode.objects.filter(
            status=StatusPeriode.OPEN, jendela_set__jenis=JenisJendela.AKHIR, jendela_set__dibuka__lte=today
        )
        .exclude(pembukaan_set__jenis=PembukaanPeriode.Jenis.CAPAIAN)
        .distinct()
    )
    started = 0
    for periode in due:
        capaian_tasks_open(periode=periode, by=system_user())
        started += 1
    return started


# --- the leader sets the predikat ------------------------------------------------------------


def _check_input(predikat: str, catatan: str) -> str:
    errors = []
    if predikat not in PredikatOrganisasi.values:
        errors.append(_("Choose the organisation's predikat."))
    catatan = (catatan or "").strip()
    if "\x00" in catatan:
        errors.append(_("The notes contain a character that cannot be stored (NUL)."))
    elif len(catatan) > CATATAN_MAX:
        errors.append(_("The notes are too long: at most %(n)d characters.") % {"n": CATATAN_MAX})
    if errors:
        raise ValidationError(errors)
    return catatan


def _state(capaian: CapaianOrganisasi | None) -> dict:
    if capaian is None:
        return {}
    return {
        "predikat": capaian.predikat,
        "catatan": capaian.catatan,
        "ditetapkan_oleh": capaian.ditetapkan_oleh.username if capaian.ditetapkan_oleh_id else None,
    }


def capaian_set(
    *, penetapan: PenetapanCapaian, by, predikat: str, catatan: str = "", activation=None
) -> CapaianOrganisasi:
    """The leader above the unit sets its organisation predikat (with the achievement indicators
    it rests on), completing the task. An earlier value (an admin's entry) is replaced; the
    history and the audit event keep it. Nobody sets their own unit's achievement."""
    catatan = _check_input(predikat, catatan)
    unit = penetapan.unit
    barred = capaian_barred(org_snapshot(unit.instansi_id), unit)
    for pegawai, reason in barred:
        if pegawai.user_id is not None and pegawai.user_id == getattr(by, "pk", None):
            raise PermissionDenied(reason)
    with task_execution(process_pk=penetapan.process_id, node=_node("set_achievement"), by=by, activation=activation):
        capaian = (
            CapaianOrganisasi.objects.select_for_update()
            .filter(periode_id=penetapan.periode_id, unit_id=unit.pk)
            .first()
        )
        before = _state(capaian)
        if capaian is None:
            capaian = CapaianOrganisasi(periode_id=penetapan.periode_id, unit=unit)
        capaian.predikat, capaian.catatan = predikat, catatan
        capaian.ditetapkan_oleh, capaian.ditetapkan = by, timezone.now()
        capaian._history_user = by
        capaian._change_reason = _("Set by the leader above the unit")
        try:
            with transaction.atomic():  # an admin adding the same unit's row at this moment
                capaian.save()
        except IntegrityError:
            raise ValidationError(_("The achievement was being saved at the same time. Please try again.")) from None
        audit_record(
            action=AuditAction.CAPAIAN_SET, obj=capaian, by=by, before=before, after=_state(capaian), reason=catatan
        )
    return capaian
