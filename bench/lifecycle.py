"""Benchmark of the appraisal lifecycle on PostgreSQL.

    python -m bench.lifecycle [--n 200] [--open 16000] [--workers 2] [--audit on|off|both] [--procs N]
                              [--rounds 4] [--database-url URL]

Prints JSON with
  lifecycles_per_s     full lifecycles (open → plan → approve → midyear → annual → scored → the OPD's
                       calibration → published, as the shipped rules run it: each scored result
                       waits, the first opens the OPD head's calibration task, and the head
                       publishes the whole OPD at the end, inside the timing),
                       driven through the services, with the audit trail (history rows and chained
                       events) on, or off with --audit off;
  with --audit both:   lifecycles_per_s_audit_on, lifecycles_per_s_audit_off (same run, a fresh
                       org each round) and audit_ratio = on / off (the share of
                       throughput the audit keeps; the target is >= 0.6, i.e. audit costs <= 40 %);
  bare_viewflow_per_s  the same human steps in a flow with no domain records, same run (the two
                       sides run in interleaved rounds after an untimed warm-up of each);
  ratio                lifecycles_per_s / bare_viewflow_per_s;
  cpu_ms_per_lifecycle, cpu_ms_per_bare_run
                       CPU milliseconds each run of a side used: "python" (the benchmark
                       process) and "database" (its PostgreSQL server process, read from /proc;
                       null when the server runs elsewhere); cpu_ratio = bare / lifecycle
                       (what the ratio would be if only CPU counted: on a busy machine the
                       two ratios agree);
  procs                both sides run in this many processes at once (each on its own organisation,
                       as the web server's workers would; default: one per core, --procs N to
                       choose) and the figures above are their total throughput;
  *_1proc              with procs > 1, the same figures measured in one process, same run;
  open_period_16k_s    seconds to open a period for --open employees with --workers real Celery
                       workers on the local Redis (0 workers: in-process).
The database named by --database-url is dropped and recreated.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def prepare_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["KINERJA_EXTRA_APPS"] = "bench"  # the baseline flow lives in bench/bare_flow.py
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    os.environ.setdefault("SECRET_KEY", "django-insecure-kinerja-bench-only")  # DEBUG is off, as in production
    # the audit anchor's line per committed write and Celery's per eager task would bury the figures
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_rules", str(ROOT / "config" / "rules"), stdout=open(os.devnull, "w"))  # noqa: SIM115


_SEQ = iter(range(10**7))


def build_org(n_staff: int, *, kode: str):
    """A government with one OPD, one bidang and enough seksi of 25 staff for ``n_staff`` people.
    Bulk-created: setup is not what is measured."""
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from workflow.models import Instansi, Jabatan, Pegawai, Unit
    from workflow.nip import make_nip

    instansi = Instansi.objects.create(kode=kode, nama=f"Pemerintah {kode}", jenis="provinsi")
    password = make_password("bench")

    def head(kode_unit, nama, jenis, parent, post_jenis):
        post = Jabatan.objects.create(instansi=instansi, nama=f"Kepala {nama}", jenis=post_jenis)
        return Unit.objects.create(
            instansi=instansi, kode=kode_unit, nama=nama, jenis=jenis, parent=parent, jabatan_kepala=post
        )

    def person(unit, jabatan, with_nip=True):
        n = next(_SEQ)
        # 10,080 distinct birth dates, then the sequence number: every NIP is unique.
        born = dt.date(1970 + n % 30, 1 + (n // 30) % 12, 1 + (n // 360) % 28)
        nip = make_nip(born, born.year + 25, 1 + n % 12, 1 + n % 2, (n // 10080) % 999 + 1) if with_nip else None
        return Pegawai(
            instansi=instansi,
            nip=nip,
            nama=f"Pegawai {n}",
            status_kepegawaian="PNS" if with_nip else "pejabat_negara",
            unit=unit,
            jabatan=jabatan,
        )

    root = head(f"{kode}-ROOT", "Pemerintah", "pemda", None, "kepala_daerah")
    opd = head(f"{kode}-OPD", "Dinas", "opd", root, "jpt_pratama")
    bidang = head(f"{kode}-B", "Bidang", "bidang", opd, "administrator")
    staff_post = Jabatan.objects.create(instansi=instansi, nama="Pelaksana", jenis="pelaksana")
    people = [
        person(root, root.jabatan_kepala, with_nip=False),
        person(opd, opd.jabatan_kepala),
        person(bidang, bidang.jabatan_kepala),
    ]
    for s in range(max(1, -(-n_staff // 25))):
        seksi = head(f"{kode}-S{s}", f"Seksi {s}", "seksi", bidang, "pengawas")
        people.append(person(seksi, seksi.jabatan_kepala))
        people += [person(seksi, staff_post) for _ in range(min(25, n_staff - 25 * s))]
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=p.nip or f"{kode}-kdh", password=password) for p in people]
    )
    for p, u in zip(people, users, strict=True):
        p.user = u
    Pegawai.objects.bulk_create(people)
    return instansi


def open_windows(periode) -> None:
    import datetime as dt

    for window in periode.jendela_set.all():
        # a periodic window reviews the months before it opens: one day after the SKP starts, it applies
        window.dibuka = dt.date(periode.tahun, 1, 2)
        window.save()


def run_lifecycles(n: int, *, kode: str = "LIFE", audit: bool = True, ready=None) -> float:
    """Seconds for ``n`` full lifecycles through the services, with or without the audit trail.
    ``ready`` is called once the (untimed) setup is done, just before the clock starts."""
    from contextlib import nullcontext

    from workflow.services.audit import audit_disabled

    with nullcontext() if audit else audit_disabled():
        return _run_lifecycles(n, kode=kode, ready=ready)


def _run_lifecycles(n: int, *, kode: str, ready=None) -> float:
    from workflow.models import JenisRhk, Kalibrasi, NilaiPerilaku, Pegawai, Skp, Unit
    from workflow.selectors.kalibrasi import calibration_unit
    from workflow.selectors.org import OrgSnapshot
    from workflow.services import appraisal as svc
    from workflow.services.kalibrasi import kalibrasi_publish
    from workflow.services.period import periode_create

    instansi = build_org(n, kode=kode)
    periode = periode_create(instansi=instansi, tahun=2026)
    open_windows(periode)
    snap = OrgSnapshot.load(instansi)
    staff = list(
        Pegawai.objects.filter(instansi=instansi, jabatan__jenis="pelaksana").select_related("user", "unit", "jabatan")[
            :n
        ]
    )
    rows = [
        svc.RhkInput(
            jenis=JenisRhk.UTAMA, teks=f"Hasil kerja {i}", indikator="Persentase layanan", target="95", satuan="%"
        )
        for i in range(3)
    ]
    expectations = dict.fromkeys(NilaiPerilaku.values, "Ekspektasi")
    perilaku = {v: svc.FeedbackInput("", "sesuai") for v in NilaiPerilaku.values}
    if ready is not None:
        ready()
    started = time.perf_counter()
    for pegawai in staff:
        skp = svc.appraisal_open(pegawai=pegawai, periode=periode, snap=snap)
        assessor = skp.penilai.user
        svc.plan_submit(skp=skp, by=pegawai.user, pendekatan="kuantitatif", rows=rows)
        svc.plan_decide(skp=skp, by=assessor, approve=True, expectations=expectations)
        rhk = list(skp.rhk_set.all())
        done = [svc.RealisasiInput(rhk_id=r.pk, realisasi="Capaian") for r in rhk]
        svc.self_review_submit(skp=skp, by=pegawai.user, rows=done)
        svc.review_submit(skp=skp, by=assessor, rhk_feedback={}, perilaku={})
        svc.self_review_submit(skp=skp, by=pegawai.user, rows=done, final=True)
        ratings = {r.pk: svc.FeedbackInput("", "di_atas") for r in rhk}
        svc.final_review_submit(skp=skp, by=assessor, rhk_feedback=ratings, perilaku=perilaku)
        skp.refresh_from_db(fields=["status"])
        assert skp.status in ("dinilai", "dipublikasikan"), skp.status
    # Under ``publikasi: setelah_kalibrasi`` (the shipped policy) the results wait for the OPD's
    # calibration: its head publishes them all at once, which completes the calibration task.
    waiting = Skp.objects.filter(periode=periode, status="dinilai").select_related("pegawai", "periode").first()
    if waiting is not None:
        unit = calibration_unit(waiting) or Unit.objects.get(instansi=instansi, jenis="opd")
        head = snap.holders[unit.jabatan_kepala_id]
        versi = Kalibrasi.objects.filter(periode=periode, unit=unit).values_list("versi", flat=True).first() or 0
        kalibrasi_publish(periode=periode, unit=unit, versi=versi, by=head.user)
    assert not Skp.objects.filter(periode=periode).exclude(status="dipublikasikan").exists()
    return time.perf_counter() - started


def run_bare(n: int, ready=None) -> float:
    """Seconds for ``n`` runs of a flow with the same human steps and no domain records."""
    from django.contrib.auth import get_user_model

    from bench.bare_flow import BARE_STEPS, BareFlow
    from workflow.services.tasks import task_execution

    user, _created = get_user_model().objects.get_or_create(username="bare-bench")
    if ready is not None:
        ready()
    started = time.perf_counter()
    for _ in range(n):
        process = BareFlow.start.run(user=user)
        for node in BARE_STEPS:
            with task_execution(process_pk=process.pk, node=node, by=user):
                pass
    return time.perf_counter() - started


def cpu_seconds() -> tuple[float, float | None]:
    """CPU seconds used so far by this process, and by the PostgreSQL server process serving its
    connection (``None`` when that process is not on this machine, or not PostgreSQL)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    own = usage.ru_utime + usage.ru_stime
    from django.db import connection

    if connection.vendor != "postgresql":
        return own, None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:  # /proc/<pid>/stat: utime and stime are the 14th and 15th fields, after the "(name)"
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return own, None
    return own, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _timed(side: str, n: int, kode: str, audit: bool, ready) -> tuple[float, float, float | None]:
    """Seconds for ``n`` runs of ``side``, and the CPU seconds they used (own, database server)."""
    start: list = []

    def go():
        if ready is not None:
            ready()
        start.append(cpu_seconds())

    seconds = run_bare(n, ready=go) if side == "bare" else run_lifecycles(n, kode=kode, audit=audit, ready=go)
    (own0, db0), (own1, db1) = start[0], cpu_seconds()
    return seconds, own1 - own0, None if db0 is None or db1 is None else db1 - db0


_BLOCK = 100_000  # sequence numbers (hence NIPs) reserved for each benchmark process


def _child(side: str, n: int, kode: str, audit: bool, barrier, results, seq_from: int) -> None:
    global _SEQ
    _SEQ = iter(range(seq_from, seq_from + _BLOCK))  # NIPs of its own, distinct from its siblings'
    try:
        results.put(_timed(side, n, kode, audit, barrier.wait)[1:])
    except BaseException as exc:  # reported to the parent, which fails the run
        barrier.abort()
        results.put(repr(exc))


def run_side(side: str, n: int, *, kode: str, audit: bool = True, procs: int = 1) -> tuple[float, float, float | None]:
    """Wall-clock seconds for ``n`` runs of one side ("bare", or lifecycles), split over ``procs``
    processes that start together once each has set up its own organisation; and the CPU seconds
    the runs used in all (the benchmark processes', their database server processes')."""
    if procs <= 1:
        return _timed(side, n, kode, audit, None)
    import multiprocessing

    from django.db import connections

    connections.close_all()  # each child opens its own connection
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(procs + 1), ctx.Queue()
    global _SEQ
    base = next(_SEQ)
    _SEQ = iter(range(base + procs * _BLOCK, 10**7))
    sizes = [n // procs + (1 if i < n % procs else 0) for i in range(procs)]
    children = [
        ctx.Process(target=_child, args=(side, size, f"{kode}P{i}", audit, barrier, results, base + i * _BLOCK))
        for i, size in enumerate(sizes)
        if size
    ]
    for child in children:
        child.start()
    try:
        barrier.wait()  # every child is set up: start the clock
    except threading.BrokenBarrierError:
        raise RuntimeError(f"a benchmark process failed: {results.get()}") from None
    started = time.perf_counter()
    reports = [results.get() for _ in children]
    elapsed = time.perf_counter() - started
    for child in children:
        child.join()
    errors = [r for r in reports if isinstance(r, str)]
    if errors:
        raise RuntimeError(f"a benchmark process failed: {errors[0]}")
    db = [d for _own, d in reports]
    return elapsed, sum(own for own, _d in reports), None if None in db else sum(db)


def run_open_period(n: int, workers: int, url: str) -> float:
    """Seconds to open a period for ``n`` employees, with real Celery workers when ``workers`` > 0."""
    from django.db import connections

    from workflow.models import PembukaanPeriode
    from workflow.services.period import periode_create
    from workflow.services.period_open import period_open

    # n employees in all: staff plus one head per seksi of 25 and the two heads above them.
    instansi = build_org(-(-(n - 2) * 25 // 26), kode="OPEN")
    periode = periode_create(instansi=instansi, tahun=2026)
    connections.close_all()
    worker = None
    if workers:
        env = {**os.environ, "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER", "redis://127.0.0.1:6379/15")}
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "project",
                "worker",
                "-c",
                str(workers),
                "-l",
                "warning",
                "--without-gossip",
                "--without-mingle",
                "-Q",
                "bench-open",
                "-n",
                "bench@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        from project.celery import app

        app.conf.update(broker_url=env["CELERY_BROKER_URL"], task_always_eager=False, task_default_queue="bench-open")
        app.control.purge()
        time.sleep(3)  # let the worker connect
    try:
        started = time.perf_counter()
        job = period_open(periode=periode, by=None)
        while True:
            job.refresh_from_db()
            if job.status == PembukaanPeriode.Status.DONE:
                break
            if worker is not None and worker.poll() is not None:
                raise RuntimeError("the Celery worker stopped")
            time.sleep(0.5)
        elapsed = time.perf_counter() - started
        assert job.dibuat == job.total >= n, (job.dibuat, job.total, n)
        return elapsed
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(30)


def measure(n: int, modes: list[str], rounds: int, procs: int) -> tuple[dict[str, float], dict[str, dict]]:
    """Runs per second of each side ("on"/"off" lifecycles, "bare"), ``n`` of each in interleaved
    rounds, with ``procs`` processes at once; and each side's CPU milliseconds per run."""
    sides = [*modes, "bare"]
    seconds = dict.fromkeys(sides, 0.0)
    own = dict.fromkeys(sides, 0.0)
    db: dict[str, float | None] = dict.fromkeys(sides, 0.0)
    rounds = max(1, min(rounds, n))
    for r in range(rounds):
        size = n // rounds + (1 if r < n % rounds else 0)
        for side in sides if r % 2 == 0 else reversed(sides):
            elapsed, cpu_own, cpu_db = run_side(
                side, size, kode=f"L{side.upper()}{procs}P{r}", audit=side == "on", procs=procs
            )
            seconds[side] += elapsed
            own[side] += cpu_own
            db[side] = None if cpu_db is None or db[side] is None else db[side] + cpu_db
    cpu = {
        side: {
            "python": round(1000 * own[side] / n, 1),
            "database": None if db[side] is None else round(1000 * db[side] / n, 1),
        }
        for side in sides
    }
    return {side: n / secs for side, secs in seconds.items()}, cpu


def _cpu_total(cpu: dict) -> float:
    return cpu["python"] + (cpu["database"] or 0.0)


def _figures(rates: dict[str, float], modes: list[str], *, suffix: str, cpu: dict[str, dict]) -> dict:
    life, bare = rates[modes[0]], rates["bare"]
    figures = {
        f"lifecycles_per_s{suffix}": round(life, 2),
        f"bare_viewflow_per_s{suffix}": round(bare, 2),
        f"ratio{suffix}": round(life / bare, 3),
        f"cpu_ms_per_lifecycle{suffix}": cpu[modes[0]],
        f"cpu_ms_per_bare_run{suffix}": cpu["bare"],
        f"cpu_ratio{suffix}": round(_cpu_total(cpu["bare"]) / _cpu_total(cpu[modes[0]]), 3),
    }
    if len(modes) == 2:
        figures |= {
            f"lifecycles_per_s_audit_on{suffix}": round(rates["on"], 2),
            f"lifecycles_per_s_audit_off{suffix}": round(rates["off"], 2),
            f"audit_ratio{suffix}": round(rates["on"] / rates["off"], 3),
            f"cpu_ms_per_lifecycle_audit_off{suffix}": cpu["off"],
        }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200, help="lifecycles to run")
    parser.add_argument("--open", type=int, default=16000, help="employees for the period opening")
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes (0: in-process)")
    parser.add_argument(
        "--audit",
        choices=["on", "off", "both"],
        default="on",
        help="history rows and audit events during the lifecycles (both: measure each)",
    )
    parser.add_argument("--rounds", type=int, default=4, help="interleaved rounds per side")
    parser.add_argument(
        "--procs",
        type=int,
        default=os.cpu_count() or 1,
        help="processes running lifecycles (and bare runs) at once, as the web server's workers "
        "would (default: one per core); figures are their total throughput. With more than "
        "one, the single-process figures are measured as well (*_1proc)",
    )
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/kinerja_bench")
    args = parser.parse_args()
    prepare_database(args.database_url)
    setup_django(args.database_url)
    # Interleaved rounds after an untimed warm-up of each side, so a busy machine, a cold cache or
    # a growing database does not favour one side: (life, bare), (bare, life), ...
    modes = ["on", "off"] if args.audit == "both" else [args.audit]
    for mode in modes:
        run_lifecycles(5, kode=f"WARM{mode.upper()}", audit=mode == "on")
    run_bare(5)
    concurrency = [args.procs, 1] if args.procs > 1 else [1]
    measured = {procs: measure(args.n, modes, args.rounds, procs) for procs in concurrency}
    open_s = run_open_period(args.open, args.workers, args.database_url) if args.open else None
    result = {
        **_figures(measured[args.procs][0], modes, suffix="", cpu=measured[args.procs][1]),
        f"open_period_{args.open // 1000}k_s" if args.open else "open_period_s": round(open_s, 1) if open_s else None,
        **(_figures(measured[1][0], modes, suffix="_1proc", cpu=measured[1][1]) if args.procs > 1 else {}),
        "audit": args.audit,
        "n": args.n,
        "procs": args.procs,
        "open_employees": args.open,
        "workers": args.workers,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
