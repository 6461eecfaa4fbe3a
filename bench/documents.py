"""Benchmark of the documents (PDF) on PostgreSQL.

    python -m bench.documents [--n 500] [--single 20] [--workers 1] [--database-url URL]

Builds a government with one OPD of --n staff and drives each appraisal through the services to a
published result (untimed setup, as ``bench.lifecycle`` does: 3 RHK, the midyear and annual
reviews, scored and published), then prints JSON with

  seconds_per_document        issuing one Dokumen Evaluasi Kinerja Pegawai (read its data, render the
                              PDF with its QR code, store it, write the audit event): median of
                              --single documents, after one untimed warm-up render; also mean/min/max,
                              the process's CPU seconds (cpu_seconds_per_document: what a shared,
                              busy machine does not distort), and the median of the two parts
                              (data_s: reading, render_s: WeasyPrint);
  pages_per_document          pages of one such PDF;
  zip_queue_ms                what the admin's request costs: queueing the package (the web worker is
                              free after this);
  zip_seconds, zip_documents_per_s
                              building the ZIP of the whole OPD (--n documents, all newly issued but
                              the --single + 1 above) in --workers real Celery worker processes on the
                              local Redis (db 15; BENCH_BROKER to change): chunk tasks of
                              KINERJA_DOKUMEN_CHUNK_SIZE appraisals, then the packing, from the request
                              until the job is done; --workers 0 runs it in-process;
  zip_bytes                   size of the ZIP.
The database named by --database-url is dropped and recreated.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

from bench.lifecycle import ROOT, _run_lifecycles, prepare_database, setup_django


def single_documents(skps, count: int) -> dict:
    """Seconds to issue one Dokumen Evaluasi Kinerja each for ``count`` appraisals (fresh issues)."""
    from workflow.models import JenisDokumen
    from workflow.selectors.dokumen import document_data
    from workflow.services.dokumen import dokumen_issue, dokumen_render

    jenis = JenisDokumen.EVALUASI_KINERJA
    warm = dokumen_issue(skp=skps[0], jenis=jenis)  # loads WeasyPrint, fonts and templates: untimed
    issue, cpu, data_s, render_s = [], [], [], []
    for skp in skps[1 : count + 1]:
        started, started_cpu = time.perf_counter(), time.process_time()
        dokumen_issue(skp=skp, jenis=jenis)
        issue.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    for skp in skps[1 : count + 1]:
        started = time.perf_counter()
        data = document_data(skp=skp, jenis=jenis)
        middle = time.perf_counter()
        dokumen_render(data=data, kode="BenchBenchBench0", issued=warm.diterbitkan)
        data_s.append(middle - started)
        render_s.append(time.perf_counter() - middle)
    pages = None
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", warm.berkas.path], capture_output=True, text=True).stdout
        pages = int(next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), 0)) or None
    return {
        "seconds_per_document": round(statistics.median(issue), 3),
        "cpu_seconds_per_document": round(statistics.median(cpu), 3),
        "seconds_per_document_mean": round(statistics.mean(issue), 3),
        "seconds_per_document_min": round(min(issue), 3),
        "seconds_per_document_max": round(max(issue), 3),
        "data_s": round(statistics.median(data_s), 3),
        "render_s": round(statistics.median(render_s), 3),
        "pages_per_document": pages,
        "single_documents": len(issue),
    }


def zip_package(periode, unit, workers: int) -> dict:
    """Queue a package of the OPD as the admin's page does and wait for it to be done."""
    from django.db import connections

    from workflow.models import JenisDokumen, PaketDokumen
    from workflow.services.dokumen import paket_queue
    from workflow.services.system import system_user

    by = system_user()
    connections.close_all()
    worker = None
    if workers:
        env = {**os.environ, "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER", "redis://127.0.0.1:6379/15")}
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "project", "worker", "-c", str(workers), "-l", "warning"]
            + ["--without-gossip", "--without-mingle", "-Q", "bench-dokumen,celery", "-n", "bench-dokumen@%h"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        from project.celery import app

        queue = {"task_default_queue": "bench-dokumen"}
        app.conf.update(broker_url=env["CELERY_BROKER_URL"], task_always_eager=False, **queue)
        app.control.purge()
        time.sleep(5)  # let the worker connect (and import Django)
    try:
        from django.db import transaction

        started = time.perf_counter()
        with transaction.atomic():  # the request's transaction: the task is sent when it commits
            job = paket_queue(periode=periode, unit=unit, jenis=JenisDokumen.EVALUASI_KINERJA, by=by)
        queued = time.perf_counter() - started
        while True:
            job.refresh_from_db()
            if job.finished:
                break
            if worker is not None and worker.poll() is not None:
                raise RuntimeError("the Celery worker stopped")
            time.sleep(0.25)
        elapsed = time.perf_counter() - started
        assert job.status == PaketDokumen.Status.DONE, (job.status, job.galat)
        return {
            "zip_queue_ms": round(queued * 1000, 1),
            "zip_seconds": round(elapsed, 1),
            "zip_documents": job.dokumen,
            "zip_documents_per_s": round(job.dokumen / elapsed, 2),
            "zip_bytes": job.berkas.size,
        }
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=500, help="employees of the OPD (published results)")
    parser.add_argument("--single", type=int, default=20, help="documents timed one by one")
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes (0: in-process)")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/kinerja_bench_documents")
    args = parser.parse_args()
    os.environ.setdefault("MEDIA_ROOT", str(ROOT / "var" / "bench-media"))
    prepare_database(args.database_url)
    setup_django(args.database_url)

    from workflow.models import Skp, Unit

    setup_started = time.perf_counter()
    _run_lifecycles(args.n, kode="DOK")
    skps = list(
        Skp.objects.filter(pegawai__instansi__kode="DOK").select_related(
            "pegawai__instansi", "pegawai__jabatan", "periode", "penilai__unit", "hasil"
        )
    )
    setup_s = time.perf_counter() - setup_started
    single = single_documents(skps, min(args.single, len(skps) - 1))
    periode = skps[0].periode
    unit = Unit.objects.get(kode="DOK-OPD")
    # The package issues every document anew but the --single + 1 issued above, which it reuses.
    result = {**single, **zip_package(periode, unit, args.workers)}
    result.update({"n": args.n, "workers": args.workers, "setup_s": round(setup_s, 1)})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
