"""Benchmark of the rules adapter: ``python -m bench.rules`` prints JSON.

- adapter_evals_per_s: one evaluation per call through durable_rules (cast facts, assert_fact
  under a fresh session, drain the matched rows, delete_state, apply the hit policy, trace).
- adapter_batch_evals_per_s: the same evaluations through ``decide_many`` (assert_facts of 500
  facts per session), the path of simulation and batch scoring.
- plain_python_evals_per_s: the same table read in plain Python (rules.compiler.evaluate_plain),
  same facts, same run; ratio = plain / adapter.
- simulate_100k_s: a 100,000-record simulation (candidate and baseline, so 200,000 evaluations)
  with change counting.
The version lookup of ``rules.evaluate`` (one indexed query per call) is not included: the table
is compiled from the shipped pack, so the benchmark needs no database.
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
os.environ.setdefault("SECRET_KEY", "django-insecure-kinerja-bench-only")  # DEBUG is off, as in production

import django  # noqa: E402

django.setup()

import yaml  # noqa: E402

from rules.api import decide, decide_many  # noqa: E402
from rules.compiler import VersionRef, compile_table  # noqa: E402
from rules.simulate import simulate  # noqa: E402
from rules.spec import RowSpec, TableSpec  # noqa: E402

PACK = Path(__file__).resolve().parent.parent / "config" / "rules" / "penilaian-kinerja.yaml"
TABLE = "rating_hasil_kerja"
N = 20_000


def pack_version() -> dict:
    """The pack's newest version (the one in force now)."""
    return yaml.safe_load(PACK.read_text(encoding="utf-8"))["versions"][-1]


def pack_table(name: str) -> TableSpec:
    return next(TableSpec.from_dict(t) for t in pack_version()["tables"] if t["name"] == name)


def records(n: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        total = rng.randint(3, 12)
        above = rng.randint(0, total)
        below = rng.randint(0, total - above)
        out.append(
            {
                "porsi_rhk_di_atas": above / total,
                "porsi_rhk_di_bawah": below / total,
                "rhk_utama_di_bawah": rng.choice([0, 0, 0, 1, 2]),
            }
        )
        out[-1]["porsi_rhk_utama_di_bawah"] = out[-1]["rhk_utama_di_bawah"] / 3  # three RHK utama
    return out


def rate(fn, items) -> float:
    start = time.perf_counter()
    fn(items)
    return len(items) / (time.perf_counter() - start)


def main() -> dict:
    spec = pack_table(TABLE)
    number = int(pack_version()["number"])
    compiled = compile_table(spec, VersionRef("penilaian-kinerja", number), prefix="bench")
    facts = records(N)
    decide(compiled, facts[0])  # register outside the timing

    def single(items):
        for f in items:
            decide(compiled, f)

    def plain(items):
        for f in items:
            compiled.evaluate_plain(f)

    adapter = max(rate(single, facts) for _ in range(3))
    batch = max(rate(lambda items: decide_many(compiled, items), facts) for _ in range(3))
    plain_rate = max(rate(plain, facts) for _ in range(3))

    # Simulation: a draft that counts "most" as at least half, against the pack's rule.
    draft_rows = list(spec.rows)
    draft_rows[1] = RowSpec({"porsi_rhk_di_atas": ">= 0.5", "rhk_utama_di_bawah": "= 0"}, {"rating": "di_atas"})
    draft = TableSpec(spec.name, spec.hit_policy, inputs=spec.inputs, outputs=spec.outputs, rows=tuple(draft_rows))
    candidate = compile_table(draft, VersionRef("penilaian-kinerja", number + 1), prefix="bench")
    sim_records = records(100_000, seed=11)
    start = time.perf_counter()
    result = simulate(candidate=candidate, baseline=compiled, records=sim_records)
    simulate_s = time.perf_counter() - start

    return {
        "table": TABLE,
        "evaluations": N,
        "adapter_evals_per_s": round(adapter),
        "adapter_batch_evals_per_s": round(batch),
        "plain_python_evals_per_s": round(plain_rate),
        "ratio": round(plain_rate / adapter, 2),
        "simulate_100k_s": round(simulate_s, 2),
        "simulate_100k_changed": result.changed,
    }


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
