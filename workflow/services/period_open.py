"""Opening a period: one appraisal process per active employee, created by Celery in chunks."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Pegawai, PembukaanPeriode, Periode, StatusKepegawaian, StatusPeriode, Unit
from ..selectors.org import OrgSnapshot
from .appraisal import appraisal_open

CHUNK_SIZE = 250


def employees_to_open(periode: Periode, unit: Unit | None = None):
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
    return qs.order_by("pk")


def period_open(*, periode: Periode, by, unit: Unit | None = None) -> PembukaanPeriode:
    """Open ``periode`` (for a unit subtree if given) and queue the creation of the processes.
    Without a broker the chunks run in-process before this returns."""
    from django.core.exceptions import ValidationError

    from ..tasks import open_period_chunk

    if periode.status == StatusPeriode.CLOSED:
        raise ValidationError(_("This period is closed; it cannot be opened again."))
    if unit is not None and unit.instansi_id != periode.instansi_id:
        raise ValidationError(_("The unit belongs to another government."))
    ids = list(employees_to_open(periode, unit).values_list("pk", flat=True))
    chunks = [ids[i : i + CHUNK_SIZE] for i in range(0, len(ids), CHUNK_SIZE)]
    with transaction.atomic():
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

    def enqueue():
        for chunk in chunks:
            open_period_chunk.delay(job.pk, chunk, by.pk if by else None)

    transaction.on_commit(enqueue)
    return job


def period_open_chunk(*, job_id: int, pegawai_ids: list[int], by) -> int:
    """Create the appraisals of one chunk; returns how many were new. Idempotent."""
    job = PembukaanPeriode.objects.select_related("periode").get(pk=job_id)
    PembukaanPeriode.objects.filter(pk=job_id, status=PembukaanPeriode.Status.QUEUED).update(
        status=PembukaanPeriode.Status.RUNNING
    )
    snap = OrgSnapshot.load(job.periode.instansi_id)
    created = 0
    people = Pegawai.objects.filter(pk__in=pegawai_ids).select_related("unit", "jabatan", "user")
    for pegawai in people:
        if appraisal_open(pegawai=pegawai, periode=job.periode, snap=snap, by=by) is not None:
            created += 1
    PembukaanPeriode.objects.filter(pk=job_id).update(
        diproses=F("diproses") + len(pegawai_ids), dibuat=F("dibuat") + created, chunks_selesai=F("chunks_selesai") + 1
    )
    PembukaanPeriode.objects.filter(pk=job_id, chunks_selesai=F("chunks")).update(
        status=PembukaanPeriode.Status.DONE, selesai=timezone.now()
    )
    return created
