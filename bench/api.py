"""Benchmark of the REST API on PostgreSQL behind gunicorn.

    python -m bench.api [--extra 16000] [--requests 300] [--concurrency 4] [--gunicorn-workers 2]
                        [--actions 100] [--no-demo] [--database-url URL] [--reuse]

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

The database named by --database-url is dropped and recreated, unless --reuse finds one an earlier run
built with the same --extra (its marker table says so): then only the --actions plans are submitted,
in units nobody acted in before.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import threading
import time

from bench import gunicorn
from bench.lifecycle import build_org, prepare_database, setup_django


def build(extra: int, demo: bool) -> dict:
    """The data and the read tokens (untimed); the plans acted on come from ``actions_ready``."""
    from django.core.management import call_command
    from django.db import connections

    from workflow.models import Pegawai, PeranAdmin, Skp, Unit
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
    # the assessor whose inbox is read: 25 plans waiting
    reader_unit = Unit.objects.filter(instansi=instansi, jenis="seksi").order_by("pk").first()
    submitted = _submit_unit(reader_unit, periode)
    reader_head = Pegawai.objects.get(unit=reader_unit, jabatan=reader_unit.jabatan_kepala)
    admin_user = Pegawai.objects.get(unit__jenis="opd", instansi=instansi).user
    PeranAdmin.objects.create(user=admin_user, instansi=instansi)
    tokens = {
        "reader": api_token_issue(by=None, instansi=instansi, scopes=SCOPES, user=reader_head.user)[1],
        "admin": api_token_issue(by=None, instansi=instansi, scopes=SCOPES, user=admin_user)[1],
    }
    opd = Unit.objects.get(instansi=instansi, jenis="opd")
    with connections["default"].cursor() as cursor:
        cursor.execute("ANALYZE")  # the planner's statistics, as autovacuum keeps them in production
    connections.close_all()
    return {
        "tokens": tokens,
        "opd": opd.pk,
        "submitted": submitted,
        "setup_s": round(time.perf_counter() - started, 1),
    }


SCOPES = ["read_results", "read_progress", "act_tasks"]


def _submit_unit(unit, periode) -> int:
    """Every staff member of ``unit`` submits a plan of three rows to its head."""
    from workflow.models import JenisRhk, Pegawai, Skp
    from workflow.services import appraisal as svc

    rows = [
        svc.RhkInput(jenis=JenisRhk.UTAMA, teks=f"Hasil kerja {i}", indikator="Persentase", target="95", satuan="%")
        for i in range(3)
    ]
    count = 0
    for pegawai in Pegawai.objects.filter(unit=unit, jabatan__jenis="pelaksana").select_related("user"):
        svc.plan_submit(
            skp=Skp.objects.get(periode=periode, pegawai=pegawai), by=pegawai.user, pendekatan="kuantitatif", rows=rows
        )
        count += 1
    return count


def actions_ready(actions: int) -> list[str]:
    """Plans for ``actions`` approvals (untimed), in units nobody has submitted from yet (a reused
    database keeps the ones acted on before): the tokens of those units' heads."""
    from django.db import connections

    from workflow.models import Instansi, Pegawai, Periode, Skp, StatusSkp, Unit
    from workflow.services.api_token import api_token_issue

    instansi = Instansi.objects.get(kode="APIB")
    periode = Periode.objects.get(instansi=instansi, tahun=2026)
    touched = Skp.objects.filter(periode=periode).exclude(status=StatusSkp.DRAFT).values("pegawai__unit")
    fresh = Unit.objects.filter(instansi=instansi, jenis="seksi").exclude(pk__in=touched).order_by("pk")
    secrets = []
    for unit in fresh[: -(-actions // 25)]:
        _submit_unit(unit, periode)
        head = Pegawai.objects.get(unit=unit, jabatan=unit.jabatan_kepala)
        secrets.append(api_token_issue(by=None, instansi=instansi, scopes=SCOPES, user=head.user)[1])
    connections.close_all()
    return secrets


def database_ready(url: str, extra: int, demo: bool) -> dict | None:
    """What an earlier run built with the same --extra and demo (its marker table keeps it), or None."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return None
    with psycopg.connect(url) as conn:
        if conn.execute("SELECT to_regclass('bench_api_built')").fetchone()[0] is None:
            return None
        row = conn.execute("SELECT extra, demo, data FROM bench_api_built").fetchone()
    return json.loads(row[2]) if row and row[0] == extra and row[1] == demo else None


def mark_built(url: str, extra: int, demo: bool, data: dict) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE bench_api_built (extra integer, demo boolean, data text)")
        conn.execute("INSERT INTO bench_api_built VALUES (%s, %s, %s)", [extra, demo, json.dumps(data)])


def start_gunicorn(url: str, workers: int) -> gunicorn.Server:
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
    return gunicorn.start(env, workers=workers, probe="/api/v1/me/")


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
    parser.add_argument("--reuse", action="store_true", help="keep a database built with the same --extra")
    args = parser.parse_args()

    demo = not args.no_demo
    data = database_ready(args.database_url, args.extra, demo) if args.reuse else None
    reused = data is not None
    if data is None:
        prepare_database(args.database_url)
        setup_django(args.database_url)
        data = build(args.extra, demo=demo)
        mark_built(args.database_url, args.extra, demo, data)
    else:
        setup_django(args.database_url)
    actors = actions_ready(args.actions)
    from workflow.models import NilaiPerilaku

    server = start_gunicorn(args.database_url, args.gunicorn_workers)
    base = server.base
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
        body = {
            "keputusan": "setujui",
            "catatan": "",
            **{f"ekspektasi_{v}": "Ekspektasi" for v in NilaiPerilaku.values},
        }
        actions = [
            ("POST", f"{base}/api/v1/tasks/{pk}/", {"Authorization": f"Bearer {secret}"}, body)
            for secret in actors
            for pk in task_ids(base, secret)
        ][: args.actions]
        figures["task_action"] = load(actions, args.concurrency)
    finally:
        server.stop()
    print(
        json.dumps(
            {
                "extra_employees": args.extra,
                "demo": demo,
                "reused": reused,
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
