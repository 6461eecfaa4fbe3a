"""Celery tasks of the workflow app."""

from celery import shared_task
from django.contrib.auth import get_user_model

from .services.audit import acting_as
from .services.capaian import CAPAIAN_CHUNK_TASK, capaian_tasks_chunk
from .services.deadlines import run_timers as sweep
from .services.dokumen import PAKET_CHUNK_TASK, PAKET_TASK, paket_chunk, paket_run
from .services.kalibrasi import RELEASE_TASK, kalibrasi_release
from .services.org_import_job import org_import_job_run
from .services.period_open import OPEN_CHUNK_TASK, period_open_chunk
from .services.system import system_user


# Acknowledged only when done, and given back to the broker when its worker process dies: a chunk
# cut off by a crash runs again (its writes and its count are one transaction, so nothing doubles).
# ``services.period_open`` enqueues it by this name (it cannot import this module, which imports it).
@shared_task(name=OPEN_CHUNK_TASK, acks_late=True, reject_on_worker_lost=True)
def open_period_chunk(job_id: int, pegawai_ids: list[int], by_id: int | None = None, nomor: int | None = None) -> int:
    by = get_user_model().objects.filter(pk=by_id).first() if by_id else system_user()
    with acting_as(by):
        return period_open_chunk(job_id=job_id, pegawai_ids=pegawai_ids, by=by, nomor=nomor)


# Like the period's opening chunks: acknowledged when done, redelivered when its worker dies; a
# chunk already counted does nothing (``services.capaian.capaian_tasks_chunk``).
@shared_task(name=CAPAIAN_CHUNK_TASK, acks_late=True, reject_on_worker_lost=True)
def open_capaian_chunk(job_id: int, unit_ids: list[int], by_id: int | None = None, nomor: int = 0) -> int:
    by = get_user_model().objects.filter(pk=by_id).first() if by_id else system_user()
    with acting_as(by):
        return capaian_tasks_chunk(job_id=job_id, unit_ids=unit_ids, by=by, nomor=nomor)


@shared_task(acks_late=True)
def org_import_job(job_id: int) -> None:
    """Read, check and write one uploaded organisation file (``ImporOrganisasi``)."""
    org_import_job_run(job_id=job_id)


# A redelivered chunk reuses the documents it issued and counts nothing twice; a redelivered packing
# starts over, or does nothing once the package is done.
@shared_task(name=PAKET_CHUNK_TASK, acks_late=True, reject_on_worker_lost=True)
def dokumen_paket_chunk(job_id: int, skp_ids: list[int], nomor: int) -> int:
    """Issue the documents of one chunk of a package's appraisals (``PaketDokumen``)."""
    return paket_chunk(job_id=job_id, skp_ids=skp_ids, nomor=nomor)


@shared_task(name=PAKET_TASK, acks_late=True, reject_on_worker_lost=True)
def dokumen_paket(job_id: int) -> None:
    """Pack the documents of a package into its ZIP."""
    paket_run(job_id=job_id)


@shared_task
def run_timers() -> dict:
    """Fire viewflow's due timers and sweep task deadlines (scheduled by Celery beat)."""
    with acting_as(system_user()):
        return sweep()


@shared_task(name=RELEASE_TASK, acks_late=True, reject_on_worker_lost=True)
def kalibrasi_release_chunk(skp_ids: list[int]) -> int:
    """Publish one chunk of a calibrated unit's waiting results (rerunnable)."""
    with acting_as(system_user()):
        return kalibrasi_release(skp_ids=skp_ids)
