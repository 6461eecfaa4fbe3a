"""Validation of decision tables, with a message per table, row and cell.

Cell checks (syntax, type, codes, ranges) come first; when every cell reads, the table is analysed
as boxes in input space: rows that overlap under UNIQUE, rows that earlier rows already cover under
FIRST, and input combinations no row covers when there is no default row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .choices import HitPolicy, ValueType
from .conditions import NUMERIC, CellError, Condition, ValueSet, domain_of, parse_condition, parse_value
from .network import ENGINE_STACK_SIZE, stack_need
from .spec import TableSpec

# Names that the compiled facts use for themselves.
RESERVED_NAMES = {"sid", "id", "_k", "_i"}
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
# Bound the box analysis: tables that explode beyond this are reported, not analysed forever.
MAX_BOXES = 20000


@dataclass(frozen=True)
class Problem:
    """One validation finding. ``row`` is 1-based (None for the table); ``field`` names the
    input or output column of the cell (None for the row or table)."""

    code: str
    message: str
    table: str = ""
    row: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = [self.table] if self.table else []
        if self.row is not None:
            where.append(_("row %(row)s") % {"row": self.row})
        if self.field:
            where.append(self.field)
        return f"{' · '.join(where)}: {self.message}" if where else self.message


Box = tuple[ValueSet, ...]


def _box_empty(box: Box) -> bool:
    return any(s.empty for s in box)


def _box_and(a: Box, b: Box) -> Box:
    return tuple(x & y for x, y in zip(a, b, strict=True))


def _box_sub(a: Box, b: Box) -> list[Box]:
    if _box_empty(_box_and(a, b)):
        return [a]
    out = []
    for i in range(len(a)):
        rest = a[i] - b[i]
        if not rest.empty:
            out.append(tuple((a[j] & b[j]) if j < i else (rest if j == i else a[j]) for j in range(len(a))))
    return out


def _describe(spec: TableSpec, box: Box) -> str:
    parts = []
    for col, values in zip(spec.inputs, box, strict=True):
        sample = values.sample()
        if col.type == ValueType.BOOLEAN:
            sample = "true" if sample else "false"
        elif col.type == ValueType.NUMBER and float(sample).is_integer():
            sample = int(sample)
        parts.append(f"{col.name} = {sample}")
    return ", ".join(parts) or _("(no inputs)")


def parse_rows(spec: TableSpec) -> tuple[list[list[Condition] | None], list[Problem]]:
    """Parse every condition cell; rows with a bad cell are None."""
    problems: list[Problem] = []
    parsed: list[list[Condition] | None] = []
    names = {c.name for c in spec.inputs}
    for index, row in enumerate(spec.rows, start=1):
        conds: list[Condition] | None = []
        for key in row.conditions:
            if key not in names:
                problems.append(
                    Problem("unknown_input", _("Unknown input “%(name)s”.") % {"name": key}, spec.name, index, key)
                )
                conds = None
        for col in spec.inputs:
            try:
                cond = parse_condition(row.conditions.get(col.name, "-"), col.field_type)
            except CellError as exc:
                problems.append(Problem(exc.code, exc.message, spec.name, index, col.name))
                conds = None
                continue
            if any(
                isinstance(b, int | float) and not isinstance(b, bool) and b and not 1e-4 <= abs(b) < 1e15
                for b in cond.boundaries()
            ):
                problems.append(
                    Problem(
                        "engine_number",
                        _("The engine cannot compare with numbers this small or large; rescale the input."),
                        spec.name,
                        index,
                        col.name,
                    )
                )
                conds = None
            if row.is_default and not cond.is_any:
                problems.append(
                    Problem("default_conditions", _("The default row takes no conditions."), spec.name, index, col.name)
                )
            if conds is not None:
                conds.append(cond)
        parsed.append(conds)
    return parsed, problems


def _check_columns(spec: TableSpec) -> list[Problem]:
    problems = []
    if not NAME_RE.match(spec.name or ""):
        problems.append(
            Problem(
                "bad_name", _("“%(name)s” is not a valid table name (a-z, 0-9, _).") % {"name": spec.name}, spec.name
            )
        )
    if spec.hit_policy not in HitPolicy.values:
        problems.append(Problem("hit_policy", _("Unknown hit policy “%(p)s”.") % {"p": spec.hit_policy}, spec.name))
    seen: set[str] = set()
    for col in (*spec.inputs, *spec.outputs):
        if col.name in seen:
            problems.append(Problem("duplicate", _("The column name is used twice."), spec.name, None, col.name))
        seen.add(col.name)
        if not NAME_RE.match(col.name) or col.name in RESERVED_NAMES:
            problems.append(
                Problem(
                    "bad_name",
                    _("“%(name)s” is not a valid column name.") % {"name": col.name},
                    spec.name,
                    None,
                    col.name,
                )
            )
        if col.type not in ValueType.values:
            problems.append(
                Problem("wrong_type", _("Unknown type “%(t)s”.") % {"t": col.type}, spec.name, None, col.name)
            )
        if col.type == ValueType.ENUM and not col.choices:
            problems.append(Problem("no_codes", _("A code list needs its allowed codes."), spec.name, None, col.name))
        if col.minimum is not None and col.maximum is not None and col.minimum > col.maximum:
            problems.append(Problem("swapped_range", _("The minimum is above the maximum."), spec.name, None, col.name))
    return problems


def validate_table(spec: TableSpec) -> list[Problem]:
    """Every problem of one table; an empty list means the table can be compiled and published."""
    problems = _check_columns(spec)
    if problems:
        return problems
    if not spec.rows:
        return [Problem("no_rows", _("The table has no rows."), spec.name)]

    parsed, cell_problems = parse_rows(spec)
    problems += cell_problems
    out_names = {c.name for c in spec.outputs}
    default_rows = [i for i, r in enumerate(spec.rows, start=1) if r.is_default]
    for index, row in enumerate(spec.rows, start=1):
        for key in row.outputs:
            if key not in out_names:
                problems.append(
                    Problem("unknown_output", _("Unknown output “%(name)s”.") % {"name": key}, spec.name, index, key)
                )
        for col in spec.outputs:
            value = row.outputs.get(col.name)
            if value is None or str(value).strip() == "":
                problems.append(Problem("missing_output", _("The output has no value."), spec.name, index, col.name))
                continue
            try:
                parse_value(value, col.field_type)
            except CellError as exc:
                problems.append(Problem(exc.code, exc.message, spec.name, index, col.name))
    if len(default_rows) > 1:
        problems.append(Problem("default_twice", _("Only one default row is allowed."), spec.name, default_rows[1]))
    if default_rows and default_rows[-1] != len(spec.rows):
        problems.append(
            Problem("default_position", _("The default row must be the last row."), spec.name, default_rows[0])
        )
    if len(default_rows) == len(spec.rows):
        problems.append(Problem("no_rows", _("The table has no rows besides the default."), spec.name))
    if not problems:
        problems += _check_engine_stack(spec, parsed)
    if problems:
        return problems
    return _analyse(spec, parsed, bool(default_rows))


def _check_engine_stack(spec: TableSpec, parsed: list[list[Condition] | None]) -> list[Problem]:
    """The engine's real limit (network.py): at most ENGINE_STACK_SIZE tests holding at once for one
    fact, the default row's counting as one. In practice: at most 63 rows may compare one input
    with <, <=, >, >= or a range when the other inputs are "-", per table (all inputs together)."""
    need = stack_need(spec, [None if row.is_default else conds for row, conds in zip(spec.rows, parsed, strict=True)])
    if need.size <= ENGINE_STACK_SIZE:
        return []
    return [
        Problem(
            "too_many_ranges",
            _(
                "For some input values %(count)s conditions of this table hold at once (%(holding)s of them on "
                "%(field)s); the rules engine can follow at most %(max)s at once, the default row counting as "
                "one, and stops beyond that. So at most %(rows)s rows may compare one input with <, >, or a "
                "range: merge rows or split the table."
            )
            % {
                "count": need.size,
                "holding": need.holding,
                "field": need.field,
                "max": ENGINE_STACK_SIZE,
                "rows": ENGINE_STACK_SIZE - 1,
            },
            spec.name,
            None,
            need.field,
        )
    ]


def _analyse(spec: TableSpec, parsed: list[list[Condition]], has_default: bool) -> list[Problem]:
    problems: list[Problem] = []
    domain: Box = tuple(domain_of(c.field_type) for c in spec.inputs)
    boxes: list[tuple[int, Box]] = []
    for index, (row, conds) in enumerate(zip(spec.rows, parsed, strict=True), start=1):
        if row.is_default:
            continue
        box = tuple(cond.value_set(dom) for cond, dom in zip(conds, domain, strict=True))
        if _box_empty(box):
            problems.append(
                Problem(
                    "unreachable", _("The row can never match: its conditions exclude every value."), spec.name, index
                )
            )
            continue
        boxes.append((index, box))

    if spec.hit_policy == HitPolicy.UNIQUE:
        for a in range(len(boxes)):
            for b in range(a + 1, len(boxes)):
                common = _box_and(boxes[a][1], boxes[b][1])
                if not _box_empty(common):
                    problems.append(
                        Problem(
                            "overlap",
                            _("Row %(a)s and row %(b)s both match, e.g. for %(example)s (hit policy UNIQUE).")
                            % {"a": boxes[a][0], "b": boxes[b][0], "example": _describe(spec, common)},
                            spec.name,
                            boxes[b][0],
                        )
                    )
    else:
        for a, (index, box) in enumerate(boxes):
            rest = [box]
            for _index, earlier in boxes[:a]:
                rest = [piece for r in rest for piece in _box_sub(r, earlier)]
                if not rest or len(rest) > MAX_BOXES:
                    break
            if not rest:
                problems.append(
                    Problem(
                        "unreachable",
                        _("The row can never match: rows above it already match all its values (hit policy FIRST)."),
                        spec.name,
                        index,
                    )
                )

    if not has_default:
        rest = [domain]
        for _index, box in boxes:
            rest = [piece for r in rest for piece in _box_sub(r, box)]
            if not rest:
                break
            if len(rest) > MAX_BOXES:
                problems.append(Problem("too_complex", _("The table is too complex to check its coverage."), spec.name))
                return problems
        if rest:
            problems.append(
                Problem(
                    "uncovered",
                    _("No row matches some inputs, e.g. %(example)s, and there is no default row.")
                    % {"example": _describe(spec, rest[0])},
                    spec.name,
                )
            )
    return problems


def boundary_values(spec: TableSpec, col_index: int) -> list:
    """Values worth testing for one input: every condition boundary, just beside it, and the
    domain's ends. Used by the publish gate's smoke test."""
    col = spec.inputs[col_index]
    ft = col.field_type
    if col.type == ValueType.BOOLEAN:
        return [True, False]
    if col.type == ValueType.ENUM:
        return list(col.choices)
    points: set[float] = set()
    for row in spec.rows:
        try:
            cond = parse_condition(row.conditions.get(col.name, "-"), ft)
        except CellError:
            continue
        for b in cond.boundaries():
            step = 1 if col.type == ValueType.INTEGER else max(abs(b) * 1e-6, 1e-6)
            points.update({b - step, b, b + step})
    if col.minimum is not None:
        points.add(col.minimum)
    if col.maximum is not None:
        points.add(col.maximum)
    if not points:
        points = {0}
    lo = -float("inf") if col.minimum is None else col.minimum
    hi = float("inf") if col.maximum is None else col.maximum
    values = sorted(p for p in points if lo <= p <= hi)
    if col.type in NUMERIC and col.type == ValueType.INTEGER:
        return sorted({int(v) for v in values if float(v).is_integer()})
    return values
