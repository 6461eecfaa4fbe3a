"""Opening a period survives a Celery worker killed mid-job: the chunk it was running is delivered
again (acks late, a short broker visibility timeout), progress is counted in each chunk's own
transaction, and the job reaches "done" by itself with every appraisal counted once."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count

from tests.factories import JabatanFactory, PegawaiFactory
from tests.helpers import celery_worker, database_url, redis_or_skip, stop_group
from workflow.models import AuditChainHead, PembukaanPeriode, Skp
from workflow.services.audit import ADVISORY_LOCK_KEY
from workflow.services.period_open import employees_to_open, period_open, period_open_chunk

BROKER = "redis://127.0.0.1:6379/5"
STAFF = 120
CHUNK = 10


@pytest.fixture
def broker():
    client = redis_or_skip(BROKER, flush=True)
    yield
    client.flushdb()


def worker_mid_chunk() -> bool:
    """Another connection to the test database has been inside a transaction for a while: a chunk
    is being written and not committed yet. (Clock time, not now(): the caller may be inside a
    transaction of its own, whose now() stands still.)"""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # the view is a snapshot per transaction
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND xact_start < clock_timestamp() - interval '150 milliseconds'"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db
def test_a_chunk_delivered_again_after_it_committed_counts_nothing_twice(org, periode, settings):
    """A worker that dies after a chunk committed but before acknowledging it: the broker delivers
    the chunk again, which finds itself counted."""
    settings.KINERJA_OPEN_CHUNK_SIZE = 4
    job = period_open(periode=periode, by=None)  # not committed in this test: the chunks are run by hand
    ids = list(employees_to_open(periode).values_list("pk", flat=True))
    chunks = [ids[:4], ids[4:]]
    assert period_open_chunk(job_id=job.pk, pegawai_ids=chunks[0], by=None, nomor=0) == 4
    assert period_open_chunk(job_id=job.pk, pegawai_ids=chunks[0], by=None, nomor=0) == 0
    job.refresh_from_db()
    assert (job.status, job.chunks_selesai, job.diproses, job.dibuat) == ("running", 1, 4, 4)
    period_open_chunk(job_id=job.pk, pegawai_ids=chunks[1], by=None, nomor=1)
    period_open_chunk(job_id=job.pk, pegawai_ids=chunks[1], by=None, nomor=1)
    job.refresh_from_db()
    assert len(ids) == 6
    assert (job.status, job.chunks, job.chunks_selesai, job.diproses, job.dibuat) == ("done", 2, 2, 6, 6)
    assert Skp.objects.filter(periode=periode).count() == 6


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_opening_leaves_a_job_that_finishes_by_itself(org, periode, broker, tmp_path):
    staff = JabatanFactory(instansi=org.instansi)
    PegawaiFactory.create_batch(STAFF, instansi=org.instansi, unit=org.seksi, jabatan=staff)
    employees = employees_to_open(periode).count()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": BROKER,
        "CELERY_VISIBILITY_TIMEOUT": "5",
        "KINERJA_OPEN_CHUNK_SIZE": str(CHUNK),
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "KINERJA_VAR_DIR": str(tmp_path),
    }
    subprocess.run(
        [sys.executable, "manage.py", "open_period", "--instansi", org.instansi.kode, "--tahun", "2026"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    job = PembukaanPeriode.objects.get(periode=periode)
    assert (job.total, job.chunks, job.status) == (employees, -(-employees // CHUNK), PembukaanPeriode.Status.QUEUED)

    first = celery_worker(env, "first")
    try:
        deadline = time.monotonic() + 90
        while job.chunks_selesai < 2:  # two chunks committed and counted
            assert time.monotonic() < deadline, f"no progress: {job.chunks_selesai}/{job.chunks} chunks"
            assert first.poll() is None, first.stdout.read().decode()[-2000:]
            time.sleep(0.02)
            job.refresh_from_db()
        # Hold the audit chain's head: the chunk running now writes its appraisals, then waits for the
        # head at the end of its transaction — so the kill lands inside a chunk on any machine speed.
        with transaction.atomic(), connection.cursor() as cursor:
            AuditChainHead.objects.select_for_update().filter(pk=1).first()  # the head, or (flushed) the
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])  # lock that recreates it
            while not worker_mid_chunk():
                assert time.monotonic() < deadline, "the worker never started another chunk"
                time.sleep(0.02)
            os.killpg(first.pid, signal.SIGKILL)  # the worker and its child die mid-chunk: no ack, no cleanup
            first.wait(10)
    finally:
        stop_group(first)
    job.refresh_from_db()
    assert 2 <= job.chunks_selesai < job.chunks and job.status == PembukaanPeriode.Status.RUNNING

    second, started = celery_worker(env, "second"), time.monotonic()
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.status == PembukaanPeriode.Status.DONE:
                break
            assert second.poll() is None, second.stdout.read().decode()[-2000:]
            time.sleep(0.5)
    finally:
        stop_group(second)
    print(f"the second worker finished the job in {time.monotonic() - started:.1f} s")
    job.refresh_from_db()
    assert job.status == PembukaanPeriode.Status.DONE, f"job stuck at {job.chunks_selesai}/{job.chunks} chunks"
    assert (job.chunks_selesai, job.diproses, job.dibuat) == (job.chunks, employees, employees)
    skps = Skp.objects.filter(periode=periode)
    assert skps.count() == employees
    assert not skps.values("pegawai").annotate(n=Count("pk")).filter(n__gt=1).exists()
