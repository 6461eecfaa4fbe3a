"""The publish gate: a version publishes only if every table validates, registers in a scratch
engine, passes its stored test cases, and a generated boundary-value smoke test runs without an
engine error and agrees with the plain reading of the table.

The engine steps run in a forked child process (isolation.py) with its own scratch engine:
durable_rules is a C extension, and a table that crashes it must cost a refused publish, not the
web worker.
"""

from __future__ import annotations

import itertools
import random

from django.utils.translation import gettext as _

from .compiler import VersionRef, compile_table
from .conditions import CellError, cast_fact
from .engine import Engine
from .errors import RuleEvaluationError
from .isolation import EngineStopped, run_isolated
from .spec import TableSpec
from .validation import Problem, boundary_values, validate_table

# Fact combinations the smoke test tries per table at most.
SMOKE_LIMIT = 3000
GATE_TIMEOUT_S = 120


def smoke_facts(spec: TableSpec, limit: int = SMOKE_LIMIT) -> list[dict]:
    """Boundary values of every input; all combinations when few, else a seeded sample of them
    plus every boundary of each input against a base point."""
    axes = [boundary_values(spec, i) for i in range(len(spec.inputs))]
    names = [c.name for c in spec.inputs]
    total = 1
    for axis in axes:
        total *= max(len(axis), 1)
    if total <= limit:
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*axes)]
    rng = random.Random(20240101)  # deterministic: the same draft gets the same smoke test
    base = [axis[len(axis) // 2] for axis in axes]
    facts = []
    for i, axis in enumerate(axes):
        for value in axis:
            point = list(base)
            point[i] = value
            facts.append(dict(zip(names, point, strict=True)))
    while len(facts) < limit:
        facts.append({n: rng.choice(axis) for n, axis in zip(names, axes, strict=True)})
    return facts


def _engine_checks(specs: list[TableSpec], ref: VersionRef) -> list[Problem]:
    engine = Engine()  # a scratch engine of its own (in the child process when isolated)
    problems: list[Problem] = []
    for spec in specs:
        try:
            compiled = compile_table(spec, ref, prefix="scratch")
            engine.register(compiled)
        except RuleEvaluationError as exc:
            problems.append(Problem("engine_register", str(exc), spec.name))
            continue
        for case in spec.tests:
            try:
                facts = compiled.cast(case.inputs)
                decision = compiled.resolve(engine.match(compiled, facts), facts)
            except RuleEvaluationError as exc:
                problems.append(
                    Problem(
                        "test_failed",
                        _("Test “%(name)s”: %(error)s") % {"name": case.name, "error": exc.message},
                        spec.name,
                        exc.row,
                    )
                )
                continue
            for out, expected in case.expected.items():
                col = spec.output(out)
                try:
                    want = cast_fact(expected, col.field_type) if col else expected
                except CellError:
                    want = expected
                got = decision.outputs.get(out)
                if got != want:
                    problems.append(
                        Problem(
                            "test_failed",
                            _("Test “%(name)s”: %(output)s is %(got)s, expected %(want)s (row %(row)s decided).")
                            % {
                                "name": case.name,
                                "output": out,
                                "got": got,
                                "want": want,
                                "row": decision.trace[0]["row"],
                            },
                            spec.name,
                            decision.trace[0]["row"],
                            out,
                        )
                    )
        failures = 0
        for facts in smoke_facts(spec):
            try:
                cast = compiled.cast(facts)
                matched = engine.match(compiled, cast)
            except RuleEvaluationError as exc:
                problems.append(
                    Problem(
                        "smoke",
                        _("Smoke test with %(facts)s: %(error)s") % {"facts": facts, "error": exc.message},
                        spec.name,
                        exc.row,
                    )
                )
                failures += 1
            else:
                if sorted(matched) != compiled.plain_match(cast):
                    problems.append(
                        Problem(
                            "smoke", _("The engine and the table disagree for %(facts)s.") % {"facts": facts}, spec.name
                        )
                    )
                    failures += 1
            if failures >= 3:
                break
    return problems


def publish_gate(specs: list[TableSpec], ref: VersionRef, *, isolate: bool = True) -> list[Problem]:
    """Every reason the version cannot be published; empty when it can."""
    if not specs:
        return [Problem("no_tables", _("The version has no tables."))]
    problems = [p for spec in specs for p in validate_table(spec)]
    if problems:
        return problems
    if not isolate:
        return _engine_checks(specs, ref)
    try:
        return run_isolated(_engine_checks, specs, ref, timeout=GATE_TIMEOUT_S, what=_("testing this version"))
    except EngineStopped as exc:
        return [Problem("engine_crash", exc.message)]
