"""Compile a validated decision table into a durable_rules ruleset definition, and resolve what the
engine matched into a decision. No durable import here: engine.py is the only module that does.

Every row becomes one rule whose single condition is the conjunction of its cells, with ``pri`` set
to the row's position (the engine queues actions in that order) and a marker field ``_k`` that every
fact carries. The marker matters: a rule made only of negative tests would also match the session's
state object and loop forever; every rule needs a positive test on a field that only facts have.
Outputs never go into the engine: it reports which rows matched, and the adapter reads the typed
outputs of the winning row from the compiled table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from .choices import HitPolicy
from .conditions import CellError, Condition, cast_fact, parse_condition, parse_value
from .errors import InvalidFacts, RuleEvaluationError
from .network import MARKER, Test, condition_terms
from .spec import TableSpec
from .validation import validate_table

NO_MATCH = "none"


@dataclass(frozen=True)
class VersionRef:
    """Which rules decided: enough to find the exact version again forever."""

    rule_set: str
    number: int
    id: int | None = None
    content_hash: str = ""
    status: str = ""

    def to_dict(self) -> dict:
        return {
            "rule_set": self.rule_set,
            "number": self.number,
            "id": self.id,
            "hash": self.content_hash[:16],
        }

    def __str__(self) -> str:
        return f"{self.rule_set} v{self.number}"


@dataclass(frozen=True)
class Decision:
    """The answer of one table for one set of facts, with the version and the trace of the rows
    that decided it (row numbers are 1-based, as the editor shows them)."""

    table: str
    outputs: dict[str, Any]
    version: VersionRef
    trace: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"outputs": dict(self.outputs), "version": self.version.to_dict(), "trace": list(self.trace)}


def _engine_terms(cond: Condition, name: str) -> list[dict]:
    return [
        term.to_engine() if isinstance(term, Test) else {"$or": [alt.to_engine() for alt in term]}
        for term in condition_terms(cond, name)
    ]


def engine_name(*parts: Any) -> str:
    """A ruleset name durable_rules accepts: letters, digits and underscores."""
    return re.sub(r"[^A-Za-z0-9_]", "_", "_".join(str(p) for p in parts))


@dataclass
class CompiledTable:
    """A table ready for the engine: its ruleset definition and everything needed to cast facts and
    explain the result. Immutable once built; cached per process by version id and content hash."""

    spec: TableSpec
    version: VersionRef
    name: str
    definition: dict
    conditions: list[list[Condition]]
    outputs: list[dict[str, Any]]
    default_index: int | None

    @property
    def rule_set(self) -> str:
        return self.version.rule_set

    def error(self, message: str, row: int | None = None, cls=RuleEvaluationError) -> RuleEvaluationError:
        return cls(message, rule_set=str(self.version), table=self.spec.name, row=row)

    def cast(self, facts: Any) -> dict[str, Any]:
        """Facts cast to the declared input types, checked for missing and unknown names."""
        if not isinstance(facts, dict):
            raise self.error(_("The facts must be a JSON object."), cls=InvalidFacts)
        names = [c.name for c in self.spec.inputs]
        missing = [n for n in names if n not in facts]
        if missing:
            raise self.error(_("Missing input: %(names)s.") % {"names": ", ".join(missing)}, cls=InvalidFacts)
        unknown = sorted(set(facts) - set(names))
        if unknown:
            raise self.error(_("Unknown input: %(names)s.") % {"names": ", ".join(unknown)}, cls=InvalidFacts)
        out = {}
        for col in self.spec.inputs:
            try:
                out[col.name] = cast_fact(facts[col.name], col.field_type)
            except CellError as exc:
                raise self.error(exc.message, cls=InvalidFacts) from exc
        return out

    def resolve(self, matched: list[int], facts: dict[str, Any]) -> Decision:
        """Apply the hit policy to the (0-based) rows the engine or the plain reading matched."""
        rows = sorted(i for i in set(matched) if i != self.default_index)
        if self.spec.hit_policy == HitPolicy.UNIQUE and len(rows) > 1:
            raise self.error(
                _("Rows %(rows)s all match, but the hit policy is UNIQUE.")
                % {"rows": ", ".join(str(r + 1) for r in rows)},
                row=rows[1] + 1,
            )
        if rows:
            winner = rows[0]
        elif self.default_index is not None:
            winner = self.default_index
        else:
            raise self.error(_("No row matches these inputs and the table has no default row."))
        row = self.spec.rows[winner]
        trace = [
            {
                "table": self.spec.name,
                "row": winner + 1,
                "default": row.is_default,
                "conditions": {c.name: self.conditions[winner][i].text for i, c in enumerate(self.spec.inputs)},
                "inputs": dict(facts),
                "outputs": dict(self.outputs[winner]),
            }
        ]
        return Decision(self.spec.name, dict(self.outputs[winner]), self.version, trace)

    def plain_match(self, facts: dict[str, Any]) -> list[int]:
        """The plain-Python reading of the table: which rows accept these (cast) facts."""
        values = [facts[c.name] for c in self.spec.inputs]
        return [
            i
            for i, conds in enumerate(self.conditions)
            if i == self.default_index or all(c.matches(v) for c, v in zip(conds, values, strict=True))
        ]

    def evaluate_plain(self, facts: dict[str, Any]) -> Decision:
        cast = self.cast(facts)
        return self.resolve(self.plain_match(cast), cast)


def compile_table(spec: TableSpec, version: VersionRef, *, prefix: str = "", check: bool = True) -> CompiledTable:
    """Validate and compile; raises RuleEvaluationError listing the problems if the table is invalid.
    ``check=False`` skips the table analysis (tests compare engine and plain reading on any table)."""
    problems = validate_table(spec) if check else []
    if problems:
        raise RuleEvaluationError(
            "; ".join(str(p) for p in problems[:5]),
            rule_set=str(version),
            table=spec.name,
            row=problems[0].row,
        )
    conditions = [
        [parse_condition(r.conditions.get(c.name, "-"), c.field_type) for c in spec.inputs] for r in spec.rows
    ]
    outputs = [{c.name: parse_value(r.outputs[c.name], c.field_type) for c in spec.outputs} for r in spec.rows]
    definition = {}
    default_index = None
    for index, (row, conds) in enumerate(zip(spec.rows, conditions, strict=True)):
        if row.is_default:
            default_index = index
        terms = (
            []
            if row.is_default
            else [t for c, col in zip(conds, spec.inputs, strict=True) for t in _engine_terms(c, col.name)]
        )
        terms.append({MARKER: 1})
        condition = terms[0] if len(terms) == 1 else {"$and": terms}
        definition[f"r{index}"] = {"all": [{"m": condition}], "pri": index, "run": "match"}
    if default_index is None:
        # A catch-all rule keeps every fact "handled": durable_rules rejects a whole assert_facts
        # batch (leaving the matched facts' actions queued) when any one fact matches no rule.
        definition[NO_MATCH] = {"all": [{"m": {MARKER: 1}}], "pri": len(spec.rows), "run": "match"}
    name = engine_name(prefix, version.rule_set, f"v{version.number}", spec.name, spec.logic_hash()[:12])
    return CompiledTable(spec, version, name.strip("_"), definition, conditions, outputs, default_index)
