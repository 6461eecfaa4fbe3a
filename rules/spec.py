"""Plain, database-free description of a decision table (what the validator, compiler, plain
evaluator and the pack loader share). Models convert to it with ``table_spec`` in selectors.py."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from .choices import HitPolicy, ValueType
from .conditions import FieldType, parse_value_text


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    type: str
    label: str = ""
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

    @property
    def field_type(self) -> FieldType:
        return FieldType(self.name, self.type, tuple(self.choices), self.minimum, self.maximum)

    def to_dict(self) -> dict:
        data = {"name": self.name, "type": self.type}
        if self.label:
            data["label"] = self.label
        if self.choices:
            data["choices"] = list(self.choices)
        if self.minimum is not None:
            data["min"] = self.minimum
        if self.maximum is not None:
            data["max"] = self.maximum
        return data

    @classmethod
    def from_dict(cls, data: dict) -> ColumnSpec:
        return cls(
            name=str(data.get("name", "")).strip(),
            type=str(data.get("type", ValueType.NUMBER)),
            label=str(data.get("label", "")),
            choices=tuple(str(c) for c in data.get("choices") or ()),
            minimum=None if data.get("min") is None else float(data["min"]),
            maximum=None if data.get("max") is None else float(data["max"]),
        )


@dataclass(frozen=True)
class RowSpec:
    conditions: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    is_default: bool = False
    note: str = ""

    def to_dict(self) -> dict:
        data: dict[str, Any] = {}
        if self.is_default:
            data["default"] = True
        else:
            data["when"] = dict(self.conditions)
        data["then"] = dict(self.outputs)
        if self.note:
            data["note"] = self.note
        return data

    @classmethod
    def from_dict(cls, data: dict) -> RowSpec:
        return cls(
            conditions={str(k): parse_value_text(v) for k, v in (data.get("when") or {}).items()},
            outputs={str(k): parse_value_text(v) for k, v in (data.get("then") or {}).items()},
            is_default=bool(data.get("default", False)),
            note=str(data.get("note", "")),
        )


@dataclass(frozen=True)
class CaseSpec:
    """A stored test case: inputs (typed JSON values) and the outputs they must give."""

    name: str
    inputs: dict[str, Any]
    expected: dict[str, Any]

    def to_dict(self) -> dict:
        return {"name": self.name, "given": dict(self.inputs), "expect": dict(self.expected)}

    @classmethod
    def from_dict(cls, data: dict) -> CaseSpec:
        return cls(str(data.get("name", "")), dict(data.get("given") or {}), dict(data.get("expect") or {}))


@dataclass(frozen=True)
class TableSpec:
    name: str
    hit_policy: str = HitPolicy.FIRST
    title: str = ""
    description: str = ""
    inputs: tuple[ColumnSpec, ...] = ()
    outputs: tuple[ColumnSpec, ...] = ()
    rows: tuple[RowSpec, ...] = ()
    tests: tuple[CaseSpec, ...] = ()

    def input(self, name: str) -> ColumnSpec | None:
        return next((c for c in self.inputs if c.name == name), None)

    def output(self, name: str) -> ColumnSpec | None:
        return next((c for c in self.outputs if c.name == name), None)

    def to_dict(self, *, with_tests: bool = True) -> dict:
        data = {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "hit_policy": self.hit_policy,
            "inputs": [c.to_dict() for c in self.inputs],
            "outputs": [c.to_dict() for c in self.outputs],
            "rows": [r.to_dict() for r in self.rows],
        }
        if with_tests:
            data["tests"] = [t.to_dict() for t in self.tests]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> TableSpec:
        return cls(
            name=str(data.get("name", "")).strip(),
            hit_policy=str(data.get("hit_policy", HitPolicy.FIRST)).upper(),
            title=str(data.get("title", "")),
            description=str(data.get("description", "")),
            inputs=tuple(ColumnSpec.from_dict(c) for c in data.get("inputs") or ()),
            outputs=tuple(ColumnSpec.from_dict(c) for c in data.get("outputs") or ()),
            rows=tuple(RowSpec.from_dict(r) for r in data.get("rows") or ()),
            tests=tuple(CaseSpec.from_dict(t) for t in data.get("tests") or ()),
        )

    def logic_hash(self) -> str:
        """Hash of what decides outcomes (not titles or tests): names the engine ruleset."""
        data = self.to_dict(with_tests=False)
        data.pop("title")
        data.pop("description")
        return content_hash(data)


def content_hash(data: Any) -> str:
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def version_hash(tables: list[TableSpec]) -> str:
    """Content hash of a whole version: its tables and test cases, in name order."""
    return content_hash([t.to_dict() for t in sorted(tables, key=lambda t: t.name)])
