"""Organisation imports run in the background: the upload is stored as a job, a Celery task
(in-process without a broker, like period opening) reads, checks and writes it, and the job row
carries the progress and the outcome for the admin's progress page."""

from __future__ import annotations

import logging

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..models import ImporOrganisasi, Instansi
from .audit import acting_as
from .org_import import ImportReport, OrgImportError, org_import, read_rows
from .system import system_user

logger = logging.getLogger(__name__)

# The progress page lists at most this many problems (the count says how many there were).
MAX_ERRORS_KEPT = 1000


def org_import_queue(*, instansi: Instansi, filename: str, data: bytes, dry_run: bool, by) -> ImporOrganisasi:
    """Store an uploaded organisation file as a queued import job of ``instansi``; the caller
    enqueues ``workflow.tasks.org_import_job`` for it once the transaction commits."""
    return ImporOrganisasi.objects.create(
        instansi=instansi,
        diimpor_oleh=by,
        nama_berkas=filename[:255],
        berkas=data,
        uji_coba=dry_run,
        bahasa=translation.get_language() or "id",
    )


def org_import_job_run(*, job_id: int) -> None:
    """Run one import job to its end: done with the report's counts, or refused with every problem
    (row numbers included) and nothing written. A job that already ended is left alone, so a
    redelivered task does no harm; one that was interrupted starts over (the import is an upsert)."""
    job = ImporOrganisasi.objects.select_related("instansi", "diimpor_oleh").get(pk=job_id)
    if job.finished:
        return
    _update(job_id, status=ImporOrganisasi.Status.VALIDATING, divalidasi=0, total=0, ditulis=0)
    by = job.diimpor_oleh or system_user()
    with translation.override(job.bahasa), acting_as(by):
        try:
            report = org_import(
                instansi=job.instansi,
                rows=read_rows(bytes(job.berkas), job.nama_berkas),
                by=by,
                dry_run=job.uji_coba,
                progress=_JobProgress(job_id),
            )
        except OrgImportError as exc:
            _finish(
                job_id, ImporOrganisasi.Status.FAILED, galat=exc.errors[:MAX_ERRORS_KEPT], jumlah_galat=len(exc.errors)
            )
            return
        except Exception:  # the job must end visibly; the traceback goes to the log
            logger.exception("organisation import job %s failed", job_id)
            _finish(
                job_id,
                ImporOrganisasi.Status.FAILED,
                jumlah_galat=1,
                galat=[_("The import stopped on an unexpected error and nothing was written; the error was logged.")],
            )
            return
    _finish(job_id, ImporOrganisasi.Status.DONE, hasil=report.as_dict(), divalidasi=report.rows)


def job_report(job: ImporOrganisasi) -> ImportReport | None:
    """The finished job's report (its summary is worded in the reader's language)."""
    return ImportReport.from_dict(job.hasil) if job.hasil else None


class _JobProgress:
    """Receives ``org_import``'s progress and keeps the job row up to date."""

    def __init__(self, job_id: int):
        self.job_id = job_id

    def __call__(self, stage: str, count: int) -> None:
        if stage == "validated":
            _update(self.job_id, divalidasi=count)
        elif stage == "writing":
            _update(self.job_id, status=ImporOrganisasi.Status.WRITING, total=count)
        elif stage == "written":
            _update_beside_transaction(self.job_id, ditulis=count)


def _update(job_id: int, **fields) -> None:
    # The job keeps no history (an operational record), so a plain UPDATE is right here.
    ImporOrganisasi.objects.filter(pk=job_id).update(**fields)


def _update_beside_transaction(job_id: int, *, ditulis: int) -> None:
    """Count written rows from inside the import's transaction: on PostgreSQL through a connection
    of its own, so the progress page sees the count before the import commits. SQLite has a single
    writer (the import itself): there the count shows when the job ends."""
    if connection.vendor != "postgresql":
        return
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        table = side.ops.quote_name(ImporOrganisasi._meta.db_table)
        with side.cursor() as cursor:
            cursor.execute(f'UPDATE {table} SET "ditulis" = %s WHERE "id" = %s', [ditulis, job_id])  # noqa: S608
    finally:
        side.close()


def _finish(job_id: int, status: str, **fields) -> None:
    if status == ImporOrganisasi.Status.DONE:
        fields["ditulis"] = F("total")
    _update(job_id, status=status, selesai=timezone.now(), berkas=b"", **fields)
