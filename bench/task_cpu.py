"""Server CPU of the POST mix's requests, in-process: for each step kind (plan submit, plan approval,
midyear self-review, review) the three requests of one completion — the page where the task is
found (the inbox, or with ``--find appraisal`` the appraisal page), the task page and the POST —
with production settings (``DEBUG=false``, the Redis cache) against a database built by
``bench.http`` (each run uses up ``--count`` of its employees).

    python -m bench.task_cpu --database-url URL [--extra 2000] [--count 6] [--find inbox|appraisal]
                             [--repeat 5] [--profile DIR] [--sql]

The first employee warms the caches, the second's requests are counted (queries; ``--sql`` prints
them); the others' are timed with ``time.process_time`` (each GET ``--repeat`` times more: a GET
changes nothing): median and minimum CPU ms per request. ``--profile`` writes a cProfile (CPU
time) of each request of the last employee to DIR. The client column is the CPU the bench's
client spends on the response (finding the link, reading the form)."""

from __future__ import annotations

import argparse
import cProfile
import os
import re
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

from bench import http as bench

FORM = "application/x-www-form-urlencoded"
STEPS = [("employee", "draft_plan"), ("assessor", "approve_plan"), ("employee", "self_review"), ("assessor", "review")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--extra", type=int, default=2000)
    parser.add_argument("--count", type=int, default=6)
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/8")
    parser.add_argument("--find", choices=("inbox", "appraisal"), default="inbox")
    parser.add_argument("--skip", type=int, default=0, help="leave the first employees to a run beside this one")
    parser.add_argument("--repeat", type=int, default=5, help="timed repetitions of each GET")
    parser.add_argument("--profile", help="directory for cProfile output of the last employee's requests")
    parser.add_argument("--sql", action="store_true", help="print the queries of the counted requests")
    args = parser.parse_args()
    if not bench.database_ready(args.database_url, args.extra):
        sys.exit("build the database with bench.http first")
    var_dir = os.environ.get("KINERJA_VAR_DIR") or str(bench.ROOT / "var" / "bench-http")
    env = bench.server_env(args.database_url, var_dir, 60, args.cache_url)
    env["ALLOWED_HOSTS"] = "testserver"
    os.environ.update(env)
    bench.setup_django(args.database_url, 60)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    items = bench.post_candidates(args.count + args.skip)[args.skip :]
    bench.heads_approved(items)
    names = [i[k] for i in items for k in ("employee", "assessor")]
    users = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
    cpu: dict[tuple, list[float]] = {}
    queries: dict[tuple, int] = {}
    client_cpu: dict[tuple, list[float]] = {}
    clients = {"employee": Client(), "assessor": Client()}  # one handler each: middleware loaded once

    def timed(n: int, last: bool, step: str, name: str, fn):
        key = (step, name)
        if n == 0:  # warm-up: caches, templates
            return fn()
        if n == 1:
            with CaptureQueriesContext(connection) as ctx:
                r = fn()
            queries[key] = len(ctx.captured_queries)
            if args.sql:
                print(f"--- {step} {name}")
                for q in ctx.captured_queries:
                    print("   ", q["sql"][:240])
            return r
        if name != "post":  # a GET changes nothing: repeated, for a steadier figure
            for _ in range(args.repeat):
                t0 = time.process_time()
                fn()
                cpu.setdefault(key, []).append((time.process_time() - t0) * 1000)
        prof = cProfile.Profile(time.process_time) if (last and args.profile) else None
        t0 = time.process_time()
        if prof:
            prof.enable()
        r = fn()
        if prof:
            prof.disable()
        cpu.setdefault(key, []).append((time.process_time() - t0) * 1000)
        if prof:
            Path(args.profile).mkdir(parents=True, exist_ok=True)
            prof.dump_stats(Path(args.profile) / f"{step}-{name}.prof")
        return r

    def client_timed(key, fn):
        t0 = time.process_time()
        r = fn()
        client_cpu.setdefault(key, []).append((time.process_time() - t0) * 1000)
        return r

    for n, it in enumerate(items):
        for role in ("employee", "assessor"):
            clients[role].force_login(users[it[role]])
        process, last = it["process"], n == len(items) - 1
        for role, step in STEPS:
            c = clients[role]
            pattern = rf"/appraisal/{process}/{step}/(\d+)/"
            if args.find == "inbox":  # as bench.http: the inbox; searched for the employee if not on it

                def find(c=c, pattern=pattern, nip=it["employee"] if role == "assessor" else ""):
                    r = c.get("/kinerja/kotak-masuk/")
                    if nip and not re.search(pattern, r.text):
                        r = c.get("/kinerja/kotak-masuk/", {"q": nip})
                    return r

                page = timed(n, last, step, "find", find)
            else:
                page = timed(n, last, step, "find", lambda c=c, p=process: c.get(f"/appraisal/{p}/"))
            assert page.status_code == 200, (step, page.status_code)
            m = client_timed((step, "find"), lambda page=page, pattern=pattern: re.search(pattern, page.text))
            assert m, (step, "no task link")
            url = f"/appraisal/{process}/{step}/{m.group(1)}/execute/"
            task_page = timed(n, last, step, "task", lambda c=c, url=url: c.get(url))
            assert task_page.status_code == 200, (step, task_page.status_code)

            def read_form(text=task_page.text, step=step):
                filled = bench.form_fields(text, bench._FILL)
                if step != "draft_plan":
                    return filled
                return bench._plan("") | {k: v for k, v in filled.items() if k.endswith("rhk_atasan")}

            data = client_timed((step, "task"), read_form)
            body = urllib.parse.urlencode(data)  # as the POST mix's client sends it (not multipart)
            r = timed(n, last, step, "post", lambda c=c, url=url, body=body: c.post(url, body, content_type=FORM))
            assert r.status_code == 302, (step, r.status_code, r.content[:3000])
    print(f"find: {args.find}")
    print(f"{'step':14} {'request':6} {'queries':>7} {'cpu ms':>7} {'min ms':>7} {'client ms':>9}")
    total = 0.0
    for _role, step in STEPS:
        for name in ("find", "task", "post"):
            key = (step, name)
            med = statistics.median(cpu[key]) if cpu.get(key) else float("nan")
            low = min(cpu[key]) if cpu.get(key) else float("nan")
            total += med
            cl = statistics.median(client_cpu[key]) if key in client_cpu else 0.0
            print(f"{step:14} {name:6} {queries.get(key, 0):7d} {med:7.1f} {low:7.1f} {cl:9.1f}")
    print(f"server CPU per completion (mean over the 4 steps, medians): {total / 4:.1f} ms")


if __name__ == "__main__":
    main()
