"""Simulation: how many outcomes a draft would change against the version in force (or any
other version) over a set of fact records: past results once the lifecycle exists, a CSV now."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field, replace

from django.utils.translation import gettext as _

from .api import decide_many, version_table_spec
from .compiler import CompiledTable, VersionRef, compile_table
from .conditions import CellError, coerce_text
from .engine import Engine
from .errors import RuleEvaluationError
from .isolation import run_isolated
from .models import RuleSetVersion
from .selectors import version_specs
from .spec import RowSpec, TableSpec

# How long a simulation may run in its child process (100,000 records take about 5 s).
SIMULATE_TIMEOUT_S = 300


@dataclass
class SimulationResult:
    total: int = 0
    changed: int = 0
    errors: int = 0
    transitions: Counter = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "total": self.total,
            "changed": self.changed,
            "unchanged": self.total - self.changed - self.errors,
            "errors": self.errors,
            "transitions": [{"from": a, "to": b, "count": n} for (a, b), n in self.transitions.most_common()],
            "error_samples": self.error_samples,
        }


def read_csv(text: str, compiled: CompiledTable) -> list[dict]:
    """Fact records from CSV text whose header names the table's inputs; cells are typed by the
    declared input types (a cell that does not read is reported by the simulation, not skipped).
    Columns are separated by commas, or by semicolons when the header has semicolons and no comma
    (how spreadsheets save CSV where the decimal separator is a comma, as in Indonesia)."""
    header = text.split("\n", 1)[0]
    delimiter = ";" if ";" in header and "," not in header else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    names = [c.name for c in compiled.spec.inputs]
    missing = [n for n in names if n not in (reader.fieldnames or [])]
    if missing:
        raise RuleEvaluationError(
            _("The CSV lacks the columns: %(names)s.") % {"names": ", ".join(missing)}, table=compiled.spec.name
        )
    records = []
    for line in reader:
        record = {}
        for col in compiled.spec.inputs:
            try:
                record[col.name] = coerce_text(line[col.name] or "", col.field_type)
            except CellError:
                record[col.name] = line[col.name]  # kept as text: the cast reports it
        records.append(record)
    return records


def _label(outputs: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in outputs.items())


def simulate(
    *, candidate: CompiledTable, baseline: CompiledTable, records: list[dict], engine: Engine | None = None
) -> SimulationResult:
    result = SimulationResult(total=len(records))
    news, olds = decide_many(candidate, records, engine=engine), decide_many(baseline, records, engine=engine)
    for new, old in zip(news, olds, strict=True):
        if isinstance(new, RuleEvaluationError) or isinstance(old, RuleEvaluationError):
            result.errors += 1
            if len(result.error_samples) < 5:
                result.error_samples.append(str(new if isinstance(new, RuleEvaluationError) else old))
            continue
        if new.outputs != old.outputs:
            result.changed += 1
            result.transitions[(_label(old.outputs), _label(new.outputs))] += 1
    return result


def _simulate_in_child(
    candidate: tuple[TableSpec, VersionRef], baseline: tuple[TableSpec, VersionRef], csv_text: str
) -> SimulationResult:
    new = compile_table(*candidate, prefix="simnew")
    old = compile_table(*baseline, prefix="simold")
    return simulate(candidate=new, baseline=old, records=read_csv(csv_text, new), engine=Engine())


def simulate_versions(
    *, candidate: RuleSetVersion, baseline: RuleSetVersion, table: str, csv_text: str
) -> SimulationResult:
    """Simulate in a child process with a scratch engine (isolation.py): whatever the draft holds,
    a crash of the engine costs an error message, not the worker."""
    return run_isolated(
        _simulate_in_child,
        version_table_spec(candidate, table),
        version_table_spec(baseline, table),
        csv_text,
        timeout=SIMULATE_TIMEOUT_S,
        what=_("simulating"),
    )


def _outputs_in_child(
    specs: tuple[TableSpec, ...], ref: VersionRef, records: dict[str, list[dict]]
) -> dict[str, list[dict | None]]:
    engine, by_name, found = Engine(), {s.name: s for s in specs}, {}
    for table, facts in records.items():
        spec = by_name.get(table)
        if spec is None:  # the candidate has no such table: it would decide none of these
            found[table] = [None] * len(facts)
            continue
        decisions = decide_many(compile_table(spec, ref, prefix="impact"), facts, engine=engine)
        found[table] = [None if isinstance(d, RuleEvaluationError) else dict(d.outputs) for d in decisions]
    return found


@dataclass(frozen=True)
class Candidate:
    """The tables of a draft as they would be published — one table's rows possibly replaced by
    the editor's rows not saved yet — for the apps that score with the rules to ask what it
    would decide (``publish_impact``'s ``candidate``)."""

    specs: tuple[TableSpec, ...]
    ref: VersionRef

    def outputs(self, records: dict[str, list[dict]]) -> dict[str, list[dict | None]]:
        """Per table name, the outputs the candidate gives each fact record (None where it
        decides nothing), evaluated in batches by a scratch engine in a child process: an editor
        user's table never runs in the worker (isolation.py)."""
        if not any(records.values()):
            return {table: [] for table in records}
        return run_isolated(
            _outputs_in_child, self.specs, self.ref, records, timeout=SIMULATE_TIMEOUT_S, what=_("simulating")
        )


def draft_candidate(*, version: RuleSetVersion, table: str | None = None, rows: list[RowSpec] | None = None):
    """``version``'s tables as a ``Candidate``; with ``table`` and ``rows``, that table's rows as
    the editor holds them before saving."""
    specs = version_specs(version=version)
    if table is not None and rows is not None:
        specs = [replace(s, rows=tuple(rows)) if s.name == table else s for s in specs]
    ref = VersionRef(version.rule_set.key, version.number, version.pk, "candidate", version.status)
    return Candidate(tuple(specs), ref)
