"""Where a lifecycle's time and statements go, step by step (one process, PostgreSQL).

    python -m bench.steps [--n 30] [--database-url URL] [--profile FILE] [--audit on|off]

Runs ``--n`` lifecycles as ``bench.lifecycle`` does (after a warm-up) and the bare viewflow
baseline, and prints per step: statements, round trips (the statements of one pipeline share one),
CPU ms and wall ms per lifecycle, and the statements
grouped by table and verb. The database named by --database-url is dropped and recreated.
With --profile, a cProfile of the lifecycles goes to FILE (read it with pstats).
"""

from __future__ import annotations

import argparse
import cProfile
import re
import time
from collections import Counter, defaultdict
from contextlib import contextmanager

from bench import lifecycle

_current = ["setup"]
_stats: dict[str, Counter] = defaultdict(Counter)
_tables: dict[str, Counter] = defaultdict(Counter)
_TABLE = re.compile(
    r'^\s*(SELECT|INSERT INTO|UPDATE|DELETE FROM|SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK)\s*(?:.*?\bFROM\s+)?"?(\w+)?',
    re.S,
)


def _kind(sql: str) -> str:
    head = sql.lstrip()[:12].upper()
    m = re.match(r'\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"(\w+)"', sql)
    if m:
        return f"{m.group(1).split()[0]} {m.group(2)}"
    if head.startswith("SELECT"):
        m = re.search(r'\bFROM\s+"(\w+)"', sql)
        lock = " FOR UPDATE" if "FOR UPDATE" in sql else ""
        return f"SELECT {m.group(1) if m else '?'}{lock}"
    if head.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
        return head.split()[0]
    if head.startswith("WITH"):
        return "WITH (audit batch)"
    return head.split()[0] if head.split() else "?"


_piped = [False]  # whether the previous statement went out in a pipeline (one wait for all of it)


def _in_pipeline(context) -> bool:
    from psycopg import pq

    conn = context["connection"].connection
    return conn is not None and conn.pgconn.pipeline_status != pq.PipelineStatus.OFF


def _wrapper(execute, sql, params, many, context):
    step = _current[0]
    piped = _in_pipeline(context)
    if not (piped and _piped[0]):  # the statements of one pipeline share one round trip
        _stats[step]["trips"] += 1
    _piped[0] = piped
    t0 = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        _stats[step]["statements"] += 1
        _stats[step]["sql_us"] += int((time.perf_counter() - t0) * 1e6)
        _tables[step][_kind(sql)] += 1


@contextmanager
def step(name: str):
    prev = _current[0]
    _current[0] = name
    c0, w0 = time.process_time(), time.perf_counter()
    try:
        yield
    finally:
        _stats[name]["cpu_us"] += int((time.process_time() - c0) * 1e6)
        _stats[name]["wall_us"] += int((time.perf_counter() - w0) * 1e6)
        _stats[name]["calls"] += 1
        _current[0] = prev


def _wrap(module, name: str, label: str | None = None):
    fn = getattr(module, name)

    def wrapped(*args, **kwargs):
        lab = label or name
        if name == "self_review_submit" and kwargs.get("final"):
            lab = "final_self_review_submit"
        with step(lab):
            return fn(*args, **kwargs)

    setattr(module, name, wrapped)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/kinerja_steps")
    parser.add_argument("--profile", default="")
    parser.add_argument("--audit", choices=["on", "off"], default="on", help="history rows and audit events")
    args = parser.parse_args()
    lifecycle.prepare_database(args.database_url)
    lifecycle.setup_django(args.database_url)
    from django.db import connection

    import workflow.services.kalibrasi as kal
    from bench.bare_flow import BARE_STEPS, BareFlow
    from workflow.services import appraisal as svc

    lifecycle.run_lifecycles(3, kode="WARM")
    lifecycle.run_bare(3)
    for name in (
        "appraisal_open",
        "plan_submit",
        "plan_decide",
        "self_review_submit",
        "review_submit",
        "final_review_submit",
    ):
        _wrap(svc, name)
    _wrap(kal, "kalibrasi_publish")
    _stats.clear()
    _tables.clear()
    prof = cProfile.Profile() if args.profile else None
    with connection.execute_wrapper(_wrapper):
        with step("lifecycles (total)"):
            if prof:
                prof.enable()
            lifecycle.run_lifecycles(args.n, kode="PROF", audit=args.audit == "on")
            if prof:
                prof.disable()
        # the bare flow: start + each human step
        import workflow.services.tasks as tasks

        orig_run = BareFlow.start.run

        with step("bare (total)"):
            from django.contrib.auth import get_user_model

            user, _ = get_user_model().objects.get_or_create(username="bare-bench")
            for _i in range(args.n):
                with step("bare start"):
                    process = orig_run(user=user)
                for node in BARE_STEPS:
                    with step(f"bare {node.name}"), tasks.task_execution(process_pk=process.pk, node=node, by=user):
                        pass
    if prof:
        prof.dump_stats(args.profile)
    n = args.n
    print(f"{'step':32} {'stmts':>7} {'trips':>7} {'cpu ms':>8} {'wall ms':>8} {'sql ms':>8}   (per lifecycle)")
    for name, c in _stats.items():
        if name == "setup":
            continue
        print(
            f"{name:32} {c['statements'] / n:7.1f} {c['trips'] / n:7.1f} {c['cpu_us'] / n / 1000:8.2f}"
            f" {c['wall_us'] / n / 1000:8.2f} {c['sql_us'] / n / 1000:8.2f}"
        )
    life, bare = _stats["lifecycles (total)"], _stats["bare (total)"]
    steps_life = sum(c["statements"] for k, c in _stats.items() if k not in ("setup",) and not k.startswith("bare"))
    steps_bare = sum(c["statements"] for k, c in _stats.items() if k.startswith("bare"))
    trips_life = sum(c["trips"] for k, c in _stats.items() if k not in ("setup",) and not k.startswith("bare"))
    trips_bare = sum(c["trips"] for k, c in _stats.items() if k.startswith("bare"))
    cpu, cpu_bare = life["cpu_us"] / n / 1000, bare["cpu_us"] / n / 1000
    wall, wall_bare = life["wall_us"] / n / 1000, bare["wall_us"] / n / 1000
    print(
        f"\nper lifecycle: statements {steps_life / n:.1f} (bare {steps_bare / n:.1f}),"
        f" round trips {trips_life / n:.1f} (bare {trips_bare / n:.1f});"
        f" CPU {cpu:.1f} ms (bare {cpu_bare:.1f}, ratio {cpu_bare / cpu:.3f});"
        f" wall {wall:.1f} ms (bare {wall_bare:.1f}, ratio {wall_bare / wall:.3f})"
    )
    for name, c in _tables.items():
        if name in ("setup",):
            continue
        print(f"\n== {name}")
        for kind, count in c.most_common():
            print(f"   {count / n:6.2f}  {kind}")


if __name__ == "__main__":
    main()
