"""The engine's tests for each condition, and a model of the alpha network durable_rules builds
from them, used to keep every table inside the engine's real limit. No durable import here.

What durable_rules 2.0.28 does with a ruleset (read in its C source, ``rete.c``/``events.c``, and
verified by experiment, see engine.py): each rule's ``$and`` becomes a chain of alpha nodes, one
per test, in the order written; a test equal to one that a sibling already has (same field,
operator and value under the same parent) reuses that node, so rows sharing a first condition share
a node. An ``$or`` puts each alternative under the parent and links them to one forward node of its
own rule, under which the rest of the rule's chain hangs. Asserting a fact walks this network depth
first with a fixed stack of ``ENGINE_STACK_SIZE`` entries: a node pushes every child whose test
holds (a forward node always), and a node's pending siblings stay on the stack while its children
are pushed. One entry too many fails the assert (error 303) with the session half written, and the
adapter must not delete that session (see engine.py).

``stack_need`` is the largest stack a fact could need, assuming the worst order of siblings (the
engine pushes them in fact-property and insertion order, so a table may survive one row order and
crash in another: the bound must hold for both), except for the marker, which is known to come
last. It may refuse a table that its row order would have saved; never the reverse.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from .conditions import NUMERIC, Condition
from .spec import TableSpec

# durable_rules' MAX_STACK_SIZE (events.c): alpha nodes pending at once while one fact is matched.
ENGINE_STACK_SIZE = 64
# The field every fact carries and every rule tests (compiler.MARKER; defined here so the
# compiler and this model agree without importing each other).
MARKER = "_k"

_OPS = {"eq": None, "gt": "$gt", "gte": "$gte", "lt": "$lt", "lte": "$lte"}


@dataclass(frozen=True)
class Test:
    """One engine test of one field: ``field op value``."""

    field: str
    op: str
    value: Any

    def holds(self, value: Any) -> bool:
        if self.op == "eq":
            return value == self.value
        return {
            "gt": value > self.value,
            "gte": value >= self.value,
            "lt": value < self.value,
            "lte": value <= self.value,
        }[self.op]

    def to_engine(self) -> dict:
        op = _OPS[self.op]
        return {self.field: self.value} if op is None else {op: {self.field: self.value}}


# A term of a rule: one test, or a tuple of alternatives (an ``$or``).
Term = Test | tuple[Test, ...]


def condition_terms(cond: Condition, name: str) -> list[Term]:
    """The engine terms of one parsed cell, in the order the compiler writes them."""
    if cond.kind == "any":
        return []
    if cond.kind == "eq" or (cond.kind == "in" and len(cond.values) == 1):
        return [Test(name, "eq", cond.values[0])]
    if cond.kind == "in":
        return [tuple(Test(name, "eq", v) for v in cond.values)]
    iv = cond.interval
    terms: list[Term] = []
    if iv.lo != -math.inf:
        terms.append(Test(name, "gte" if iv.lo_closed else "gt", iv.lo))
    if iv.hi != math.inf:
        terms.append(Test(name, "lte" if iv.hi_closed else "lt", iv.hi))
    return terms


def row_terms(spec: TableSpec, conds: list[Condition] | None) -> list[Term]:
    """Every term of one rule (``None`` for the default row), the marker last."""
    terms: list[Term] = []
    if conds is not None:
        for cond, col in zip(conds, spec.inputs, strict=True):
            terms += condition_terms(cond, col.name)
    return [*terms, Test(MARKER, "eq", 1)]


@dataclass
class _Node:
    children: dict[Test, _Node] = field(default_factory=dict)
    forwards: list[_Node] = field(default_factory=list)


def _build(rules: list[list[Term]]) -> _Node:
    root = _Node()
    for terms in rules:
        parent = root
        for term in terms:
            if isinstance(term, Test):
                parent = parent.children.setdefault(term, _Node())
            else:
                forward = _Node()
                for alt in term:
                    parent.children.setdefault(alt, _Node()).forwards.append(forward)
                parent = forward
    return root


@dataclass(frozen=True)
class StackNeed:
    """The worst stack a fact could need, and the input with the most tests holding at once at
    the node where it is reached (what the editor names)."""

    size: int
    field: str | None = None
    holding: int = 0


def _points(values: list, domain: tuple[float, float], integer: bool) -> list:
    """Values at which a set of tests on one numeric field takes every holding pattern it can."""
    lo, hi = domain
    distinct = sorted(set(values))
    points = set(distinct)
    if integer:
        points |= {v - 1 for v in distinct} | {v + 1 for v in distinct}
    else:
        points |= {(a + b) / 2 for a, b in zip(distinct, distinct[1:], strict=False)}
        if distinct:
            points |= {distinct[0] - 1, distinct[-1] + 1}
    points |= {v for v in (lo, hi) if not math.isinf(v)}
    return [p for p in points if lo <= p <= hi] or [0]


def stack_need(spec: TableSpec, parsed: list[list[Condition] | None]) -> StackNeed:
    """The largest engine stack any fact could need for this table. ``parsed`` holds each row's
    conditions (``None`` for the default row); without a default row the compiler adds a
    catch-all rule on the marker, which counts like a default row."""
    rules = [row_terms(spec, None if row.is_default else conds) for row, conds in zip(spec.rows, parsed, strict=True)]
    if not any(row.is_default for row in spec.rows):
        rules.append(row_terms(spec, None))
    columns = {c.name: c for c in spec.inputs}

    def holding_children(node: _Node) -> tuple[int, str | None, int]:
        by_field: dict[str, list[Test]] = defaultdict(list)
        for test in node.children:
            by_field[test.field].append(test)
        total, top_field, top = len(node.forwards), None, 0
        for name, tests in by_field.items():
            col = columns.get(name)
            if col is not None and col.type in NUMERIC:
                domain = (
                    -math.inf if col.minimum is None else col.minimum,
                    math.inf if col.maximum is None else col.maximum,
                )
                points = _points([t.value for t in tests], domain, col.type == "integer")
                most = max(sum(1 for t in tests if t.holds(p)) for p in points)
            else:  # codes, booleans and the marker: one value per fact, and equal tests share a node
                most = max(sum(1 for t in tests if t.value == v) for v in {t.value for t in tests})
            total += most
            if name != MARKER and most > top:
                top_field, top = name, most
        return total, top_field, top

    def need(node: _Node) -> StackNeed:
        pushed, top_field, top = holding_children(node)
        # The marker is the fact's last property, so its node is pushed last and popped first; it has
        # no children of its own, so it is never pending while a sibling's children are pushed.
        pending = pushed - 1 - (1 if any(t.field == MARKER for t in node.children) else 0)
        best = StackNeed(pushed, top_field, top)
        for test, child in [*node.children.items(), *((None, f) for f in node.forwards)]:
            if test is not None and test.field == MARKER:
                continue
            deeper = need(child)
            if deeper.size and pending + deeper.size > best.size:
                best = StackNeed(pending + deeper.size, deeper.field or top_field, max(deeper.holding, top))
        return best

    return need(_build(rules))
