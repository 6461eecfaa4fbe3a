"""Two versions of a rule set compared table by table and row by row, as the editor's comparison
page shows them: rows pair up by position, and each cell knows whether it differs from its
counterpart. Pure: table specs in, the differences out (no database, no engine)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .spec import RowSpec, TableSpec


@dataclass(frozen=True)
class DiffCell:
    v: str  # the cell's text, as the editor shows it
    changed: bool


@dataclass(frozen=True)
class DiffRow:
    n: int  # the row's position, from 1
    a: list[DiffCell]  # the row in the first table (empty when that table has no such row)
    b: list[DiffCell]
    changed: bool


@dataclass(frozen=True)
class TableDiff:
    name: str
    cols_a: list[str]  # inputs then outputs; empty when the table is only in the second version
    cols_b: list[str]
    policy_a: str  # hit policy, "—" when the table is missing on that side
    policy_b: str
    rows: list[DiffRow]
    changed_rows: int
    schema_changed: bool


def diff_versions(a: Iterable[TableSpec], b: Iterable[TableSpec]) -> list[TableDiff]:
    """Every table of either version by name, each compared with its namesake in the other."""
    specs_a, specs_b = {s.name: s for s in a}, {s.name: s for s in b}
    return [diff_tables(name, specs_a.get(name), specs_b.get(name)) for name in sorted(set(specs_a) | set(specs_b))]


def diff_tables(name: str, a: TableSpec | None, b: TableSpec | None) -> TableDiff:
    """Table ``a`` against ``b`` (either may be missing), row by row: a row present on one side
    only is changed in full; otherwise a cell is changed where its text differs from the cell of
    the same column on the other side, and a row also when only one of the pair is the default row."""
    cols_a, cols_b = _columns(a), _columns(b)
    rows = []
    for i in range(max(_row_count(a), _row_count(b))):
        ra = a.rows[i] if a is not None and i < len(a.rows) else None
        rb = b.rows[i] if b is not None and i < len(b.rows) else None
        # (column, text) pairs; a list, since a draft may still name a column twice
        cells_a = [(n, cell_text(ra, a, n)) for n in cols_a] if ra else []
        cells_b = [(n, cell_text(rb, b, n)) for n in cols_b] if rb else []
        one_sided = ra is None or rb is None
        rows.append(
            DiffRow(
                n=i + 1,
                a=[DiffCell(v, one_sided or v != cell_text(rb, b, n)) for n, v in cells_a],
                b=[DiffCell(v, one_sided or v != cell_text(ra, a, n)) for n, v in cells_b],
                changed=[v for _, v in cells_a] != [v for _, v in cells_b]
                or (not one_sided and ra.is_default != rb.is_default),
            )
        )
    return TableDiff(
        name=name,
        cols_a=cols_a,
        cols_b=cols_b,
        policy_a=a.hit_policy if a else "—",
        policy_b=b.hit_policy if b else "—",
        rows=rows,
        changed_rows=sum(1 for r in rows if r.changed),
        schema_changed=cols_a != cols_b or (a is not None and b is not None and a.inputs != b.inputs),
    )


def cell_text(row: RowSpec, spec: TableSpec, name: str) -> str:
    """The text of column ``name`` in ``row``: "-" for an input the row does not test (the
    default row tests none), "" for an output it leaves unset."""
    if spec.input(name) is not None:
        return "-" if row.is_default else row.conditions.get(name, "-")
    return row.outputs.get(name, "")


def _columns(spec: TableSpec | None) -> list[str]:
    return [c.name for c in spec.inputs] + [c.name for c in spec.outputs] if spec else []


def _row_count(spec: TableSpec | None) -> int:
    return len(spec.rows) if spec else 0
