"""Opening a period: one appraisal process per active employee, created by Celery in chunks.
Employees on leave or suspended on the opening's reference date are left out, each recorded on the
opening with the reason (``services.keadaan``)."""

from __future__ import annotations

import datetime as dt

from celery import current_app
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Process, Task

from ..models import (
    AuditAction,
    KeadaanPegawai,
    Pegawai,
    PembukaanPeriode,
    Periode,
    Skp,
    StatusKepegawaian,
    StatusPeriode,
    Unit,
)
from ..selectors.org import OrgSnapshot
from .appraisal import appraisal_open
from .audit import acting_as, audit_batch, audit_record, inserts_prenumbered
from .keadaan import exclusions_record, opening_reference_date, returned_since, skp_open_from

# The Celery task that runs one chunk (``workflow.tasks.open_period_chunk``, which calls
# ``period_open_chunk``). The task module calls this service, so this service enqueues the task by
# its registered name instead of importing it; ``WorkflowConfig.ready`` imports the task module, so
# the name is registered in every process. The name is also what queued messages carry: keep it.
OPEN_CHUNK_TASK = "workflow.tasks.open_period_chunk"


def _employees(periode: Periode, unit: Unit | None = None):
    """Active ASN of the government (or of ``unit`` and everything below it). State officials such
    as the Governor are not appraised."""
    qs = Pegawai.objects.filter(instansi_id=periode.instansi_id, aktif=True).exclude(
        status_kepegawaian=StatusKepegawaian.PEJABAT_NEGARA
    )
    if unit is not None:
        units = {u.pk: u.parent_id for u in Unit.objects.filter(instansi_id=periode.instansi_id)}
        subtree, frontier = {unit.pk}, [unit.pk]
        while frontier:
            frontier = [pk for pk, parent in units.items() if parent in frontier]
            subtree.update(frontier)
        qs = qs.filter(unit_id__in=subtree)
    return qs


def employees_to_open(periode: Periode, unit: Unit | None = None, *, on: dt.date | None = None):
    """Active ASN of the government (or of ``unit`` and everything below it) who are not on leave
    or suspended on ``on`` (default: the opening's reference date, ``opening_reference_date``).
    State officials such as the Governor are not appraised."""
    on = on or opening_reference_date(periode)
    away = KeadaanPegawai.objects.covering(on).values("pegawai_id")
    return _employees(periode, unit).exclude(pk__in=away).order_by("pk")


def employees_left_out(periode: Periode, unit: Unit | None = None, *, on: dt.date | None = None):
    """The statuses (leave, suspension) in force on ``on`` of the employees an opening would
    otherwise include: the ones ``employees_to_open`` leaves out, with the reason."""
    on = on or opening_reference_date(periode)
    return (
        KeadaanPegawai.objects.covering(on)
        .filter(pegawai__in=_employees(periode, unit))
        .select_related("pegawai")
        .order_by("pegawai_id")
    )


def period_open(*, periode: Periode, by, unit: Unit | None = None) -> PembukaanPeriode:
    """Open ``periode`` (for a unit subtree if given) and queue the creation of the processes.
    Without a broker the chunks run in-process before this returns."""
    if periode.status == StatusPeriode.CLOSED:
        raise ValidationError(_("This period is closed; it cannot be opened again."))
    if unit is not None and unit.instansi_id != periode.instansi_id:
        raise ValidationError(_("The unit belongs to another government."))
    on = opening_reference_date(periode)
    ids = list(employees_to_open(periode, unit, on=on).values_list("pk", flat=True))
    left_out = list(employees_left_out(periode, unit, on=on))
    size = settings.KINERJA_OPEN_CHUNK_SIZE
    chunks = [ids[i : i + size] for i in range(0, len(ids), size)]
    with transaction.atomic(), acting_as(by):
        before = {"status": periode.status}
        if periode.status != StatusPeriode.OPEN:
            periode.status = StatusPeriode.OPEN
            periode._history_user = by
            periode.save(update_fields=["status"])
        job = PembukaanPeriode(
            periode=periode,
            unit=unit,
            dibuka_oleh=by,
            total=len(ids),
            chunks=len(chunks),
            status=PembukaanPeriode.Status.QUEUED if chunks else PembukaanPeriode.Status.DONE,
        )
        job._history_user = by
        job.save()
        excluded = exclusions_record(job=job, leaves=left_out, on=on, by=by)
        audit_record(
            action=AuditAction.PERIOD_OPENED,
            obj=periode,
            by=by,
            before=before,
            after={
                "status": periode.status,
                "job": job.pk,
                "unit": unit.pk if unit else None,
                "employees": len(ids),
                "excluded": excluded,
            },
        )

    def enqueue():
        # Looked up, not sent by name (``send_task``): a lookup runs eagerly without a broker.
        open_chunk = current_app.tasks[OPEN_CHUNK_TASK]
        for nomor, chunk in enumerate(chunks):
            open_chunk.delay(job.pk, chunk, by.pk if by else None, nomor)

    transaction.on_commit(enqueue)
    return job


def period_open_chunk(*, job_id: int, pegawai_ids: list[int], by, nomor: int | None = None) -> int:
    """Create the appraisals of chunk ``nomor`` in one transaction and count it into the job in that
    same transaction (its history rows and events written together at the end); returns how many
    were new. A worker that dies mid-chunk commits nothing, and the redelivered chunk does it all; a
    chunk delivered again after it committed finds itself counted and does nothing. Idempotent on
    the data too: employees who already have an appraisal for the period are skipped, and the
    unique constraint settles a race with another worker (the chunk is done again with a savepoint
    per employee: the race's losers roll back, the rest of the chunk stands)."""
    job = PembukaanPeriode.objects.select_related("periode").get(pk=job_id)
    if nomor is not None and nomor in job.chunks_dihitung:
        return 0
    _job_started(job_id, by)
    snap = OrgSnapshot.load(job.periode.instansi_id)
    created = 0
    with transaction.atomic(), acting_as(by), audit_batch():
        have = set(
            Skp.objects.filter(periode=job.periode, pegawai_id__in=pegawai_ids, urutan=1).values_list(
                "pegawai_id", flat=True
            )
        )
        # In id order, so two workers racing over one chunk meet in the same order (no deadlock).
        people = list(
            Pegawai.objects.filter(pk__in=pegawai_ids)
            .exclude(pk__in=have)
            .select_related("unit", "jabatan", "user")
            .order_by("pk")
        )
        # Back from leave or suspension inside the period before the opening's reference date: the
        # SKP covers from the return date, not from the period's first day.
        back = returned_since(periode=job.periode, pegawai_ids=pegawai_ids, on=opening_reference_date(job.periode))

        def open_all(*, savepoints: bool) -> int:
            opened = 0
            for pegawai in people:
                if pegawai.pk in back:
                    skp = skp_open_from(pegawai=pegawai, periode=job.periode, mulai=back[pegawai.pk], snap=snap, by=by)
                else:
                    skp = appraisal_open(
                        pegawai=pegawai, periode=job.periode, snap=snap, by=by, checked=True, savepoint=savepoints
                    )
                if skp is not None:
                    opened += 1
            return opened

        try:
            # One savepoint for the chunk instead of one per employee (two round trips each), and
            # the new processes, tasks and SKP inserted per table at the end of it ...
            with transaction.atomic(), audit_batch(), inserts_prenumbered(Process, Task, Skp, block=len(people) or 1):
                created = open_all(savepoints=False)
        except IntegrityError:
            # ... unless someone opened one of these appraisals meanwhile (another opening of the
            # period, a transfer): then again, one savepoint each, and the race's losers skipped.
            with transaction.atomic(), audit_batch():
                created = open_all(savepoints=True)
        _job_count(job_id, by, nomor=nomor, processed=len(pegawai_ids), created=created)
    return created


@transaction.atomic
def _job_started(job_id: int, by) -> None:
    """Mark a queued job running when its first chunk starts."""
    job = PembukaanPeriode.objects.select_for_update().get(pk=job_id)
    if job.status != PembukaanPeriode.Status.QUEUED:
        return
    job.status = PembukaanPeriode.Status.RUNNING
    job._history_user = by
    job.save()


def _job_count(job_id: int, by, *, nomor: int | None, processed: int, created: int) -> None:
    """Count chunk ``nomor`` into the job, in the chunk's transaction and under the job's row lock
    (chunks committing at once in several workers add up). A chunk already counted — two deliveries
    of it ran at once, the other committed first — counts nothing (it created nothing either: the
    other delivery committed every employee of the chunk). The last chunk counted finishes the job,
    with its event."""
    job = PembukaanPeriode.objects.select_for_update().select_related("periode").get(pk=job_id)
    if nomor is not None:
        if nomor in job.chunks_dihitung:
            return
        job.chunks_dihitung = [*job.chunks_dihitung, nomor]
    job.diproses, job.dibuat, job.chunks_selesai = (
        job.diproses + processed,
        job.dibuat + created,
        job.chunks_selesai + 1,
    )
    if job.status != PembukaanPeriode.Status.DONE and job.chunks_selesai >= job.chunks:
        job.status, job.selesai = PembukaanPeriode.Status.DONE, timezone.now()
        audit_record(
            action=AuditAction.PERIOD_OPENING_FINISHED,
            obj=job.periode,
            by=by,
            after={"job": job.pk, "total": job.total, "created": job.dibuat},
        )
    elif job.status == PembukaanPeriode.Status.QUEUED:
        job.status = PembukaanPeriode.Status.RUNNING
    job._history_user = by
    job.save()
