"""Benchmark of the REST API on PostgreSQL behind gunicorn.

    python -m bench.api [--extra 16000] [--requests 300] [--concurrency 4] [--gunicorn-workers 2]
                        [--actions 100] [--no-demo] [--database-url URL]

Builds (untimed) the demo organisation (``seed_demo``) plus a government of --extra employees
whose 2026 period is opened (an SKP each), with --actions plans submitted to their assessors; issues
tokens to an assessor (act_tasks) and to an admin of that government (read_results); starts
gunicorn (--gunicorn-workers processes, DEBUG off, as in production) and prints JSON with, for each
endpoint, p50/p95 latency in milliseconds and requests per second over --requests requests sent by
--concurrency client threads:

  floor          GET /api/v1/me/ (the cheapest authenticated endpoint: the framework's floor)
  my_tasks       GET /api/v1/tasks/ of an assessor with 25 plans waiting
  opd_results    GET /api/v1/appraisals/?opd=<id>&page_size=100 (one page of 100 of an OPD of --extra)
  task_action    POST /api/v1/tasks/<id>/ approving a plan (--actions requests, each on its own task)

The database named by --database-url is dropped and recreated.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

from bench.lifecycle import ROOT, build_org, prepare_database, setup_django


def build(extra: int, actions: int, demo: bool) -> dict:
    """The data and the tokens (untimed)."""
    from django.core.management import call_command
    from django.db import connections

    from workflow.models import JenisRhk, NilaiPerilaku, Pegawai, PeranAdmin, Skp, Unit
    from workflow.services import appraisal as svc
    from workflow.services.api_token import api_token_issue
    from workflow.services.period import periode_create
    from workflow.services.period_open import period_open

    started = time.perf_counter()
    if demo:
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    instansi = build_org(extra, kode="APIB")
    instansi.rhk_atasan_wajib = False
    instansi.save()
    periode = periode_create(instansi=instansi, tahun=2026)
    period_open(periode=periode, by=None)  # in-process (no broker): chunked like the workers do
    assert Skp.objects.filter(periode=periode).count() >= extra
    rows = [
        svc.RhkInput(jenis=JenisRhk.UTAMA, teks=f"Hasil kerja {i}", indikator="Persentase", target="95", satuan="%")
        for i in range(3)
    ]
    seksi = list(Unit.objects.filter(instansi=instansi, jenis="seksi").order_by("pk"))
    # the assessor whose inbox is read: 25 plans waiting; then --actions more plans for the actions
    waiting_units = seksi[: 1 + -(-actions // 25)]
    submitted = 0
    for unit in waiting_units:
        for pegawai in Pegawai.objects.filter(unit=unit, jabatan__jenis="pelaksana").select_related("user"):
            skp = Skp.objects.get(periode=periode, pegawai=pegawai)
            svc.plan_submit(skp=skp, by=pegawai.user, pendekatan="kuantitatif", rows=rows)
            submitted += 1
    reader_head = Pegawai.objects.get(unit=waiting_units[0], jabatan=waiting_units[0].jabatan_kepala)
    actors = [Pegawai.objects.get(unit=u, jabatan=u.jabatan_kepala).user for u in waiting_units[1:]]
    admin_user = Pegawai.objects.get(unit__jenis="opd", instansi=instansi).user
    PeranAdmin.objects.create(user=admin_user, instansi=instansi)
    scopes = ["read_results", "read_progress", "act_tasks"]
    tokens = {
        "reader": api_token_issue(by=None, instansi=instansi, scopes=scopes, user=reader_head.user)[1],
        "admin": api_token_issue(by=None, instansi=instansi, scopes=scopes, user=admin_user)[1],
        "actors": [api_token_issue(by=None, instansi=instansi, scopes=scopes, user=u)[1] for u in actors],
    }
    opd = Unit.objects.get(instansi=instansi, jenis="opd")
    connections.close_all()
    return {
        "tokens": tokens,
        "opd": opd.pk,
        "submitted": submitted,
        "expectations": {f"ekspektasi_{v}": "Ekspektasi" for v in NilaiPerilaku.values},
        "setup_s": round(time.perf_counter() - started, 1),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(url: str, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "KINERJA_API_RATE": "100000000/min",
        "DB_CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("KINERJA_EXTRA_APPS", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "project.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    import requests

    for _ in range(120):
        try:
            requests.get(f"{base}/api/v1/me/", timeout=10)
            return process, base
        except requests.RequestException:
            time.sleep(0.5)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def load(requests_: list, concurrency: int) -> dict:
    """Send ``requests_`` ((method, url, headers, json) each) from ``concurrency`` threads; latency
    percentiles (ms) and requests per second. Every answer must be a 2xx."""
    import requests

    queue = list(reversed(requests_))
    lock = threading.Lock()
    latencies: list[float] = []
    failures: list[str] = []

    def worker():
        session = requests.Session()
        while True:
            with lock:
                if not queue:
                    return
                method, url, headers, body = queue.pop()
            started = time.perf_counter()
            response = session.request(method, url, headers=headers, json=body, timeout=60)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if response.status_code >= 300:
                    failures.append(f"{response.status_code} {url} {response.text[:200]}")

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} failed requests, e.g. {failures[0]}")
    ordered = sorted(latencies)
    return {
        "p50_ms": round(1000 * statistics.median(ordered), 1),
        "p95_ms": round(1000 * ordered[max(0, int(0.95 * len(ordered)) - 1)], 1),
        "req_per_s": round(len(ordered) / wall, 1),
        "requests": len(ordered),
    }


def task_ids(base: str, secret: str) -> list[int]:
    import requests

    ids, url = [], f"{base}/api/v1/tasks/?page_size=200"
    while url:
        page = requests.get(url, headers={"Authorization": f"Bearer {secret}"}, timeout=60).json()
        ids += [t["id"] for t in page["results"] if t["step"] == "approve_plan"]
        url = page["next"]
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--extra", type=int, default=16000, help="employees of the extra government")
    parser.add_argument("--requests", type=int, default=300, help="requests per read endpoint")
    parser.add_argument("--actions", type=int, default=100, help="task actions (plans approved)")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads")
    parser.add_argument("--gunicorn-workers", type=int, default=2)
    parser.add_argument("--no-demo", action="store_true", help="skip the demo organisation")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/kinerja_api")
    args = parser.parse_args()

    prepare_database(args.database_url)
    setup_django(args.database_url)
    data = build(args.extra, args.actions, demo=not args.no_demo)
    server, base = start_gunicorn(args.database_url, args.gunicorn_workers)
    try:
        tokens = data["tokens"]

        def get(path, secret):
            return ("GET", f"{base}{path}", {"Authorization": f"Bearer {secret}"}, None)

        warm = [get("/api/v1/me/", tokens["reader"])] * 20 + [get("/api/v1/tasks/", tokens["reader"])] * 10
        load(warm, args.concurrency)
        figures = {
            "floor": load([get("/api/v1/me/", tokens["reader"])] * args.requests, args.concurrency),
            "my_tasks": load([get("/api/v1/tasks/", tokens["reader"])] * args.requests, args.concurrency),
            "opd_results": load(
                [get(f"/api/v1/appraisals/?opd={data['opd']}&page_size=100", tokens["admin"])] * args.requests,
                args.concurrency,
            ),
        }
        body = {"keputusan": "setujui", "catatan": "", **data["expectations"]}
        actions = [
            ("POST", f"{base}/api/v1/tasks/{pk}/", {"Authorization": f"Bearer {secret}"}, body)
            for secret in tokens["actors"]
            for pk in task_ids(base, secret)
        ][: args.actions]
        figures["task_action"] = load(actions, args.concurrency)
    finally:
        server.terminate()
        server.wait(30)
    print(
        json.dumps(
            {
                "extra_employees": args.extra,
                "demo": not args.no_demo,
                "gunicorn_workers": args.gunicorn_workers,
                "concurrency": args.concurrency,
                "setup_s": data["setup_s"],
                **figures,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
