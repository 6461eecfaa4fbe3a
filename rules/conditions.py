"""Condition cells of decision tables: parsing, typed values and value sets.

A cell is text as the editor types it:

    -            any value (an empty cell means the same)
    = v  or  v   equal to v
    in {a, b}    one of the listed values (``in {0,5; 1}``: see below)
    < n  <= n  > n  >= n
    [a..b)       a range; ``[``/``]`` include the end, ``(``/``)`` exclude it

Numbers take a decimal point or a decimal comma, as Indonesian writes them: ``0.5`` and ``0,5``
are the same number everywhere the editor reads one (cells, "coba", test cases, simulation CSV).
A list separates its items with commas, or with semicolons when it has any: ``in {1, 2}`` is
1 and 2 (as it always was), ``in {0,5; 1}`` is 0.5 and 1. Thousands separators are not read.

Each parsed condition knows the set of values it accepts (``value_set``), which the validator
uses to find overlapping, unreachable and uncovered rows, and how to test one value (``matches``),
which is the plain-Python reading of the table. The durable_rules form is built in compiler.py.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from .choices import ValueType

INF = math.inf
NUMERIC = {ValueType.NUMBER, ValueType.INTEGER}
TRUE_WORDS = {"true", "ya", "benar", "yes"}
FALSE_WORDS = {"false", "tidak", "salah", "no"}
_NUMBER_RE = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
_INTEGER_RE = re.compile(r"^[+-]?\d+$")
_RANGE_RE = re.compile(r"^([\[(])\s*(.*?)\s*\.\.\s*(.*?)\s*([\])])$")


class CellError(ValueError):
    """A cell that cannot be read. ``code`` names the kind of problem for tests and the UI."""

    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class FieldType:
    """What a cell or fact is checked against: the declared type of an input or output."""

    name: str
    type: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None


def parse_value(text: Any, spec: FieldType) -> Any:
    """Read one typed value from a cell (text, or a YAML scalar)."""
    if isinstance(text, bool):
        text = "true" if text else "false"
    raw = str(text).strip()
    if spec.type == ValueType.NUMBER:
        if not _NUMBER_RE.match(raw):
            raise CellError("wrong_type", _("“%(value)s” is not a number.") % {"value": raw})
        number = float(raw.replace(",", "."))
        if not math.isfinite(number):
            raise CellError("wrong_type", _("“%(value)s” is too large a number.") % {"value": raw})
        return number
    if spec.type == ValueType.INTEGER:
        if not _INTEGER_RE.match(raw):
            raise CellError("wrong_type", _("“%(value)s” is not a whole number.") % {"value": raw})
        return int(raw)
    if spec.type == ValueType.BOOLEAN:
        low = raw.lower()
        if low in TRUE_WORDS:
            return True
        if low in FALSE_WORDS:
            return False
        raise CellError("wrong_type", _("“%(value)s” is not yes/no (true or false).") % {"value": raw})
    if spec.type == ValueType.ENUM:
        if raw not in spec.choices:
            raise CellError(
                "unknown_code",
                _("“%(value)s” is not an allowed code of %(field)s (allowed: %(codes)s).")
                % {"value": raw, "field": spec.name, "codes": ", ".join(spec.choices)},
            )
        return raw
    raise CellError("wrong_type", _("Unknown type “%(type)s”.") % {"type": spec.type})


# --- value sets -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """A real interval; infinite ends are always open."""

    lo: float
    hi: float
    lo_closed: bool = True
    hi_closed: bool = True

    def __post_init__(self):
        if self.lo == -INF:
            object.__setattr__(self, "lo_closed", False)
        if self.hi == INF:
            object.__setattr__(self, "hi_closed", False)

    @property
    def empty(self) -> bool:
        return self.lo > self.hi or (self.lo == self.hi and not (self.lo_closed and self.hi_closed))

    def __and__(self, other: Interval) -> Interval:
        if self.lo > other.lo:
            lo, lo_c = self.lo, self.lo_closed
        elif self.lo < other.lo:
            lo, lo_c = other.lo, other.lo_closed
        else:
            lo, lo_c = self.lo, self.lo_closed and other.lo_closed
        if self.hi < other.hi:
            hi, hi_c = self.hi, self.hi_closed
        elif self.hi > other.hi:
            hi, hi_c = other.hi, other.hi_closed
        else:
            hi, hi_c = self.hi, self.hi_closed and other.hi_closed
        return Interval(lo, hi, lo_c, hi_c)

    def __sub__(self, other: Interval) -> list[Interval]:
        if (self & other).empty:
            return [self]
        parts = [
            self & Interval(-INF, other.lo, False, not other.lo_closed),
            self & Interval(other.hi, INF, not other.hi_closed, False),
        ]
        return [p for p in parts if not p.empty]

    def contains(self, value: float) -> bool:
        if value < self.lo or value > self.hi:
            return False
        if value == self.lo and not self.lo_closed:
            return False
        return not (value == self.hi and not self.hi_closed)

    def sample(self) -> float:
        if self.lo_closed:
            return self.lo
        if self.hi_closed:
            return self.hi
        if self.lo == -INF and self.hi == INF:
            return 0.0
        if self.lo == -INF:
            return self.hi - 1
        if self.hi == INF:
            return self.lo + 1
        return (self.lo + self.hi) / 2


@dataclass(frozen=True)
class ValueSet:
    """The values a condition accepts: intervals for numbers, a finite set for codes and booleans.
    Integer sets keep closed integer bounds so that e.g. ``(1..2)`` is correctly empty."""

    type: str
    intervals: tuple[Interval, ...] = ()
    items: frozenset = field(default_factory=frozenset)

    @classmethod
    def numeric(cls, type_: str, intervals) -> ValueSet:
        out = []
        for iv in intervals:
            if type_ == ValueType.INTEGER:
                iv = _to_integer_interval(iv)
            if not iv.empty:
                out.append(iv)
        return cls(type_, tuple(out))

    @property
    def empty(self) -> bool:
        return not self.intervals if self.type in NUMERIC else not self.items

    def __and__(self, other: ValueSet) -> ValueSet:
        if self.type in NUMERIC:
            return ValueSet.numeric(self.type, [a & b for a in self.intervals for b in other.intervals])
        return ValueSet(self.type, items=self.items & other.items)

    def __sub__(self, other: ValueSet) -> ValueSet:
        if self.type not in NUMERIC:
            return ValueSet(self.type, items=self.items - other.items)
        parts = list(self.intervals)
        for b in other.intervals:
            if self.type == ValueType.INTEGER:
                parts = [p for a in parts for p in _int_sub(a, b)]
            else:
                parts = [p for a in parts for p in a - b]
        return ValueSet.numeric(self.type, parts)

    def sample(self) -> Any:
        if self.type in NUMERIC:
            value = self.intervals[0].sample()
            return int(value) if self.type == ValueType.INTEGER else value
        return sorted(self.items, key=str)[0]


def _to_integer_interval(iv: Interval) -> Interval:
    lo = iv.lo if iv.lo == -INF else (math.ceil(iv.lo) if iv.lo_closed else math.floor(iv.lo) + 1)
    hi = iv.hi if iv.hi == INF else (math.floor(iv.hi) if iv.hi_closed else math.ceil(iv.hi) - 1)
    return Interval(lo, hi, True, True)


def _int_sub(a: Interval, b: Interval) -> list[Interval]:
    if (a & b).empty:
        return [a]
    parts = []
    if b.lo != -INF:
        parts.append(a & Interval(-INF, b.lo - 1))
    if b.hi != INF:
        parts.append(a & Interval(b.hi + 1, INF))
    return [p for p in parts if not p.empty]


def domain_of(spec: FieldType) -> ValueSet:
    """Every value an input may take."""
    if spec.type in NUMERIC:
        lo = -INF if spec.minimum is None else spec.minimum
        hi = INF if spec.maximum is None else spec.maximum
        return ValueSet.numeric(spec.type, [Interval(lo, hi)])
    if spec.type == ValueType.BOOLEAN:
        return ValueSet(spec.type, items=frozenset({True, False}))
    return ValueSet(spec.type, items=frozenset(spec.choices))


# --- conditions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """One parsed cell. ``kind`` is any, eq, in, cmp or range."""

    kind: str
    text: str
    type: str = ""
    values: tuple = ()
    op: str = ""
    interval: Interval | None = None

    @property
    def is_any(self) -> bool:
        return self.kind == "any"

    @property
    def is_inequality(self) -> bool:
        """Compiles to durable_rules comparison nodes ($lt/$gt...), which are limited in number."""
        return self.kind in {"cmp", "range"}

    def matches(self, value: Any) -> bool:
        if self.kind == "any":
            return True
        if self.kind in {"eq", "in"}:
            return any(value == v and type(value) is type(v) for v in self.values)
        return self.interval.contains(value)

    def value_set(self, domain: ValueSet) -> ValueSet:
        if self.kind == "any":
            return domain
        if self.kind in {"eq", "in"}:
            if self.type in NUMERIC:
                return ValueSet.numeric(self.type, [Interval(v, v) for v in self.values]) & domain
            return ValueSet(self.type, items=frozenset(self.values)) & domain
        return ValueSet.numeric(self.type, [self.interval]) & domain

    def boundaries(self) -> list:
        if self.kind in {"eq", "in"}:
            return list(self.values)
        if self.interval is not None:
            return [v for v in (self.interval.lo, self.interval.hi) if not math.isinf(v)]
        return []


ANY = Condition("any", "-")


def parse_condition(text: Any, spec: FieldType) -> Condition:
    """Parse a cell against the input's declared type. Raises CellError with a readable message."""
    if isinstance(text, bool | int | float):
        text = parse_value_text(text)
    raw = "" if text is None else str(text).strip()
    if raw in {"", "-"}:
        return ANY
    numeric = spec.type in NUMERIC
    lower = raw.lower()
    if lower.startswith("in ") or lower.startswith("in{"):
        body = raw[2:].strip()
        if not (body.startswith("{") and body.endswith("}")):
            raise CellError("syntax", _("Write a list as “in {a, b}” (with decimal commas: “in {0,5; 1}”)."))
        inner = body[1:-1]
        items = [item.strip() for item in inner.split(";" if ";" in inner else ",") if item.strip()]
        if not items:
            raise CellError("syntax", _("The list is empty."))
        values = tuple(dict.fromkeys(parse_value(item, spec) for item in items))
        return Condition("in", raw, spec.type, values=values)
    for op in ("<=", ">=", "<", ">", "="):
        if raw.startswith(op):
            operand = raw[len(op) :].strip()
            if not operand:
                raise CellError("syntax", _("“%(op)s” needs a value.") % {"op": op})
            if op == "=":
                return Condition("eq", raw, spec.type, values=(parse_value(operand, spec),))
            if not numeric:
                raise CellError(
                    "wrong_type",
                    _("“%(op)s” compares numbers, but %(field)s is not a number.") % {"op": op, "field": spec.name},
                )
            value = parse_value(operand, spec)
            interval = {
                "<": Interval(-INF, value, False, False),
                "<=": Interval(-INF, value, False, True),
                ">": Interval(value, INF, False, False),
                ">=": Interval(value, INF, True, False),
            }[op]
            return Condition("cmp", raw, spec.type, values=(value,), op=op, interval=interval)
    match = _RANGE_RE.match(raw)
    if match:
        if not numeric:
            raise CellError(
                "wrong_type", _("A range needs a number, but %(field)s is not a number.") % {"field": spec.name}
            )
        open_, lo_text, hi_text, close = match.groups()
        lo, hi = parse_value(lo_text, spec), parse_value(hi_text, spec)
        if lo > hi:
            raise CellError(
                "swapped_range",
                _("The range ends are swapped: %(lo)s is greater than %(hi)s.") % {"lo": lo_text, "hi": hi_text},
            )
        interval = Interval(lo, hi, open_ == "[", close == "]")
        if ValueSet.numeric(spec.type, [interval]).empty:
            raise CellError("empty_range", _("The range %(range)s contains no value.") % {"range": raw})
        return Condition("range", raw, spec.type, interval=interval)
    if ".." in raw:
        raise CellError("syntax", _("Write a range as “[a..b)”, with [ or ( and ] or )."))
    return Condition("eq", raw, spec.type, values=(parse_value(raw, spec),))


def parse_value_text(value: Any) -> str:
    """A YAML scalar or Python value as the text a cell shows."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else repr(value)
    return str(value)


def cast_fact(value: Any, spec: FieldType) -> Any:
    """Cast one fact to the input's declared type. Strict: a string where a number is declared is an
    error, never a silent comparison (durable_rules would compare "1" equal to 1)."""
    if spec.type in NUMERIC:
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            raise CellError(
                "wrong_type",
                _("%(field)s must be a number, not %(value)r.") % {"field": spec.name, "value": value},
            )
        number = float(value)
        if math.isnan(number) or math.isinf(number):
            raise CellError("wrong_type", _("%(field)s must be a finite number.") % {"field": spec.name})
        if spec.type == ValueType.INTEGER:
            if not number.is_integer():
                raise CellError(
                    "wrong_type",
                    _("%(field)s must be a whole number, not %(value)s.") % {"field": spec.name, "value": value},
                )
            number = int(number)
        if (spec.minimum is not None and number < spec.minimum) or (spec.maximum is not None and number > spec.maximum):
            raise CellError(
                "out_of_range",
                _("%(field)s = %(value)s is outside %(lo)s..%(hi)s.")
                % {"field": spec.name, "value": value, "lo": spec.minimum, "hi": spec.maximum},
            )
        return number
    if spec.type == ValueType.BOOLEAN:
        if not isinstance(value, bool):
            raise CellError(
                "wrong_type",
                _("%(field)s must be true or false, not %(value)r.") % {"field": spec.name, "value": value},
            )
        return value
    if not isinstance(value, str) or value not in spec.choices:
        raise CellError(
            "unknown_code",
            _("%(field)s: %(value)r is not an allowed code (allowed: %(codes)s).")
            % {"field": spec.name, "value": value, "codes": ", ".join(spec.choices)},
        )
    return value


def coerce_text(text: str, spec: FieldType) -> Any:
    """Read a fact typed by a person or a CSV (text) into its declared type, then range-check it."""
    return cast_fact(parse_value(text, spec), spec)
