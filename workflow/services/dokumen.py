"""Issuing documents (PDF) and packing them into ZIP files for the admins.

``dokumen_issue`` hands out the current document of a kind for an appraisal: the stored one while
the appraisal still shows what it printed, otherwise a new one (new code, new hash) that supersedes
it. Each issue is an audit event carrying the code and the SHA-256 of the PDF. ``paket_queue`` and
``paket_run`` build a ZIP of a period's documents (one OPD, or the whole government) in a Celery
task (``workflow.tasks.dokumen_paket``, enqueued by name like the period opening's chunks)."""

from __future__ import annotations

import logging
import os
import re
import tempfile
import unicodedata
import zipfile
from functools import cache

from celery import current_app
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..models import (
    AuditAction,
    Dokumen,
    JenisDokumen,
    PaketDokumen,
    Periode,
    Skp,
    StatusKeberatan,
    Unit,
)
from ..models.dokumen import AlasanPenggantian, new_kode
from ..pdf import qr_png_data_uri, render_pdf, sha256_hex
from ..selectors.dokumen import (
    LANGUAGE,
    DocumentUnavailable,
    current_document,
    document_data,
    documents_available,
    file_name_of,
    fingerprint_of,
    skp_for_package,
    summary_of,
)
from .audit import acting_as, audit_record
from .system import system_user

logger = logging.getLogger(__name__)

# The Celery tasks of a package: one per chunk of appraisals (``workflow.tasks.dokumen_paket_chunk``
# calls ``paket_chunk``), then the packing (``workflow.tasks.dokumen_paket`` calls ``paket_run``).
# Enqueued by name (the task module imports this one); queued messages carry the names: keep them.
PAKET_CHUNK_TASK = "workflow.tasks.dokumen_paket_chunk"
PAKET_TASK = "workflow.tasks.dokumen_paket"

TEMPLATES = {
    JenisDokumen.SKP: "workflow/dokumen/skp.html",
    JenisDokumen.EVALUASI_PERIODIK: "workflow/dokumen/evaluasi_periodik.html",
    JenisDokumen.EVALUASI_KINERJA: "workflow/dokumen/evaluasi_kinerja.html",
    JenisDokumen.KEPUTUSAN_KEBERATAN: "workflow/dokumen/keputusan_keberatan.html",
}


def verification_url(kode: str) -> str:
    return f"{settings.KINERJA_BASE_URL.rstrip('/')}/verifikasi/{kode}/"


# The print stylesheet of every document, handed to WeasyPrint once parsed (``pdf.render_pdf``)
# instead of inlined into each document's HTML.
STYLESHEET = "workflow/dokumen/a4.css"


@cache
def _stylesheet() -> str:
    return render_to_string(STYLESHEET)


def dokumen_render(*, data: dict, kode: str, issued) -> bytes:
    """The PDF of one document's ``data`` with its verification code, QR code and issue date."""
    url = verification_url(kode)
    with translation.override(LANGUAGE):
        html = render_to_string(
            TEMPLATES[data["jenis"]],
            {"d": data, "kode": kode, "url": url, "qr": qr_png_data_uri(url), "diterbitkan": issued},
        )
    return render_pdf(html, css=_stylesheet())


def dokumen_issue(*, skp: Skp, jenis: str, evaluasi_id: int | None = None, by=None) -> Dokumen:
    """The current document of ``jenis`` for ``skp`` (of the review ``evaluasi_id`` for a periodic
    evaluation): the stored one while its content still holds, else a newly issued one that
    supersedes it. Raises ``DocumentUnavailable`` when the appraisal has no such document yet."""
    data = document_data(skp=skp, jenis=jenis, evaluasi_id=evaluasi_id)
    sidik = fingerprint_of(data)
    current = current_document(skp, jenis, evaluasi_id)
    if current is not None and current.sidik_isi == sidik and current.berkas:
        return current
    kode, issued = new_kode(), timezone.now()
    pdf = dokumen_render(data=data, kode=kode, issued=issued)  # outside the transaction: it takes a while
    keberatan = getattr(skp, "keberatan", None)
    with transaction.atomic():
        # Two requests at once: the one that comes second finds the other's document and keeps it.
        current = (
            Dokumen.objects.select_for_update()
            .filter(skp=skp, jenis=jenis, evaluasi_id=evaluasi_id, digantikan_oleh__isnull=True)
            .first()
        )
        if current is not None and current.sidik_isi == sidik and current.berkas:
            return current
        doc = Dokumen(
            kode=kode,
            jenis=jenis,
            skp=skp,
            evaluasi_id=evaluasi_id,
            keberatan=keberatan if jenis == JenisDokumen.KEPUTUSAN_KEBERATAN else None,
            nama_berkas=file_name_of(data, jenis),
            sha256=sha256_hex(pdf),
            ukuran=len(pdf),
            sidik_isi=sidik,
            ringkasan=summary_of(data),
            diterbitkan=issued,
            diterbitkan_oleh=by if by is not None and by.is_authenticated else None,
        )
        doc.berkas.save(doc.nama_berkas, ContentFile(pdf), save=False)
        doc._history_user = doc.diterbitkan_oleh
        doc.save()
        if current is not None:
            appeal_changed = (
                keberatan is not None
                and keberatan.status == StatusKeberatan.DIUBAH
                and keberatan.diputuskan is not None
                and keberatan.diputuskan > current.diterbitkan
            )
            current.digantikan_oleh, current.digantikan = doc, issued
            current.alasan_penggantian = AlasanPenggantian.KEBERATAN if appeal_changed else AlasanPenggantian.DIUBAH
            current._history_user = doc.diterbitkan_oleh
            current.save(update_fields=["digantikan_oleh", "digantikan", "alasan_penggantian"])
        audit_record(
            action=AuditAction.DOCUMENT_ISSUED,
            obj=doc,
            by=by,
            after={
                "kode": kode,
                "jenis": jenis,
                "sha256": doc.sha256,
                "skp": skp.pk,
                "evaluasi": evaluasi_id,
                "menggantikan": current.kode if current is not None else None,
            },
        )
    return doc


# --- packages (ZIP) ----------------------------------------------------------------------------


def paket_queue(*, periode: Periode, unit: Unit | None, jenis: str, by, enqueue: bool = True) -> PaketDokumen:
    """Queue a ZIP of the documents of ``periode`` (of ``unit`` and below, or the whole government;
    ``jenis`` one kind, or "" for every document each appraisal has). Once the transaction commits,
    one Celery task per ``KINERJA_DOKUMEN_CHUNK_SIZE`` appraisals issues their documents (spread over
    the workers) and the last one to finish queues the packing (all in-process without a broker);
    ``enqueue=False`` leaves running them to the caller (the ``dokumen`` command)."""
    if unit is not None and unit.instansi_id != periode.instansi_id:
        raise ValidationError(_("The unit belongs to another government."))
    if jenis and jenis not in JenisDokumen.values:
        raise ValidationError(_("Unknown document type."))
    ids = list(skp_for_package(periode=periode, unit=unit).values_list("pk", flat=True))
    size = max(1, settings.KINERJA_DOKUMEN_CHUNK_SIZE)
    chunks = [ids[i : i + size] for i in range(0, len(ids), size)]
    job = PaketDokumen.objects.create(
        periode=periode,
        unit=unit,
        jenis=jenis,
        dibuat_oleh=by,
        bahasa=translation.get_language() or LANGUAGE,
        total=len(ids),
        chunks=len(chunks),
    )

    def send():
        # Looked up, not sent by name: a lookup runs eagerly without a broker (as period_open does).
        if not chunks:
            current_app.tasks[PAKET_TASK].delay(job.pk)
        for nomor, chunk in enumerate(chunks):
            current_app.tasks[PAKET_CHUNK_TASK].delay(job.pk, chunk, nomor)

    if enqueue:
        transaction.on_commit(send)
    return job


def paket_chunk(*, job_id: int, skp_ids: list[int], nomor: int) -> int:
    """Issue (or find current) the documents of one chunk of a package's appraisals, then count the
    chunk into the job; the last chunk counted queues the packing. Returns the documents issued or
    found. A chunk delivered again reuses the documents it issued and counts nothing twice."""
    job = PaketDokumen.objects.select_related("dibuat_oleh").get(pk=job_id)
    if job.finished or nomor in job.chunks_dihitung:
        return 0
    if job.status == PaketDokumen.Status.QUEUED:
        _update(job_id, status=PaketDokumen.Status.RUNNING)
    by = job.dibuat_oleh or system_user()
    count = 0
    with acting_as(by):
        for skp in skp_for_package(periode=job.periode_id, unit=None).filter(pk__in=skp_ids):
            count += len(_issue_all(skp, job.jenis, by))
    with transaction.atomic():
        job = PaketDokumen.objects.select_for_update().get(pk=job_id)
        if nomor in job.chunks_dihitung:
            return count
        job.chunks_dihitung = [*job.chunks_dihitung, nomor]
        job.chunks_selesai += 1
        job.diproses += len(skp_ids)
        job.save(update_fields=["chunks_dihitung", "chunks_selesai", "diproses"])
        if job.chunks_selesai >= job.chunks:
            transaction.on_commit(lambda: current_app.tasks[PAKET_TASK].delay(job_id))
    return count


def _issue_all(skp: Skp, jenis: str, by) -> list[Dokumen]:
    """The current documents of ``skp`` (of one kind if ``jenis``), issued where needed."""
    found = []
    for item in documents_available(skp):
        if jenis and item.jenis != jenis:
            continue
        try:
            found.append(dokumen_issue(skp=skp, jenis=item.jenis, evaluasi_id=item.evaluasi_id, by=by))
        except DocumentUnavailable:
            continue
    return found


def paket_run(*, job_id: int) -> PaketDokumen:
    """Pack a package: the current document of each kind of each appraisal (the chunks issued them;
    one that is missing or outdated is issued here) into a ZIP with a folder per employee, stored
    under the protected media. A finished job is left alone, so a redelivered task does no harm."""
    job = PaketDokumen.objects.select_related("periode__instansi", "unit", "dibuat_oleh").get(pk=job_id)
    if job.finished:
        return job
    by = job.dibuat_oleh or system_user()
    count = processed = 0
    handle, tmp_path = tempfile.mkstemp(suffix=".zip")
    os.close(handle)
    try:
        with acting_as(by), zipfile.ZipFile(tmp_path, "w", compression=zipfile.ZIP_STORED) as archive:
            appraisals = skp_for_package(periode=job.periode, unit=job.unit)
            issued = Dokumen.objects.filter(skp__in=appraisals.values("pk"), digantikan_oleh__isnull=True)
            current = {(doc.skp_id, doc.jenis, doc.evaluasi_id): doc for doc in issued}
            for skp in appraisals.iterator(chunk_size=100):
                folder = _folder_name(skp)
                for item in documents_available(skp):
                    if job.jenis and item.jenis != job.jenis:
                        continue
                    doc = current.get((skp.pk, item.jenis, item.evaluasi_id))
                    if doc is None:  # not issued by a chunk (an appraisal that reached this stage since)
                        try:
                            doc = dokumen_issue(skp=skp, jenis=item.jenis, evaluasi_id=item.evaluasi_id, by=by)
                        except DocumentUnavailable:
                            continue
                    with doc.berkas.open("rb") as stored:
                        archive.writestr(f"{folder}/{doc.nama_berkas}", stored.read())
                    count += 1
                processed += 1
        name = _package_name(job)
        with open(tmp_path, "rb") as zipped, transaction.atomic(), acting_as(by):
            job.refresh_from_db()
            job.berkas.save(name, File(zipped), save=False)
            job.nama_berkas, job.status, job.selesai = name, PaketDokumen.Status.DONE, timezone.now()
            job.diproses, job.dokumen = processed, count
            job.save()
            audit_record(
                action=AuditAction.DOCUMENT_PACKAGE_BUILT,
                obj=job.periode,
                by=by,
                after={"paket": job.pk, "unit": job.unit_id, "jenis": job.jenis, "dokumen": count, "skp": processed},
            )
    except Exception:  # the job must end visibly; the traceback goes to the log
        logger.exception("document package %s failed", job_id)
        _update(
            job_id,
            status=PaketDokumen.Status.FAILED,
            selesai=timezone.now(),
            galat=_("Building the package stopped on an unexpected error; the error was logged."),
        )
    finally:
        os.unlink(tmp_path)
    job.refresh_from_db()
    return job


def _update(job_id: int, **fields) -> None:
    # An operational record without history (like an import job): a plain UPDATE is right here.
    PaketDokumen.objects.filter(pk=job_id).update(**fields)


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    # No dot at either end: Windows drops a folder name's trailing dot.
    return re.sub(r"[^A-Za-z0-9.-]+", "_", text).strip("_.")[:80] or "x"


def _folder_name(skp: Skp) -> str:
    suffix = f"-{skp.urutan}" if skp.urutan > 1 else ""
    return f"{skp.pegawai.nip or 'tanpa-nip'}_{_ascii(skp.pegawai.nama)}{suffix}"


def _package_name(job: PaketDokumen) -> str:
    where = _ascii(job.unit.kode) if job.unit_id else _ascii(job.periode.instansi.kode)
    return f"dokumen_{job.periode.tahun}_{where}{'_' + job.jenis if job.jenis else ''}.zip"
